// Private domain helpers: what a differentially private fit needs before it can count —
// the cut points of numeric columns and the levels of categorical ones — when the user has
// not declared them public in a schema file.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "privacy/noise.hpp"
#include "privacy/secure_rng.hpp"

namespace meg::privacy {

// A public grid lo, lo + g, ..., up to hi (at most 2^26 points): the candidates of a
// private quantile and the cells of a noisy histogram. Declared by the user (schema) or
// from public knowledge of the column, never from the data.
struct PublicGrid {
  double lo = 0, hi = 0, step = 1;
  size_t size() const;  // number of grid points
  double at(size_t k) const { return lo + static_cast<double>(k) * step; }
  void validate() const;  // throws InvalidArgument
};

// The q-quantile of `sorted` (ascending) on the grid, by the exponential mechanism over the
// grid points (Smith, "Privacy-preserving statistical estimation with optimal convergence
// rates", 2011): utility -max(0, #{x < c} - q n, q n - #{x <= c}), the number of rows
// between c and an exact q-quantile, which has sensitivity 1 under add/remove (n is not
// needed as a public number); ties such as a point mass at zero are handled exactly.
// epsilon-DP, costs epsilon^2 / 8 in zCDP. Expected cost: (grid points / points near the
// quantile) proposals of O(log n) each.
double private_quantile(SecureRng& rng, const std::vector<double>& sorted, double q,
                        const PublicGrid& grid, double epsilon);

// Counts of `values` in the grid's cells [at(k), at(k+1)) (the last cell closed; values
// beyond the ends clamped in), plus discrete Gaussian noise: L2 sensitivity 1. Clipping at
// zero and cut points from the noisy cumulative counts (equal-frequency bins, point masses)
// are post-processing, so every cut point of a column costs this one measurement.
std::vector<int64_t> noisy_histogram(SecureRng& rng, const std::vector<double>& values,
                                     const PublicGrid& grid, const DiscreteGaussian& noise);

// Private level selection (tau-thresholding): noisy counts of the observed levels, keeping
// those at or above `threshold` (release_threshold(noise, delta) for a delta-bounded
// chance of releasing a level held by one row). Returns the kept indices, ascending, and
// every noisy count. Costs rho = 1 / (2 sigma^2) plus delta (PrivacyLedger::charge_threshold);
// c columns selected at once cost sensitivity sqrt(c) and c times the delta.
struct SelectedLevels {
  std::vector<size_t> kept;
  std::vector<int64_t> noisy;
};
SelectedLevels select_levels(SecureRng& rng, const std::vector<int64_t>& counts,
                             const DiscreteGaussian& noise, int64_t threshold);

}  // namespace meg::privacy
