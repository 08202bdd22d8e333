#include "privacy/selection.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "meg/error.hpp"

namespace meg::privacy {

size_t exponential_mechanism_units(SecureRng& rng, size_t m,
                                   const std::function<int64_t(size_t)>& utility, int64_t best,
                                   const Ratio& rate) {
  if (m == 0) throw InvalidArgument("privacy: exponential mechanism over no candidates");
  if (rate.den == 0)
    throw InvalidArgument("privacy: exponential mechanism rate has no denominator");
  while (true) {
    const size_t i = rng.below(uint64_t{m});
    const int64_t u = utility(i);
    if (u > best) throw InvalidArgument("privacy: exponential mechanism utility above its maximum");
    const uint64_t gap = static_cast<uint64_t>(best) - static_cast<uint64_t>(u);
    if (bernoulli_exp(rng, u128{gap} * rate.num, rate.den)) return i;
  }
}

size_t exponential_mechanism_units(SecureRng& rng, const std::vector<int64_t>& utility,
                                   const Ratio& rate) {
  if (utility.empty()) throw InvalidArgument("privacy: exponential mechanism over no candidates");
  const int64_t best = *std::max_element(utility.begin(), utility.end());
  return exponential_mechanism_units(
      rng, utility.size(), [&](size_t i) { return utility[i]; }, best, rate);
}

size_t exponential_mechanism(SecureRng& rng, const std::vector<double>& scores, double epsilon,
                             double sensitivity, double granularity) {
  if (!(epsilon > 0) || !std::isfinite(epsilon) || !(sensitivity > 0) ||
      !std::isfinite(sensitivity) || !(granularity > 0) || !std::isfinite(granularity)) {
    throw InvalidArgument(
        "privacy: exponential mechanism needs finite epsilon, sensitivity and granularity > 0");
  }
  std::vector<int64_t> units(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    const double u = scores[i] / granularity;
    if (!std::isfinite(u) || std::fabs(u) >= 0x1.0p61) {
      throw InvalidArgument(fmt::format(
          "privacy: exponential mechanism score {} is not finite or too large for granularity {}",
          scores[i], granularity));
    }
    units[i] = std::llround(u);
  }
  // Rate per unit: epsilon * granularity / (2 (sensitivity + granularity)), rounded down,
  // with a margin for the rounding of this double expression itself.
  const double rate_per_unit = epsilon * granularity / (2 * (sensitivity + granularity));
  const Ratio rate = ratio_at_most(rate_per_unit * (1 - 1e-12), 48);
  return exponential_mechanism_units(rng, units, rate);
}

}  // namespace meg::privacy
