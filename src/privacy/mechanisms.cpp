#include "privacy/mechanisms.hpp"

#include <cmath>

#include <fmt/format.h>

#include "meg/error.hpp"

namespace meg::privacy {

std::vector<int64_t> noisy_counts(SecureRng& rng, const std::vector<int64_t>& counts,
                                  const DiscreteGaussian& noise) {
  std::vector<int64_t> out(counts.size());
  for (size_t i = 0; i < counts.size(); ++i) out[i] = counts[i] + noise(rng);
  return out;
}

std::vector<int64_t> noisy_counts(SecureRng& rng, const std::vector<int64_t>& counts,
                                  const DiscreteLaplace& noise) {
  std::vector<int64_t> out(counts.size());
  for (size_t i = 0; i < counts.size(); ++i) out[i] = counts[i] + noise(rng);
  return out;
}

double snapped_query(SecureRng& rng, double value, double granularity,
                     const DiscreteGaussian& noise) {
  if (!(granularity > 0) || !std::isfinite(granularity) || !std::isfinite(value) ||
      std::fabs(value / granularity) >= 0x1.0p61) {
    throw InvalidArgument(fmt::format(
        "privacy: snapped query needs a finite value and granularity (value {}, granularity {})",
        value, granularity));
  }
  const int64_t k = std::llround(value / granularity);
  return granularity * static_cast<double>(k + noise(rng));
}

double snapped_sensitivity(double sensitivity, double granularity) {
  if (!(sensitivity >= 0) || !(granularity > 0)) {
    throw InvalidArgument("privacy: snapped sensitivity needs sensitivity >= 0, granularity > 0");
  }
  return std::ceil(sensitivity / granularity) + 1;
}

double discrete_gaussian_tail(double sigma2, int64_t k) {
  if (!(sigma2 > 0)) throw InvalidArgument("privacy: discrete Gaussian tail needs sigma2 > 0");
  const long double s2 = sigma2;
  const auto width = static_cast<int64_t>(std::ceil(40 * std::sqrt(sigma2))) + 50;
  auto w = [&](int64_t z) { return std::exp(-static_cast<long double>(z) * z / (2 * s2)); };
  long double norm = 1;  // z = 0
  for (int64_t z = 1; z <= width; ++z) norm += 2 * w(z);
  long double tail = 0;
  const int64_t from = std::max<int64_t>(k, -width);
  for (int64_t z = from; z <= std::max(from, int64_t{0}) + width; ++z) tail += w(z);
  if (k < -width) tail = norm;  // everything above -width
  return static_cast<double>(std::min<long double>(1, tail / norm));
}

int64_t release_threshold(const DiscreteGaussian& noise, double delta) {
  if (!(delta > 0 && delta < 1)) throw InvalidArgument("privacy: threshold delta not in (0, 1)");
  const double s2 = noise.sigma2().value();
  // The tail decreases in k: find the smallest k >= 1 with P(Z >= k) <= delta.
  int64_t lo = 0, hi = 1;
  while (discrete_gaussian_tail(s2, hi) > delta) hi *= 2;
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    (discrete_gaussian_tail(s2, mid) > delta ? lo : hi) = mid;
  }
  return hi + 1;
}

}  // namespace meg::privacy
