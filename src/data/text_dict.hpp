// The distinct texts of one column with their counts, numbered in the order
// they were first seen: an arena of bytes and an open-addressing index, so a
// lookup costs one hash, a probe or two and one comparison, and a distinct text
// costs its bytes plus about 60 bytes (no allocation per text). A text of up to
// 8 bytes is also kept in its index slot, so looking it up touches nothing else.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.hpp"

namespace meg::data {

// The first 8 bytes of a text as a word (zero-padded), read without copying bytes
// one by one; for a text of at most 8 bytes, with its size, it identifies the text.
inline uint64_t text_key(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  uint64_t w = 0;
  if (n >= 8) {
    std::memcpy(&w, p, 8);
  } else if (n >= 4) {  // two overlapping 4-byte reads
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    w = uint64_t{a} << 32 | b;
  } else if (n > 0) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    w = uint64_t{u[0]} << 16 | uint64_t{u[n / 2]} << 8 | u[n - 1];
  }
  return w;
}

// A 64-bit hash of a text, the same on every platform (it decides which texts a
// distinct-count sketch keeps, so it must not depend on the standard library).
inline uint64_t hash_text(std::string_view s) {
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ (s.size() * 0xC2B2AE3D27D4EB4FULL);
  if (s.size() <= 8) return core::mix64(h ^ text_key(s));
  const char* p = s.data();
  size_t n = s.size();
  while (n > 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  uint64_t w;
  std::memcpy(&w, s.data() + s.size() - 8, 8);  // the last 8 bytes (overlapping)
  return core::mix64(h ^ w);
}

class TextDict {
 public:
  // Id of `text`, added with count 0 (and `*added` set) when new.
  uint32_t find_or_add(std::string_view text, uint64_t hash, bool* added) {
    if ((hashes_.size() + 1) * 2 > slots_.size()) grow();
    const size_t mask = slots_.size() - 1;
    const Slot probe = make_slot(text, hash, 0);
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.id == 0) {
        const auto id = static_cast<uint32_t>(hashes_.size());
        hashes_.push_back(hash);
        counts_.push_back(0);
        ends_.push_back(arena_.size() + text.size());
        arena_.append(text);
        s = probe;
        s.id = id + 1;
        *added = true;
        return id;
      }
      if (s.check == probe.check && s.key == probe.key &&
          (text.size() <= 8 || this->text(s.id - 1) == text)) {
        *added = false;
        return s.id - 1;
      }
    }
  }
  uint32_t find_or_add(std::string_view text, bool* added) {
    return find_or_add(text, hash_text(text), added);
  }
  // A hint that a text of this hash is looked up soon: its first index slot is loaded
  // into the cache (a large column's index misses it a lookup otherwise).
  void prefetch(uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
  }
  // Id of `text`, or -1.
  int64_t find(std::string_view text) const {
    if (slots_.empty()) return -1;
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash_text(text) & mask;; i = (i + 1) & mask) {
      const Slot s = slots_[i];
      if (s.id == 0) return -1;
      if (this->text(s.id - 1) == text) return s.id - 1;
    }
  }

  void add_count(uint32_t id, uint64_t n = 1) { counts_[id] += n; }
  size_t size() const { return hashes_.size(); }
  std::string_view text(uint32_t id) const {
    const uint64_t begin = id == 0 ? 0 : ends_[id - 1];
    return std::string_view(arena_.data() + begin, ends_[id] - begin);
  }
  uint64_t count(uint32_t id) const { return counts_[id]; }
  uint64_t hash(uint32_t id) const { return hashes_[id]; }
  // Heap bytes held.
  size_t memory_bytes() const {
    return arena_.capacity() + (hashes_.capacity() + counts_.capacity() + ends_.capacity()) * 8 +
           slots_.capacity() * sizeof(Slot);
  }
  void clear() {
    std::string().swap(arena_);
    std::vector<uint64_t>().swap(hashes_);
    std::vector<uint64_t>().swap(counts_);
    std::vector<uint64_t>().swap(ends_);
    std::vector<Slot>().swap(slots_);
  }

 private:
  // An index slot: the id (+1; 0 = empty); the text's size (capped at 255) with 24
  // bits of its hash; its key word (text_key): the whole text when it has at most 8
  // bytes, so looking such a text up touches nothing but the slot.
  struct Slot {
    uint32_t id;
    uint32_t check;
    uint64_t key;
  };
  static Slot make_slot(std::string_view text, uint64_t hash, uint32_t id) {
    const auto check = static_cast<uint32_t>(std::min<size_t>(text.size(), 255)) |
                       static_cast<uint32_t>(hash >> 40) << 8;
    return Slot{id, check, text_key(text)};
  }
  void grow() {
    std::vector<Slot> slots(std::max<size_t>(16, slots_.size() * 2));
    const size_t mask = slots.size() - 1;
    for (uint32_t id = 0; id < hashes_.size(); ++id) {
      size_t i = hashes_[id] & mask;
      while (slots[i].id != 0) i = (i + 1) & mask;
      slots[i] = make_slot(text(id), hashes_[id], id + 1);
    }
    slots_.swap(slots);
  }

  std::string arena_;             // the texts, one after the other
  std::vector<uint64_t> hashes_;  // per id
  std::vector<uint64_t> counts_;  // per id
  std::vector<uint64_t> ends_;    // per id: end of its text in arena_
  std::vector<Slot> slots_;
};

}  // namespace meg::data
