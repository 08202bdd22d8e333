// Statistical checks for the privacy tests. Every test draws from a seeded SecureRng, so a
// result is deterministic: a bound either holds for that seed or not, it cannot flake. The
// bounds are set at tail probabilities around 1e-6, so a correct sampler passes for
// practically every seed and a biased one fails.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace meg::privacy::testing {

// Upper critical value of the chi-square distribution with k degrees of freedom at
// the one-sided standard-normal quantile z (Wilson-Hilferty; z = 4.75 is p ~ 1e-6).
inline double chi2_critical(double k, double z = 4.75) {
  const double a = 2.0 / (9.0 * k);
  return k * std::pow(1 - a + z * std::sqrt(a), 3);
}

// Pearson's statistic of observed counts against expected probabilities; cells with an
// expected count below 5 are pooled into one. Returns {statistic, degrees of freedom}.
inline std::pair<double, double> chi2_statistic(const std::vector<uint64_t>& observed,
                                                const std::vector<double>& prob, uint64_t n) {
  double stat = 0, pooled_obs = 0, pooled_exp = 0;
  size_t cells = 0;
  double rest = 1.0;
  uint64_t counted = 0;
  for (size_t i = 0; i < observed.size(); ++i) {
    const double e = prob[i] * static_cast<double>(n);
    rest -= prob[i];
    counted += observed[i];
    if (e < 5) {
      pooled_obs += static_cast<double>(observed[i]);
      pooled_exp += e;
      continue;
    }
    stat += (static_cast<double>(observed[i]) - e) * (static_cast<double>(observed[i]) - e) / e;
    ++cells;
  }
  pooled_obs += static_cast<double>(n - counted);  // draws outside the listed cells
  pooled_exp += std::max(0.0, rest) * static_cast<double>(n);
  if (pooled_exp > 0) {
    stat += (pooled_obs - pooled_exp) * (pooled_obs - pooled_exp) / pooled_exp;
    ++cells;
  }
  return {stat, static_cast<double>(cells) - 1};
}

// Wilson score interval of a proportion, at standard-normal quantile z.
struct Interval {
  double lo, hi;
};
inline Interval wilson(uint64_t hits, uint64_t n, double z) {
  const double p = static_cast<double>(hits) / static_cast<double>(n);
  const double nn = static_cast<double>(n);
  const double centre = (p + z * z / (2 * nn)) / (1 + z * z / nn);
  const double half = z / (1 + z * z / nn) * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn));
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

}  // namespace meg::privacy::testing
