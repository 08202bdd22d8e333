// Plug-in (maximum-likelihood) information quantities from contingency counts,
// in nats: MI(X_i; Y) for every feature and CMI(X_i; X_j | Y) for every pair.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "data/dataset.hpp"

namespace meg::bn {

// Entropy (nats) of the joint distribution of a few code columns (indices into the
// view's columns) over the view's rows, with `cards` the radix used for each (at least
// the column's cardinality). Dense counting when the table is small, sort-based otherwise.
double joint_entropy(const data::DatasetView& data, const std::vector<uint32_t>& columns,
                     const std::vector<uint32_t>& cards);

// The same entropy and the number of distinct joint values that occur (for the
// Miller-Madow bias correction H + (cells - 1) / 2n).
struct JointEntropy {
  double h = 0.0;
  uint64_t cells = 0;
};
JointEntropy joint_entropy_cells(const data::DatasetView& data,
                                 const std::vector<uint32_t>& columns,
                                 const std::vector<uint32_t>& cards);

// The occurring cells of the joint counts of a few columns (radix: each column's
// cardinality, at least 1), keys ascending in the mixed radix of `columns` (the first
// most significant), with their counts. Dense counting when the table is small,
// sort-based otherwise, as joint_entropy_cells.
struct JointCounts {
  std::vector<uint32_t> columns;
  std::vector<uint64_t> radix;
  std::vector<uint64_t> key;
  std::vector<uint32_t> count;
};
JointCounts joint_counts(const data::DatasetView& data, const std::vector<uint32_t>& columns);

// joint_entropy_cells(data, order, cards) of the view the counts were taken from, with
// `n` its rows and `order` a permutation of counts.columns, computed from the counts
// (no pass over the rows) and equal to it bit for bit: the c log c terms are added in
// the order of `order`'s keys, as a pass would add them.
JointEntropy entropy_in_order(const JointCounts& counts, const std::vector<uint32_t>& order,
                              size_t n);

// The rows of a view grouped by their joint value of a few columns (ascending in the
// mixed radix of those columns, the first most significant): one sort of the rows, after
// which the entropy of those columns with any one more column costs a gather of that
// column and sorts within the groups, instead of a sort of every row's key.
class RowGroups {
 public:
  RowGroups(const data::DatasetView& data, const std::vector<uint32_t>& columns);
  // joint_entropy_cells(data, columns + {c}, their cardinalities), bit for bit: the c log c
  // terms are added in the same (ascending key) order.
  JointEntropy entropy_with(uint32_t c) const;

 private:
  const data::DatasetView& data_;
  std::vector<uint32_t> rows_;    // view rows, grouped
  std::vector<uint32_t> bounds_;  // group g is rows_[bounds_[g], bounds_[g + 1])
};

// mi[c] = I(X_c; Y) for every column c of `data`, with Y = column class_col
// (mi[class_col] = 0). O(n * D).
std::vector<double> mutual_info_with_class(const data::DatasetView& data, size_t class_col);

// D x D symmetric matrix (row-major) of I(X_i; X_j | Y) for i != j, both not
// the class; other entries 0. O(n * D^2), pairs in parallel; the result does
// not depend on `threads`.
std::vector<double> conditional_mutual_info(const data::DatasetView& data, size_t class_col,
                                            int threads);

}  // namespace meg::bn
