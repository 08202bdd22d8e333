#include "privacy/noise.hpp"

#include <cmath>

#include <fmt/format.h>

#include "meg/error.hpp"

namespace meg::privacy {
namespace {

// Draws beyond this magnitude are rejected and redrawn; their probability is below
// exp(-2^22) for every scale the samplers accept.
constexpr uint64_t kMaxMagnitude = uint64_t{1} << 62;

}  // namespace

int64_t sample_discrete_laplace(SecureRng& rng, uint64_t t, uint64_t s) {
  if (t == 0 || s == 0) throw InvalidArgument("privacy: discrete Laplace needs s, t >= 1");
  while (true) {
    // X = U + t V is geometric with P(X = x) proportional to exp(-x / t): U uniform in
    // [0, t) kept with probability exp(-U / t), V geometric with ratio exp(-1).
    const uint64_t u = rng.below(t);
    if (!bernoulli_exp(rng, u, t)) continue;
    u128 v = 0;
    while (bernoulli_exp(rng, 1, 1)) ++v;
    const u128 x = u128{u} + u128{t} * v;
    const u128 y = x / s;  // geometric with ratio exp(-s / t)
    const bool negative = rng.below(uint64_t{2}) == 1;
    if (negative && y == 0) continue;  // zero would otherwise be counted twice
    if (y >= kMaxMagnitude) continue;
    const auto magnitude = static_cast<int64_t>(y);
    return negative ? -magnitude : magnitude;
  }
}

DiscreteLaplace::DiscreteLaplace(double scale) {
  if (!(scale > 0) || scale > 0x1.0p40) {
    throw InvalidArgument(
        fmt::format("privacy: discrete Laplace scale {} is not in (0, 2^40]", scale));
  }
  scale_ = ratio_at_least(scale, 20);
}

int64_t DiscreteLaplace::operator()(SecureRng& rng) const {
  return sample_discrete_laplace(rng, scale_.num, scale_.den);
}

double DiscreteLaplace::variance() const {
  const double p = std::exp(-1.0 / scale_.value());
  return 2.0 * p / ((1.0 - p) * (1.0 - p));
}

DiscreteGaussian::DiscreteGaussian(double sigma2) {
  if (!(sigma2 > 0) || sigma2 >= 0x1.0p60) {
    throw InvalidArgument(
        fmt::format("privacy: discrete Gaussian variance {} is not in (0, 2^60)", sigma2));
  }
  // The acceptance test divides by 2 num den t^2 ~ 2 sigma^4 den^2: keep it below 2^126.
  for (int bits = 32; bits >= 0; --bits) {
    const Ratio r = ratio_at_least(sigma2, bits);
    const uint64_t t = floor_sqrt_ratio(r.num, r.den) + 1;
    u128 d = 0;
    if (!__builtin_mul_overflow(u128{2} * r.num, u128{r.den}, &d) &&
        !__builtin_mul_overflow(d, u128{t} * t, &d) && (d >> 126) == 0) {
      sigma2_ = r;
      t_ = t;
      accept_den_ = d;
      return;
    }
  }
  throw InvalidArgument(fmt::format("privacy: discrete Gaussian variance {} is too large", sigma2));
}

int64_t DiscreteGaussian::operator()(SecureRng& rng) const {
  // Algorithm 3 of CKS 2020: propose Y from the discrete Laplace with scale t, accept with
  // probability exp(-(|Y| - sigma^2/t)^2 / (2 sigma^2)) = exp(-a^2 / b), where
  // a = |Y| t den - num and b = 2 num den t^2.
  const u128 step = u128{t_} * sigma2_.den;
  while (true) {
    const int64_t y = sample_discrete_laplace(rng, t_, 1);
    const u128 mag = y < 0 ? uint64_t{0} - static_cast<uint64_t>(y) : static_cast<uint64_t>(y);
    u128 scaled = 0;
    if (__builtin_mul_overflow(mag, step, &scaled)) continue;  // exp(-a^2/b) ~ 0: reject
    const u128 a = scaled >= sigma2_.num ? scaled - sigma2_.num : sigma2_.num - scaled;
    if (bernoulli_exp_square(rng, a, accept_den_)) return y;
  }
}

}  // namespace meg::privacy
