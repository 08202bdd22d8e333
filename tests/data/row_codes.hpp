// Row-major codes for decoding tests of the row model: a built table's own rows, or rows
// of independent random bins (rows no network would make: the rules must hold anyway).
#pragma once
#include <vector>

#include "core/rng.hpp"
#include "data/table_builder.hpp"

namespace meg::data::test {

inline std::vector<Code> own_codes(const BuiltTable& t) {
  const size_t d = t.data.columns.size(), n = t.rows;
  std::vector<Code> codes(n * d);
  for (size_t c = 0; c < d; ++c)
    for (size_t r = 0; r < n; ++r) codes[r * d + c] = t.data.columns[c][r];
  return codes;
}

inline std::vector<Code> random_codes(const BuiltTable& t, size_t n, uint64_t seed) {
  const size_t d = t.codec.num_cols();
  core::Rng rng(seed);
  std::vector<Code> codes(n * d);
  for (size_t r = 0; r < n; ++r)
    for (size_t c = 0; c < d; ++c)
      codes[r * d + c] = static_cast<Code>(rng.below(t.codec.column(c).cardinality()));
  return codes;
}

}  // namespace meg::data::test
