// One pass over the rows counting a kDB feature: how often each (full parent
// configuration, class, value) cell occurs, over all rows and over the rows a mask
// marks (the held-out rows of a fit), so that the counts of both the unmasked rows and
// all rows come from one pass. Lower levels (fewer parents) are sums of these cells,
// so no other pass over the rows is needed (cpt.hpp).
//
// Cost: one key computation and one increment per row (the key is built a column at
// a time over blocks of rows, on the narrow codes). Memory: a dense table of the cells
// when their number is at most about 4 per row (and at most 2^22), else a hash table of
// the cells that occur; the result holds each occurring cell once (24 bytes).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "bn/kdb_structure.hpp"
#include "data/dataset.hpp"

namespace meg::bn {

struct FeatureCounts {
  // Occurring cells, ascending by (config, cls, value).
  std::vector<uint64_t> config;  // full parent configuration (mixed radix, first parent first)
  std::vector<uint32_t> cls, value;
  std::vector<uint32_t> all;     // count over every row
  std::vector<uint32_t> masked;  // count over the masked rows (<= all)
  size_t size() const { return config.size(); }
};

// Counts column x_col given the class column class_col and the parents (in that order of
// significance) over the rows of `data`; mask[i] != 0 marks view row i (null: none).
// Codes must be below `cardinality`; the configuration space (product of the parents'
// codes) must fit 63 bits. With `groups`, a grouped parent's codes are read as its groups
// (KdbStructure::groups).
FeatureCounts count_feature(const data::DatasetView& data, const std::vector<uint32_t>& cardinality,
                            std::span<const uint32_t> parents, uint32_t class_col, uint32_t x_col,
                            const uint8_t* mask, const KdbStructure* groups = nullptr);

}  // namespace meg::bn
