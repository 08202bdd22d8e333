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

// `s` with control characters escaped (\n, \r, \t, \xHH), so a name or value from the
// input quoted in a message keeps it one whole line, NUL included (as meg::Error does).
inline std::string printable(std::string_view s) { return meg::detail::one_line(std::string(s)); }

}  // namespace meg::core
