// kDB structure learning (docs/design.md §3): features ordered by I(X;Y), each
// feature takes up to k parents among the features placed before it, chosen by
// I(X_i;X_j|Y), most informative first (hierarchical smoothing backs off by
// dropping the last parent). Ties break by ascending column index. A parent whose addition
// would make the parent-configuration count exceed `max_parent_configs` is
// skipped: such configuration spaces are never created.
//
// StructureSearch::Greedy keeps the class as the root and the limit of k
// parents, but aims at the likelihood of the whole network, sum_X I(X; Pa(X)|Y):
// after the feature with the largest I(X;Y), the next feature is the one with
// the strongest link I(X_i;X_j|Y) to a placed feature (Prim's order, as in
// TAN), and its parents are added one at a time, each the placed feature with
// the largest I(X; P | Y, parents so far) minus (new free parameters) / n, the
// AIC penalty with parameters counted as observed cells; a feature stops
// taking parents when no candidate improves the AIC. On the bundled data this
// wins held-out log-likelihood on every dataset (BENCHMARKS.md).
//
// With SearchHints (bn/candidates.hpp), shared by the units of a fit: a column of more
// than max_parent_levels levels is no parent and takes none, and with restricted hints
// only the pairs where one column is a candidate of the other are counted and linked
// (Prim's order, parents); unrestricted hints give exactly the search without them.
// With grouped hints (hints.groups, docs/performance.md "High-cardinality columns") such a
// column instead enters the search through its grouped codes (its most frequent levels and
// one "other" group): it may be a parent, its grouped version standing in the parent's
// configuration, and may take parents as a child while its parent configurations times its
// levels stay within high_card_child_configs; the structure keeps the groups of the
// columns that are parents.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "meg/options.hpp"

namespace meg::bn {

struct SearchHints;  // bn/candidates.hpp

// The search reads at most this many rows: above it, a fixed pseudo-random subset of
// about this many (a row is kept when a hash of its index falls below the fraction).
// Its information quantities are then estimated to about 1 / sqrt(2^16) of their
// scale, its AIC penalty is the subset's, and it costs the same at any table length
// (docs/performance.md).
inline constexpr size_t kSearchRows = size_t{1} << 16;

struct KdbStructure {
  size_t class_col = 0;
  size_t num_cols = 0;
  std::vector<uint32_t> order;  // feature columns, parents before children
  std::vector<std::vector<uint32_t>>
      parents;             // per table column, most informative first; empty for the class
  std::vector<double> mi;  // I(X_c; Y) per table column (for inspect)
  // Per table column: empty, or the codes that keep a group of their own in the parent
  // role (ascending); every other code of the column is the last group, "other". Only
  // columns that are parents are grouped; a model without groups is the format-2 one.
  std::vector<std::vector<uint32_t>> groups;

  bool grouped() const {
    for (const auto& g : groups) {
      if (!g.empty()) return true;
    }
    return false;
  }
  // Codes column c takes as a parent: its groups, or its cardinality (at least 1).
  uint32_t parent_card(size_t c, uint32_t card) const {
    return c < groups.size() && !groups[c].empty() ? static_cast<uint32_t>(groups[c].size() + 1)
                                                   : std::max<uint32_t>(card, 1);
  }
  // Code -> parent code of column c (of `card` codes); empty when c is not grouped.
  std::vector<uint32_t> group_map(size_t c, uint32_t card) const;

  // `searched`: the rows the search reads, made by the caller (the rows of `data` that
  // row_subset(data, kSearchRows) keeps, or `data` itself when it holds at most that many):
  // units searched on the same rows then pick them once. Null: picked here.
  static KdbStructure learn(const data::DatasetView& data, size_t class_col, int k,
                            long max_parent_configs, int threads,
                            StructureSearch search = StructureSearch::Kdb,
                            const SearchHints* hints = nullptr,
                            const data::DatasetView* searched = nullptr);

  nlohmann::json to_json() const;
  // Validates against the column cardinalities (indices, acyclic order, limits).
  static KdbStructure from_json(const nlohmann::json& j, const std::vector<uint32_t>& cardinality);
};

}  // namespace meg::bn
