// Privacy: does the synthetic table copy real train rows, or sit closer to
// them than genuinely new real rows (the test table) do?
//
// Exact copy: a row whose every cell equals a train row's (numbers compared as
// parsed values, so "40" == "40.0"; missing == missing), over ALL rows.
// Distance to closest record (DCR): Euclidean distance to the nearest train
// row in a one-hot + scaled space: a numeric difference is divided by the
// train range (max - min), numeric missing vs present counts 1, and a
// categorical mismatch counts 1 (one-hot scaled by 1/sqrt 2). Queries are a
// seeded subsample of at most `max_queries` rows; the reference is the whole
// train table (so a copied row always has DCR 0).
#pragma once
#include <cstdint>
#include <vector>

#include "eval/prepared.hpp"

namespace meg::eval {

// Share of the rows of `t` that equal some row of `train`.
double exact_copy_rate(const PreparedTable& train, const PreparedTable& t);

// How many rows of `rows` have an equal row in `in`, matched one to one (a row
// of `rows` that occurs twice needs two equal rows in `in`).
size_t rows_contained(const PreparedTable& rows, const PreparedTable& in);

// The space of the distance to closest record: numbers divided by the train
// range (missing vs present = 1), categorical codes compared for equality.
class DistanceSpace {
 public:
  DistanceSpace(const Preprocessor& pre, const PreparedTable& train);
  // For each listed row of `queries`, the Euclidean distance to its nearest
  // listed row of `reference` (+inf when there is none). O(queries x reference x
  // columns) time (stopping early once a row is farther than the best so far),
  // O((queries + reference) x columns) memory; parallel over queries.
  std::vector<double> nearest(const PreparedTable& reference, const std::vector<size_t>& ref_rows,
                              const PreparedTable& queries, const std::vector<size_t>& query_rows,
                              int threads) const;

 private:
  void pack(const PreparedTable& t, const std::vector<size_t>& rows, std::vector<double>& num,
            std::vector<uint32_t>& cat) const;
  std::vector<size_t> num_cols_, cat_cols_;
  std::vector<double> inv_range_;
};

// DCR of (up to max_queries sampled) rows of `queries` to `train`, ascending.
std::vector<double> distances_to_closest(const Preprocessor& pre, const PreparedTable& train,
                                         const PreparedTable& queries, size_t max_queries,
                                         uint64_t seed, int threads);

// 0, 1, ..., n - 1.
std::vector<size_t> all_rows(size_t n);

// Linear-interpolated quantile of ascending values (q in [0, 1]).
double quantile_sorted(const std::vector<double>& sorted, double q);

// Up to k distinct indices of [0, n), seeded, in ascending order (all when n <= k).
std::vector<size_t> sample_indices(size_t n, size_t k, uint64_t seed);

}  // namespace meg::eval
