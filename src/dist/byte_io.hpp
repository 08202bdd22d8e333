// The byte format of what ranks send each other (a rank's rows, its profiles' summaries
// and codes): fields appended to one buffer, each padded to 8 bytes so every field is
// aligned, and read back in the same order with the sizes checked.
#pragma once
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "data/dataset.hpp"
#include "meg/error.hpp"

namespace meg::dist {

class Writer {
 public:
  void put(const void* p, size_t n) {
    const auto* c = static_cast<const char*>(p);
    out.insert(out.end(), c, c + n);
    while (out.size() % 8 != 0) out.push_back(0);  // keeps every field 8-byte aligned
  }
  void u64(uint64_t v) { put(&v, sizeof v); }
  // A code column: its width, then its codes.
  void codes(const data::CodeColumn& codes) {
    u64(static_cast<uint64_t>(codes.width()));
    codes.visit([&](auto span) { put(span.data(), span.size_bytes()); });
  }
  std::vector<char> out;
};

class Reader {
 public:
  explicit Reader(std::span<const char> in) : in_(in) {}
  void get(void* p, size_t n) {
    if (at_ + n > in_.size()) throw Error("distributed read: a rank's rows arrived truncated");
    std::memcpy(p, in_.data() + at_, n);
    at_ += (n + 7) / 8 * 8;
  }
  uint64_t u64() {
    uint64_t v = 0;
    get(&v, sizeof v);
    return v;
  }
  // A code column of `rows` codes (Writer::codes).
  data::CodeColumn codes(uint64_t rows) {
    const uint64_t width = u64();
    data::CodeColumn codes(width == 1 ? 1 : width == 2 ? 65536 : uint64_t{1} << 32, rows);
    if (codes.width() != static_cast<int>(width)) throw Error("distributed read: bad code width");
    codes.visit_mut([&](auto span) { get(span.data(), span.size_bytes()); });
    return codes;
  }

 private:
  std::span<const char> in_;
  size_t at_ = 0;
};

}  // namespace meg::dist
