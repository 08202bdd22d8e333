// Sums the counts of one unit across the processes of a distributed fit
// (core::CountReducer): each process counted its share of the rows; afterwards every
// process holds the counts over all rows, exactly those a single process counts
// (integer sums), in the same layout (occurring cells ascending).
//
// Per unit: a sum of the number of cells each feature has on each process (8 bytes a
// feature), then one sum of a dense vector: for every feature whose table has at most
// kReduceDenseCells cells (C * r_x * the parents' cardinalities) and for which that is
// cheaper than its occurring cells, one uint32 per cell (two with a held-out mask: all
// rows and the masked rows), then the class counts (C, or 2 C). The other features are
// merged sparse: their occurring cells (24 bytes each) are allgathered and summed, one
// allgather per unit that has such a feature. A unit's traffic is thus at most the
// dense tables' size (independent of the rows) for tables up to kReduceDenseCells, and
// small on few rows. The choice depends only on the structure, the cardinalities and
// the summed cell numbers, so every process makes the same calls.
#pragma once
#include <cstdint>
#include <vector>

#include "bn/feature_counts.hpp"
#include "bn/kdb_structure.hpp"
#include "core/count_reducer.hpp"

namespace meg::bn {

inline constexpr uint64_t kReduceDenseCells = uint64_t{1} << 22;

// features: structure order, as UnitCounts::count made them over this process's rows;
// `masked`: whether a held-out mask was counted. Replaces every count by its sum over
// the processes.
void reduce_unit_counts(core::CountReducer& reducer, const KdbStructure& structure,
                        const std::vector<uint32_t>& cardinality, bool masked,
                        std::vector<FeatureCounts>& features, std::vector<uint64_t>& class_all,
                        std::vector<uint64_t>& class_masked);

}  // namespace meg::bn
