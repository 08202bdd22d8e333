// Id columns (docs/data.md, "Column roles"): unique keys that are not modelled. The codec
// has one code (two when the column has missing cells), so the networks spend nothing on
// it, and decoding gives row r of a sample a fresh id:
//
//  - the shape: integer ids take values in [lo, lo + size) (lo the smallest training id,
//    size at least 64x the ids, kept within the digit count when every id has the same);
//    text ids keep the most common length, the characters that never vary, and at each
//    varying position the character classes seen there (digits, a-f, g-z, A-F, G-Z, and
//    any other character seen); constant digits left of varying ones vary too, right to
//    left, until the shape holds 64x the ids;
//  - a keyed permutation pi of [0, size) (a Feistel network with cycle walking);
//  - the exclusion set E = pi^-1(position of every training id of that shape), sorted:
//    row r gets pi(j) for j the r-th number of [0, size) not in E. So ids are unique within
//    a sample, never a training id, and row r's id depends only on (model, r).
// A text shape with more than 2^62 values keeps its last varying positions in the
// permutation and fills the others from a keyed hash of the row.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "data/codec.hpp"

namespace meg::data {

// The ids' shape without any training id (also what a private fit could be given).
struct IdShape {
  bool integer = false;
  int64_t lo = 0;                      // integer: first value
  std::string pattern;                 // text: the characters (constants; varying positions: any)
  std::vector<std::string> alphabets;  // text: per position, sorted; empty = constant
  uint64_t size = 0;                   // values in the permuted part
};

// Whether the distinct non-missing texts look like keys: see column_roles.cpp.
std::unique_ptr<ColumnCodec> fit_id_codec(const std::vector<std::string_view>& ids,
                                          const std::vector<uint64_t>& missing_counts,
                                          const ColumnSchema& schema, uint64_t seed);
std::unique_ptr<ColumnCodec> id_codec_from_json(const nlohmann::json& j);

// The shape the ids fit (exposed for tests).
IdShape id_shape(const std::vector<std::string_view>& ids);

}  // namespace meg::data
