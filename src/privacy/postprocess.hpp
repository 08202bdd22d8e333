// Post-processing of noisy counts: no data is read here, so nothing costs privacy. These
// are the consistency steps of the DP fit's plan (docs/privacy.md, section 7.2): a noise
// floor, inverse-variance averages of several noisy estimates of one marginal, and raking
// (iterative proportional fitting) of a noisy table to agreed margins.
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace meg::privacy {

// A dense table over `dims`, row-major (the last axis varies fastest).
struct DenseTable {
  std::vector<size_t> dims;
  std::vector<double> cells;
  // Sums over every axis but `axis`.
  std::vector<double> margin(size_t axis) const;
};

// Noisy integer counts as non-negative reals: cells below `floor` (e.g. 1 or 2 noise standard
// deviations; 0 only clips negatives) become 0.
std::vector<double> floor_counts(const std::vector<int64_t>& noisy, double floor);

// The inverse-variance weighted average of estimates of one vector: estimates[i][j] with
// variance variances[i][j] > 0. The result's variance is 1 / sum_i 1 / variances[i][j].
std::vector<double> inverse_variance_average(const std::vector<std::vector<double>>& estimates,
                                             const std::vector<std::vector<double>>& variances);

// Scales the table so that each listed axis has the given margin (targets with one common
// total), by iterative proportional fitting until every margin is within `tol` (relative to
// the total) or `max_sweeps` sweeps. Zero cells stay zero; a target value on a slice with no
// positive cell cannot be met and is left unmet (the table's total then falls short). Returns
// the largest remaining margin error over the slices that hold mass, relative to the total.
double rake(DenseTable& table, const std::vector<std::pair<size_t, std::vector<double>>>& targets,
            int max_sweeps = 100, double tol = 1e-9);

}  // namespace meg::privacy
