// Exact samplers of integer noise (Canonne, Kamath & Steinke 2020):
// the discrete Laplace, P(z) proportional to exp(-|z| / scale), and the discrete Gaussian,
// P(z) proportional to exp(-z^2 / (2 sigma^2)), over all integers z. Parameters are
// rationals rounded towards more noise, so a guarantee computed from the requested value
// holds for the noise actually drawn.
#pragma once
#include <cstdint>

#include "privacy/exact.hpp"
#include "privacy/secure_rng.hpp"

namespace meg::privacy {

class DiscreteLaplace {
 public:
  // scale > 0 and at most 2^40; rounded up to a rational with a power-of-two denominator.
  explicit DiscreteLaplace(double scale);
  int64_t operator()(SecureRng& rng) const;
  // The scale actually used (>= the requested one).
  const Ratio& scale() const { return scale_; }
  // Variance of the distribution: 2 p / (1 - p)^2 with p = exp(-1 / scale).
  double variance() const;

 private:
  Ratio scale_;
};

// One draw of the discrete Laplace with scale t / s (s, t >= 1), by CKS 2020's algorithm.
int64_t sample_discrete_laplace(SecureRng& rng, uint64_t t, uint64_t s);

class DiscreteGaussian {
 public:
  // sigma2 = sigma^2 > 0 and sigma below 2^30; rounded up to a rational num / den whose
  // acceptance test fits 128-bit arithmetic.
  explicit DiscreteGaussian(double sigma2);
  int64_t operator()(SecureRng& rng) const;
  // sigma^2 actually used (>= the requested one).
  const Ratio& sigma2() const { return sigma2_; }

 private:
  Ratio sigma2_;
  uint64_t t_ = 1;       // floor(sigma) + 1: the scale of the discrete Laplace proposal
  u128 accept_den_ = 1;  // 2 * num * den * t^2
};

}  // namespace meg::privacy
