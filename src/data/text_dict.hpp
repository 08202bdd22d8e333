// The distinct texts of one column with their counts, numbered in the order
// they were first seen: an arena of bytes and an open-addressing index, so a
// lookup costs one hash, a probe or two and one comparison, and a distinct text
// costs its bytes plus about 40 bytes (no allocation per text).
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.hpp"

namespace meg::data {

// A 64-bit hash of a text, the same on every platform (it decides which texts a
// distinct-count sketch keeps, so it must not depend on the standard library).
inline uint64_t hash_text(std::string_view s) {
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ (s.size() * 0xC2B2AE3D27D4EB4FULL);
  const char* p = s.data();
  size_t n = s.size();
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  uint64_t w = 0;
  std::memcpy(&w, p, n);
  return core::mix64(h ^ w);
}

class TextDict {
 public:
  // Id of `text`, added with count 0 (and `*added` set) when new.
  uint32_t find_or_add(std::string_view text, uint64_t hash, bool* added) {
    if ((entries_.size() + 1) * 2 > slots_.size()) grow();
    const size_t mask = slots_.size() - 1;
    const auto tag = static_cast<uint32_t>(hash >> 32);
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot s = slots_[i];
      if (s.id == 0) {
        const auto id = static_cast<uint32_t>(entries_.size());
        entries_.push_back({hash, arena_.size(), static_cast<uint32_t>(text.size()), 0});
        arena_.append(text);
        slots_[i] = {id + 1, tag};
        *added = true;
        return id;
      }
      if (s.tag == tag) {
        const Entry& e = entries_[s.id - 1];
        if (e.hash == hash && e.size == text.size() &&
            std::memcmp(arena_.data() + e.offset, text.data(), text.size()) == 0) {
          *added = false;
          return s.id - 1;
        }
      }
    }
  }
  uint32_t find_or_add(std::string_view text, bool* added) {
    return find_or_add(text, hash_text(text), added);
  }
  // Id of `text`, or -1.
  int64_t find(std::string_view text) const {
    if (slots_.empty()) return -1;
    const uint64_t hash = hash_text(text);
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot s = slots_[i];
      if (s.id == 0) return -1;
      const Entry& e = entries_[s.id - 1];
      if (e.hash == hash && text == this->text(s.id - 1)) return s.id - 1;
    }
  }

  void add_count(uint32_t id, uint64_t n = 1) { entries_[id].count += n; }
  size_t size() const { return entries_.size(); }
  std::string_view text(uint32_t id) const {
    const Entry& e = entries_[id];
    return std::string_view(arena_.data() + e.offset, e.size);
  }
  uint64_t count(uint32_t id) const { return entries_[id].count; }
  uint64_t hash(uint32_t id) const { return entries_[id].hash; }
  // Heap bytes held.
  size_t memory_bytes() const {
    return arena_.capacity() + entries_.capacity() * sizeof(Entry) +
           slots_.capacity() * sizeof(Slot);
  }
  void clear() {
    std::string().swap(arena_);
    std::vector<Entry>().swap(entries_);
    std::vector<Slot>().swap(slots_);
  }

 private:
  struct Entry {
    uint64_t hash;
    uint64_t offset;
    uint32_t size;
    uint64_t count;
  };
  struct Slot {
    uint32_t id;  // entry + 1; 0 = empty
    uint32_t tag;
  };
  void grow() {
    std::vector<Slot> slots(std::max<size_t>(16, slots_.size() * 2));
    const size_t mask = slots.size() - 1;
    for (size_t id = 0; id < entries_.size(); ++id) {
      const uint64_t h = entries_[id].hash;
      size_t i = h & mask;
      while (slots[i].id != 0) i = (i + 1) & mask;
      slots[i] = {static_cast<uint32_t>(id + 1), static_cast<uint32_t>(h >> 32)};
    }
    slots_.swap(slots);
  }

  std::string arena_;
  std::vector<Entry> entries_;
  std::vector<Slot> slots_;
};

}  // namespace meg::data
