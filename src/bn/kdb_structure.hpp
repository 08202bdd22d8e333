// kDB structure learning (ALGORITHM.md §2): features ordered by I(X;Y), each
// feature takes up to k parents among the features placed before it, chosen by
// I(X_i;X_j|Y). Ties break by ascending column index. A parent whose addition
// would make the parent-configuration count exceed `max_parent_configs` is
// skipped (DECISIONS.md: such configuration spaces are never created).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"

namespace meg::bn {

struct KdbStructure {
  size_t class_col = 0;
  size_t num_cols = 0;
  std::vector<uint32_t> order;                 // feature columns, parents before children
  std::vector<std::vector<uint32_t>> parents;  // per table column, ascending; empty for the class
  std::vector<double> mi;                      // I(X_c; Y) per table column (for inspect)

  static KdbStructure learn(const data::EncodedDataset& data, size_t class_col, int k,
                            long max_parent_configs, int threads);

  nlohmann::json to_json() const;
  // Validates against the column cardinalities (indices, acyclic order, limits).
  static KdbStructure from_json(const nlohmann::json& j, const std::vector<uint32_t>& cardinality);
};

}  // namespace meg::bn
