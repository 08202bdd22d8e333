// Number formatting shared by the text and the HTML renderings.
#pragma once
#include <cmath>
#include <string>

#include <fmt/format.h>

namespace meg::report {

// `v` with `digits` decimals (and a sign when `sign`), or `undefined` when v is
// NaN or infinite (a score that does not exist, null in JSON).
inline std::string format_number(double v, int digits, const char* undefined, bool sign = false) {
  if (!std::isfinite(v)) return undefined;
  return sign ? fmt::format("{:+.{}f}", v, digits) : fmt::format("{:.{}f}", v, digits);
}

// `v` with `digits` significant digits (for errors in the target's own unit),
// or `undefined`.
inline std::string format_significant(double v, int digits, const char* undefined,
                                      bool sign = false) {
  if (!std::isfinite(v)) return undefined;
  return sign ? fmt::format("{:+.{}g}", v, digits) : fmt::format("{:.{}g}", v, digits);
}

}  // namespace meg::report
