// Small string helpers shared across modules.
#pragma once
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meg/error.hpp"

namespace meg::core {

// Parses a whole string as a finite double (no surrounding spaces accepted).
inline std::optional<double> parse_double(std::string_view s) {
  if (s.empty()) return std::nullopt;
  const char* b = s.data();
  const char* e = b + s.size();
  if (*b == '+') ++b;  // from_chars rejects a leading '+'
  double v = 0;
  auto [p, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || p != e) return std::nullopt;
  if (!(v == v) || v == HUGE_VAL || v == -HUGE_VAL) return std::nullopt;
  return v;
}

inline std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? s.npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

// One step of UTF-8 validation: the sequence that starts at p[0], with `avail` >= 1 bytes
// readable. The only UTF-8 check (the CSV reader's streaming one and the model loader's).
struct Utf8Step {
  enum Kind {
    Ok,               // a valid sequence of `len` bytes
    BadLead,          // p[0] cannot start a sequence
    BadContinuation,  // a byte after the lead is not 10xxxxxx
    Truncated,        // valid so far, but the sequence needs `len` > avail bytes
    BadValue,         // overlong, a surrogate, or above U+10FFFF
  } kind;
  size_t len;
};

inline Utf8Step utf8_step(const unsigned char* p, size_t avail) {
  const unsigned char c = p[0];
  if (c < 0x80) return {Utf8Step::Ok, 1};
  size_t len = 0;
  uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return {Utf8Step::BadLead, 1};
  }
  for (size_t k = 1; k < len && k < avail; ++k) {
    if ((p[k] & 0xC0) != 0x80) return {Utf8Step::BadContinuation, len};
  }
  if (len > avail) return {Utf8Step::Truncated, len};
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (p[k] & 0x3F);
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return {Utf8Step::BadValue, len};
  }
  return {Utf8Step::Ok, len};
}

inline bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0; i < s.size();) {
    const Utf8Step step = utf8_step(p + i, s.size() - i);
    if (step.kind != Utf8Step::Ok) return false;
    i += step.len;
  }
  return true;
}

// `s` with control characters escaped (\n, \r, \t, \xHH), so a name or value from the
// input quoted in a message keeps it one whole line, NUL included (as meg::Error does).
inline std::string printable(std::string_view s) { return meg::detail::one_line(std::string(s)); }

}  // namespace meg::core
