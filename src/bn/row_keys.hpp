// Mixed-radix keys of several code columns, computed a block of rows at a time and
// a column at a time (each column's loop runs on its own narrow code type).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "data/dataset.hpp"

namespace meg::bn {

// Rows per block of for_each_key_block.
inline constexpr size_t kKeyBlockRows = 4096;

// Calls fn(begin, keys) for consecutive blocks of the view's rows, where
// keys[i] = sum over q of code(cols[q], begin + i) * prod_{q' > q} radix[q'] (the first
// column most significant; with radix[q] = cardinality[cols[q]], a key is below the
// product of the radices). An empty `cols` gives zero keys.
template <class Fn>
void for_each_key_block(const data::DatasetView& view, std::span<const uint32_t> cols,
                        std::span<const uint64_t> radix, Fn&& fn) {
  const size_t n = view.num_rows();
  std::vector<uint64_t> keys(std::min(n, kKeyBlockRows));
  std::vector<uint32_t> scratch;
  for (size_t begin = 0; begin < n; begin += kKeyBlockRows) {
    const size_t end = std::min(n, begin + kKeyBlockRows);
    const size_t len = end - begin;
    std::fill(keys.begin(), keys.begin() + static_cast<long>(len), 0);
    for (size_t q = 0; q < cols.size(); ++q) {
      const uint64_t r = radix[q];
      view.visit(cols[q], begin, end, scratch, [&](auto codes) {
        for (size_t i = 0; i < len; ++i) keys[i] = keys[i] * r + codes[i];
      });
    }
    fn(begin, std::span<const uint64_t>(keys.data(), len));
  }
}

// out[i] = code of column c at view row begin + i, for i < end - begin.
inline void gather_codes(const data::DatasetView& view, size_t c, size_t begin, size_t end,
                         std::vector<uint32_t>& scratch, uint32_t* out) {
  view.visit(c, begin, end, scratch, [&](auto codes) {
    for (size_t i = 0; i < codes.size(); ++i) out[i] = codes[i];
  });
}

}  // namespace meg::bn
