// Roles that schema inference gives a column beyond categorical / integer / continuous
// (docs/data.md, "Column roles"): dates and times, and ids. Both the in-memory
// infer_schema and the streaming TableBuilder infer through ColumnProfile::infer, which
// asks this (ColumnProfile::infer_role and fit_role are defined in column_roles.cpp), so the
// two agree.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/schema.hpp"

namespace meg::data {

struct ColumnFacts {
  std::vector<std::string_view> texts;  // distinct non-missing texts (exact profile)
  uint64_t present = 0;                 // non-missing cells
  bool all_numbers = false, all_integers = false;
};

// A date/time pattern every text fits (any number of distinct values), or "".
std::string infer_column_format(const ColumnFacts& facts);

// Whether the texts are keys: at least options.min_id_rows present cells, and
//  - integers: all distinct, canonical (no sign '+', no leading zero), and either a dense
//    range (largest - smallest < 4 x count) or one digit count of at least 6 digits;
//  - texts: at least 99% distinct, no whitespace, at most 64 bytes, 90% of one length,
//    not numbers and not dates.
// A measurement column (fractions, varying digit counts over a sparse range) never is.
bool looks_like_ids(const ColumnFacts& facts, const InferOptions& options);

}  // namespace meg::data
