// High-cardinality columns in the parent role (docs/performance.md, "High-cardinality
// columns"). A column of more than max_parent_levels levels L would multiply every
// configuration space it enters by its levels; as a parent it enters instead through
// its grouped codes: each of its levels holding at least 1/L of the rows (at most L - 1
// of them, the most frequent, ties to the smaller code; at least the most frequent one)
// keeps a group, numbered in ascending code order, and every other level is the last
// group, "other" (as the quantile bins give a value of at least 1/20 of the rows a bin). The groups
// are made once per fit from every row of the table, so all units and every refit read the same
// ones, and a unit's structure stores those of its parents.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "data/dataset.hpp"

namespace meg::bn {

// Per column: empty when it has at most max_parent_levels levels, else its kept codes
// (ascending). One counting pass over the rows of each such column: O(n + r log r).
std::vector<std::vector<uint32_t>> parent_groups(const data::DatasetView& data,
                                                 uint64_t max_parent_levels);

// Code -> group of a column of `card` codes whose kept codes are `kept` (non-empty).
std::vector<uint32_t> group_map(const std::vector<uint32_t>& kept, uint32_t card);

// Replaces, in `ds`, the codes of every grouped column but `keep` by its group codes (and
// its cardinality by the number of groups). O(rows) per grouped column.
void apply_groups(data::EncodedDataset& ds, const std::vector<std::vector<uint32_t>>& groups,
                  size_t keep);

// The rows of `view` as a dataset of their own, grouped as apply_groups does.
data::EncodedDataset grouped_copy(const data::DatasetView& view,
                                  const std::vector<std::vector<uint32_t>>& groups, size_t keep);

// The parent configurations a child of r > max_parent_levels = L levels may take: its
// full-level table holds (configurations x classes) blocks of r values, so the
// configurations are bounded by 4 L^2 / r (at least 1): 23 for 700 levels with L = 64,
// 54 for 300: the cells per class of a 64-level child under a 256-configuration parent set.
double high_card_child_configs(uint64_t r, uint64_t max_parent_levels);

bool any_groups(const std::vector<std::vector<uint32_t>>& groups);

}  // namespace meg::bn
