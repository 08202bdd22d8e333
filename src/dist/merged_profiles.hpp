// The profiles of a distributed fit's table, merged across the ranks: each rank
// profiles only its own rows, the ranks exchange the profiles' summaries (per column
// its distinct texts with their counts, in order of first appearance) and merge them in
// rank order, which is table order, into the profiles one pass over the whole table
// makes (data::ColumnProfile::take_part); each rank maps its rows' provisional codes to
// the merged ones, and those codes are allgathered. Every rank then builds the plain
// fit's schema, codecs, row model and codes from the merged profiles
// (data::build_from_profiles), without reading or profiling another rank's rows
// (docs/distributed.md, "Profiles merged").
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/table_builder.hpp"
#include "dist/range_rows.hpp"

namespace meg::dist {

using Profiles = std::vector<std::unique_ptr<data::ColumnProfile>>;

// Collective. `mine`: this rank's parts, in table order (left as they were when the
// merge fails: the fallback needs them). Returns every column's profile of the whole
// table with its codes, or nullopt on every rank when a column cannot be merged exactly —
// a rank's cell the schema refuses, or a numeric column one pass would have sampled
// (more than limits.exact_distinct distinct numbers): the caller then gathers the rows
// and builds the table in one pass. `sent`: the bytes this rank contributed to the
// allgathers, summed over the ranks.
std::optional<Profiles> merge_profiles(const std::string& name,
                                       const std::vector<std::string>& header,
                                       std::vector<RankRows>& mine,
                                       const data::BuildOptions& options, uint64_t* sent);

}  // namespace meg::dist
