#include <gtest/gtest.h>

#include <map>
#include <tuple>
#include <vector>

#include "bn/feature_counts.hpp"
#include "bn/row_keys.hpp"
#include "core/rng.hpp"

namespace meg::bn {
namespace {

// Random codes: columns of 1-byte and 2-byte codes (cardinalities 2 to 700).
data::EncodedDataset random_table(size_t rows, const std::vector<uint32_t>& cards, uint64_t seed) {
  data::EncodedDataset out;
  core::Rng rng(seed);
  out.cardinality = cards;
  for (uint32_t card : cards) out.columns.emplace_back(card);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cards.size(); ++c)
      out.columns[c].push_back(static_cast<data::Code>(rng.below(cards[c])));
  }
  return out;
}

// 32-bit keys are the 64-bit ones, block by block, with and without code maps, for blocks
// shorter than kKeyBlockRows and a last partial block.
TEST(RowKeys, ThirtyTwoBitKeysAreTheSixtyFourBitKeys) {
  const data::EncodedDataset table = random_table(2 * kKeyBlockRows + 37, {700, 3, 40, 2}, 5);
  const data::DatasetView view(table);
  const std::vector<uint32_t> cols = {0, 1, 2, 3};
  const std::vector<uint64_t> radix = {700, 3, 40, 2};  // 168,000 keys
  std::vector<uint32_t> halve(700), none;
  for (uint32_t v = 0; v < 700; ++v) halve[v] = v / 2;  // a map: 350 groups
  const std::vector<uint64_t> grouped = {350, 3, 40, 2};
  const std::vector<const std::vector<uint32_t>*> maps = {&halve, &none, nullptr, &none};
  for (const bool mapped : {false, true}) {
    const std::vector<uint64_t>& r = mapped ? grouped : radix;
    const CodeMaps m = mapped ? CodeMaps(maps) : CodeMaps();
    std::vector<uint64_t> wide;
    std::vector<uint32_t> narrow;
    for_each_key_block(
        view, cols, r,
        [&](size_t, std::span<const uint64_t> k) { wide.insert(wide.end(), k.begin(), k.end()); },
        m);
    for_each_key_block<uint32_t>(
        view, cols, r,
        [&](size_t, std::span<const uint32_t> k) {
          narrow.insert(narrow.end(), k.begin(), k.end());
        },
        m);
    ASSERT_EQ(wide.size(), view.num_rows());
    ASSERT_EQ(narrow.size(), wide.size());
    for (size_t i = 0; i < wide.size(); ++i) {
      const uint64_t a = table.columns[0][i], b = table.columns[1][i];
      const uint64_t c = table.columns[2][i], d = table.columns[3][i];
      const uint64_t expect = (((mapped ? a / 2 : a) * 3 + b) * 40 + c) * 2 + d;
      ASSERT_EQ(wide[i], expect) << i;
      ASSERT_EQ(narrow[i], expect) << i;
    }
  }
}

// A dense count (32-bit keys) gives every occurring cell's count over all rows and over
// the masked rows, in ascending order, as a map of the rows does.
TEST(RowKeys, DenseCountsAreTheRowsCells) {
  const data::EncodedDataset table = random_table(30000, {4, 600, 9, 2}, 8);
  const data::DatasetView view(table);
  std::vector<uint8_t> mask(view.num_rows());
  for (size_t i = 0; i < mask.size(); ++i) mask[i] = i % 5 == 0 || i % 7 == 3;
  const std::vector<uint32_t> parents = {1, 2};
  for (const bool masked : {false, true}) {
    const uint8_t* m = masked ? mask.data() : nullptr;
    const FeatureCounts fc = count_feature(view, table.cardinality, parents, 3, 0, m);
    std::map<std::tuple<uint64_t, uint32_t, uint32_t>, std::pair<uint32_t, uint32_t>> cells;
    for (size_t i = 0; i < view.num_rows(); ++i) {
      const uint64_t config = uint64_t{table.columns[1][i]} * 9 + table.columns[2][i];
      auto& cell = cells[{config, table.columns[3][i], table.columns[0][i]}];
      ++cell.first;
      if (m && m[i]) ++cell.second;
    }
    ASSERT_EQ(fc.size(), cells.size());
    size_t i = 0;
    for (const auto& [key, n] : cells) {
      EXPECT_EQ(fc.config[i], std::get<0>(key));
      EXPECT_EQ(fc.cls[i], std::get<1>(key));
      EXPECT_EQ(fc.value[i], std::get<2>(key));
      EXPECT_EQ(fc.all[i], n.first);
      EXPECT_EQ(fc.masked[i], n.second);
      ++i;
    }
  }
}

}  // namespace
}  // namespace meg::bn
