// Choosing the hierarchical smoothing strength m by distance to the training
// rows (FitOptions::smoothing_select = distance).
//
// Held-out log-likelihood prefers strong smoothing (m up to 256 on Adult),
// and sampling from a strongly smoothed network weakens every dependence the
// back-off drops: pairwise dependence error 0.036 and detection 0.59 on Adult
// against 0.022 and 0.55 with m = 1 at k = 3 (BENCHMARKS.md). Too little
// smoothing on a small table copies its rows instead. The rule: the sharpest m
// of the grid whose synthetic rows are, on average, no closer to the training
// rows than held-out real rows are. Distance is the number of differing codes
// (Hamming distance on the encoded columns) to the nearest training row.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"

namespace meg::ensemble {

// Candidate strengths, sharpest first.
const std::vector<double>& distance_grid();

// The search over the grid: the sharpest strength first (it passes on large
// tables), then the smoothest (if it fails, none will), then bisection between
// a failing and a passing strength — at most 2 + log2(grid) calls of
// `distance_at(i)`, which fits with grid[i] and returns the mean distance of
// the mixture's rows. Returns the index of the sharpest passing strength found
// (distance >= holdout) or grid.size(); that strength was evaluated, though not
// necessarily last. Each call is appended to `tried` as {m, distance}.
size_t search_strength(double holdout, const std::function<double(size_t i)>& distance_at,
                       nlohmann::json& tried);

// Nearest-training-row distances against a fixed reference table.
class DistanceProbe {
 public:
  // `reference`: the rows the units were fitted on; `holdout`: real rows they
  // never saw (the first `max_queries` are used). Above `max_reference` rows the
  // reference is a seeded subset of about that many: held-out and synthetic rows
  // are measured against the same subset, so the comparison stays fair, and a
  // probe costs the same at any table length.
  DistanceProbe(const data::DatasetView& reference, const data::DatasetView& holdout,
                size_t max_queries, int threads, size_t max_reference = kMaxReference,
                uint64_t seed = 0);

  static constexpr size_t kMaxReference = size_t{1} << 16;

  size_t queries() const { return queries_; }
  double holdout_mean() const { return holdout_mean_; }
  // Mean distance from each of `n` row-major rows (num_cols codes each) to its
  // nearest reference row. Does not depend on `threads`. In a distributed fit
  // (core/count_reducer.hpp) a collective: each process measures its share of the rows.
  double mean_distance(const data::Code* rows, size_t n) const;

 private:
  size_t num_cols_ = 0;
  size_t queries_ = 0;
  // The sum over `n` row-major rows of the distance to the nearest reference row.
  uint64_t nearest_total(const data::Code* rows, size_t n) const;
  // The row's codes, eight to a word (every code below 256).
  void pack(const data::Code* row, uint64_t* words) const;
  // The number of non-zero bytes of x.
  static uint32_t differing_bytes(uint64_t x);

  std::vector<data::Code> reference_;  // row-major
  size_t words_ = 0;                   // words a packed row; 0: codes do not fit a byte
  std::vector<uint64_t> packed_;       // reference rows packed, when words_ > 0
  double holdout_mean_ = 0.0;
  int threads_ = 1;
};

}  // namespace meg::ensemble
