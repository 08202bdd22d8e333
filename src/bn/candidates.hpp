// What the units of one fit share in their structure search (docs/performance.md, "Wide
// tables"): the pairwise mutual information I(X_i; X_j) of the columns, which no class
// enters, computed once, and from it each column's candidate parents: the
// `parent_candidates` other columns with the largest bias-corrected I(X_i; X_j). A unit
// then counts {Y, X_i, X_j} only for the pairs where one is a candidate of the other, so a
// unit's search costs O(d m) counting passes instead of O(d^2). Columns with more than
// `max_parent_levels` levels are never candidates (nor parents).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "data/dataset.hpp"

namespace meg::bn {

struct SearchHints {
  // Per column, ascending: the columns its parents are searched among; empty = every
  // column (then the search is exactly the unrestricted one).
  std::vector<std::vector<uint32_t>> candidates;
  uint64_t max_parent_levels = UINT64_MAX;
  // Per column: the codes kept as groups in the parent role (bn/parent_groups.hpp), empty
  // for a column of at most max_parent_levels levels. Without any, a column of more
  // levels is no parent and takes none.
  std::vector<std::vector<uint32_t>> groups;
  bool restricted() const { return !candidates.empty(); }
};

// The rows of `data` a search reads, as a dataset of their own: every row, or above
// `limit` a fixed pseudo-random subset of about `limit` (a row is kept when a hash of its
// index falls below limit / rows). Null when `data` is whole and short enough: read as it is.
std::unique_ptr<data::EncodedDataset> row_subset(const data::DatasetView& data, size_t limit);
// The rows (data.row(i), in order) of the positions i in [begin, end) that row_subset keeps
// when data has more than `limit` rows: the lists of consecutive position ranges,
// concatenated in order, are its rows (a caller may hash its ranges apart).
std::vector<data::RowIndex> subset_rows(const data::DatasetView& data, size_t limit, size_t begin,
                                        size_t end);

// I(X_i; X_j) - (r_i - 1)(r_j - 1) / (2 n) (the Miller-Madow bias of the plug-in estimate)
// for every pair, d x d row-major, 0 on the diagonal; on at most 2^14 rows (row_subset).
// O(d^2 min(n, 2^14)), pairs in parallel; the result does not depend on `threads`.
// With `groups` (parent_groups.hpp), a grouped column enters by its group codes.
std::vector<double> pairwise_mutual_info(
    const data::DatasetView& data, int threads,
    const std::vector<std::vector<uint32_t>>* groups = nullptr);

// Each column's `m` candidates (ascending index) by the matrix above, ties to the smaller
// index, among the columns with at most `max_parent_levels` levels. With m >= d - 2 (every
// other feature of a unit fits) the hints are unrestricted (empty candidates).
SearchHints make_search_hints(const std::vector<double>& mi,
                              const std::vector<uint32_t>& cardinality, size_t m,
                              uint64_t max_parent_levels);

}  // namespace meg::bn
