// Exact Bernoulli draws with rational parameters, without floating point: Bernoulli(p) for
// a fraction p and Bernoulli(exp(-gamma)) for a rational gamma, by the von Neumann-style
// procedure of Canonne, Kamath & Steinke, "The Discrete Gaussian for Differential Privacy"
// (2020). The noise samplers (noise.hpp) and the exponential mechanism
// (selection.hpp) are built on these, so no privacy guarantee depends on how a double
// rounds (Mironov, "On Significance of the Least Significant Bits for Differential
// Privacy", 2012).
#pragma once
#include <cstdint>

#include "privacy/secure_rng.hpp"

namespace meg::privacy {

// A non-negative rational num / den (den > 0), the parameter type of the samplers.
struct Ratio {
  uint64_t num = 0;
  uint64_t den = 1;
  double value() const { return static_cast<double>(num) / static_cast<double>(den); }
};

// The smallest num / 2^b >= x (ratio_at_least) or the largest <= x (ratio_at_most), with b
// the largest of at most `max_bits` bits that keeps num below 2^62. Rounding the noise
// scale up (or a privacy parameter down) keeps a guarantee computed from x valid.
// Throws InvalidArgument for a negative, infinite or NaN x, or one too large to represent.
Ratio ratio_at_least(double x, int max_bits = 32);
Ratio ratio_at_most(double x, int max_bits = 32);

// Bernoulli(num / den), num <= den, den > 0.
bool bernoulli(SecureRng& rng, u128 num, u128 den);

// Bernoulli(exp(-num / den)), den > 0.
bool bernoulli_exp(SecureRng& rng, u128 num, u128 den);

// Bernoulli(exp(-a^2 / b)) for 0 < b < 2^127: a^2 is formed in 256 bits, so the discrete
// Gaussian's acceptance test needs no rounding.
bool bernoulli_exp_square(SecureRng& rng, u128 a, u128 b);

// Floor of the square root of num / den (den > 0).
uint64_t floor_sqrt_ratio(uint64_t num, uint64_t den);

}  // namespace meg::privacy
