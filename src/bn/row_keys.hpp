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

// keys[i] = sum over q of code(cols[q], begin + i) * prod_{q' > q} radix[q'] for the view
// rows [begin, end): the first column most significant, so with radix[q] the column's
// cardinality a key is below the product of the radices. No columns: zero keys. With
// maps (one per column, null or empty: none), column q's code v counts as (*maps[q])[v].
// Key: uint64_t, or uint32_t when the product of the radices is at most 2^32 (the same
// keys in half the bytes; SSE2 multiplies 32-bit lanes four at a time, 64-bit ones not).
using CodeMaps = std::span<const std::vector<uint32_t>* const>;
template <class Key>
void block_keys(const data::DatasetView& view, size_t begin, size_t end,
                std::span<const uint32_t> cols, std::span<const uint64_t> radix,
                std::vector<uint32_t>& scratch, Key* keys, CodeMaps maps = {}) {
  const size_t len = end - begin;
  std::fill(keys, keys + len, 0);
  for (size_t q = 0; q < cols.size(); ++q) {
    const auto r = static_cast<Key>(radix[q]);
    const std::vector<uint32_t>* map = q < maps.size() ? maps[q] : nullptr;
    view.visit(cols[q], begin, end, scratch, [&](auto codes) {
      if (map && !map->empty()) {
        const uint32_t* m = map->data();
        for (size_t i = 0; i < len; ++i) keys[i] = keys[i] * r + m[codes[i]];
      } else {
        for (size_t i = 0; i < len; ++i) keys[i] = keys[i] * r + codes[i];
      }
    });
  }
}

// Calls fn(begin, keys) for consecutive blocks of the view's rows, keys as in block_keys
// (uint32_t keys: the caller makes sure the product of the radices is at most 2^32).
template <class Key = uint64_t, class Fn>
void for_each_key_block(const data::DatasetView& view, std::span<const uint32_t> cols,
                        std::span<const uint64_t> radix, Fn&& fn, CodeMaps maps = {}) {
  const size_t n = view.num_rows();
  std::vector<Key> keys(std::min(n, kKeyBlockRows));
  std::vector<uint32_t> scratch;
  for (size_t begin = 0; begin < n; begin += kKeyBlockRows) {
    const size_t end = std::min(n, begin + kKeyBlockRows);
    block_keys(view, begin, end, cols, radix, scratch, keys.data(), maps);
    fn(begin, std::span<const Key>(keys.data(), end - begin));
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
