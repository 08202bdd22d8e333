// Mechanisms on counts and on real-valued queries, built on the exact samplers. Counts are
// integers, so integer noise keeps them exact: the released value is count + Z, and every
// later step (clipping at zero, normalising, making marginals agree) is post-processing.
#pragma once
#include <cstdint>
#include <vector>

#include "privacy/noise.hpp"
#include "privacy/secure_rng.hpp"

namespace meg::privacy {

// counts[i] + Z_i, Z_i independent draws of `noise`. With one row changing one count by 1
// (a histogram under add/remove), the L2 sensitivity is 1; a row that touches c cells of a
// set of marginals has L2 sensitivity sqrt(c).
std::vector<int64_t> noisy_counts(SecureRng& rng, const std::vector<int64_t>& counts,
                                  const DiscreteGaussian& noise);
std::vector<int64_t> noisy_counts(SecureRng& rng, const std::vector<int64_t>& counts,
                                  const DiscreteLaplace& noise);

// A real-valued query released on a grid ("snapping"): granularity * (k + Z), with
// k = round(value / granularity) and Z a draw of `noise` (in grid units). Only the integer
// k + Z depends on the data, so no floating-point bit leaks. Charge the noise with
// snapped_sensitivity(sensitivity, granularity), the sensitivity of k.
double snapped_query(SecureRng& rng, double value, double granularity,
                     const DiscreteGaussian& noise);
// Sensitivity in grid units of round(value / granularity): ceil(sensitivity / granularity) + 1.
double snapped_sensitivity(double sensitivity, double granularity);

// P(Z >= k) for Z discrete Gaussian with variance parameter sigma2 (summed numerically in
// long double; used to set thresholds, never to draw noise).
double discrete_gaussian_tail(double sigma2, int64_t k);

// The smallest threshold tau such that a count of 1 plus noise reaches tau with probability
// at most delta: P(Z >= tau - 1) <= delta. Keeping only noisy counts >= tau releases a level
// held by a single row with probability <= delta (the delta of private level selection).
int64_t release_threshold(const DiscreteGaussian& noise, double delta);

}  // namespace meg::privacy
