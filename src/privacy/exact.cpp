#include "privacy/exact.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "meg/error.hpp"

namespace meg::privacy {
namespace {

// Bernoulli(exp(-num/den)) for num <= den (gamma in [0, 1]): with K = 1, 2, ... draw
// A_K ~ Bernoulli(gamma / K) until one is 0; the result is 1 iff that K is odd. The
// draw Bernoulli(gamma / K) is Bernoulli(gamma) and Bernoulli(1 / K), independent.
bool bernoulli_exp_unit(SecureRng& rng, u128 num, u128 den) {
  uint64_t k = 1;
  while (bernoulli(rng, num, den) && rng.below(k) == 0) ++k;
  return k % 2 == 1;
}

// Bernoulli(exp(-(whole + rem/den))): whole draws of Bernoulli(exp(-1)) and one of
// Bernoulli(exp(-rem/den)), all of which must be 1.
bool bernoulli_exp_parts(SecureRng& rng, u128 whole, u128 rem, u128 den) {
  for (u128 i = 0; i < whole; ++i) {
    if (!bernoulli_exp_unit(rng, 1, 1)) return false;
  }
  return bernoulli_exp_unit(rng, rem, den);
}

Ratio ratio_rounded(double x, int max_bits, bool up) {
  if (!std::isfinite(x) || x < 0) {
    throw InvalidArgument(
        fmt::format("privacy: parameter {} is not a finite non-negative number", x));
  }
  if (x >= 0x1.0p62) throw InvalidArgument(fmt::format("privacy: parameter {} is too large", x));
  int bits = std::clamp(max_bits, 0, 62);
  while (bits > 0 && std::ldexp(x, bits) >= 0x1.0p62) --bits;
  const double scaled = std::ldexp(x, bits);  // exact: a power-of-two scaling
  Ratio r{static_cast<uint64_t>(up ? std::ceil(scaled) : std::floor(scaled)), uint64_t{1} << bits};
  while (r.den > 1 && r.num % 2 == 0) {  // lowest terms (the denominator is a power of two)
    r.num /= 2;
    r.den /= 2;
  }
  return r;
}

}  // namespace

Ratio ratio_at_least(double x, int max_bits) { return ratio_rounded(x, max_bits, true); }
Ratio ratio_at_most(double x, int max_bits) { return ratio_rounded(x, max_bits, false); }

bool bernoulli(SecureRng& rng, u128 num, u128 den) {
  if (den == 0 || num > den) throw InvalidArgument("privacy: Bernoulli parameter outside [0, 1]");
  if (num == 0) return false;
  if (num == den) return true;
  return rng.below(den) < num;
}

bool bernoulli_exp(SecureRng& rng, u128 num, u128 den) {
  if (den == 0) throw InvalidArgument("privacy: Bernoulli(exp(-x)) with a zero denominator");
  return bernoulli_exp_parts(rng, num / den, num % den, den);
}

bool bernoulli_exp_square(SecureRng& rng, u128 a, u128 b) {
  if (b == 0 || b >> 127 != 0) {
    throw InvalidArgument("privacy: Bernoulli(exp(-a^2/b)) needs 0 < b < 2^127");
  }
  // a^2 = hi * 2^128 + lo, from 64-bit halves.
  const u128 mask = ~uint64_t{0};
  const u128 a1 = a >> 64, a0 = a & mask;
  const u128 p00 = a0 * a0, p01 = a0 * a1, p11 = a1 * a1;
  u128 lo = p00;
  u128 hi = p11;
  // add 2 * p01 * 2^64 into (hi, lo), p01 < 2^128
  for (int rep = 0; rep < 2; ++rep) {
    const u128 add_lo = p01 << 64;
    const u128 add_hi = p01 >> 64;
    const u128 new_lo = lo + add_lo;
    hi += add_hi + (new_lo < lo ? 1 : 0);
    lo = new_lo;
  }
  if (hi == 0) return bernoulli_exp_parts(rng, lo / b, lo % b, b);
  // Long division of (hi, lo) by b: the quotient is at least 2^128 / b, the remainder exact.
  // A quotient at or above 2^128 saturates: it only changes the outcome after 2^128
  // consecutive Bernoulli(exp(-1)) successes.
  bool saturated = hi >= b;
  u128 q = 0, r = hi % b;
  for (int bit = 127; bit >= 0; --bit) {
    r = (r << 1) | ((lo >> bit) & 1);  // r < b < 2^127, so no overflow
    const bool one = r >= b;
    if (one) r -= b;
    if (!saturated) {
      if (q >> 127) saturated = true;
      q = (q << 1) | (one ? 1 : 0);
    }
  }
  if (saturated) q = ~u128{0};
  return bernoulli_exp_parts(rng, q, r, b);
}

uint64_t floor_sqrt_ratio(uint64_t num, uint64_t den) {
  if (den == 0) throw InvalidArgument("privacy: square root of a ratio with a zero denominator");
  // Largest k with k^2 * den <= num, by bisection on k in [0, 2^32].
  uint64_t lo = 0, hi = uint64_t{1} << 32;
  while (hi - lo > 1) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (u128{mid} * mid * den <= num) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo;
}

}  // namespace meg::privacy
