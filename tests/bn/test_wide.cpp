// Wide tables: the parent candidates shared by every unit (bn/candidates.hpp) keep the
// structure search linear in the columns for a fixed candidate count, and still find
// the true structure; and a column of many levels is neither a parent nor a child with
// parents.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <utility>

#include "bn/candidates.hpp"
#include "bn/kdb_structure.hpp"
#include "core/rng.hpp"

namespace meg::bn {
namespace {

// A class Y (3 levels) and `features` 3-level columns, a chain given the class:
// X_0 depends on Y, X_j on X_{j-1} and Y (it copies X_{j-1} with probability 0.8,
// else a level drawn given Y). The class is the last column.
data::EncodedDataset chain(size_t features, size_t rows, uint64_t seed) {
  data::EncodedDataset ds;
  const size_t d = features + 1;
  ds.cardinality.assign(d, 3);
  for (size_t c = 0; c < d; ++c) {
    ds.names.push_back("c" + std::to_string(c));
    ds.columns.emplace_back(3, rows);
  }
  core::Rng rng(seed);
  for (size_t i = 0; i < rows; ++i) {
    const auto y = static_cast<data::Code>(rng.below(3));
    ds.columns[features].set(i, y);
    data::Code prev = y;
    for (size_t j = 0; j < features; ++j) {
      const bool copy = j > 0 && rng.below(10) < 8;
      const data::Code v =
          copy ? prev : static_cast<data::Code>(rng.below(10) < 6 ? y : rng.below(3));
      ds.columns[j].set(i, v);
      prev = v;
    }
  }
  return ds;
}

std::set<std::pair<uint32_t, uint32_t>> links(const std::vector<std::vector<uint32_t>>& parents) {
  std::set<std::pair<uint32_t, uint32_t>> out;
  for (uint32_t c = 0; c < parents.size(); ++c) {
    for (uint32_t p : parents[c]) out.insert({std::min(c, p), std::max(c, p)});
  }
  return out;
}

TEST(WideStructure, CandidatesHoldTheTrueNeighbours) {
  const size_t features = 300;
  const auto ds = chain(features, 3000, 7);
  const data::DatasetView view(ds);
  const std::vector<double> mi = pairwise_mutual_info(view, 2);
  const SearchHints hints = make_search_hints(mi, ds.cardinality, 6, 64);
  ASSERT_TRUE(hints.restricted());
  for (uint32_t j = 1; j + 1 < features; ++j) {
    const auto& c = hints.candidates[j];
    EXPECT_EQ(c.size(), 6u);
    EXPECT_TRUE(std::binary_search(c.begin(), c.end(), j - 1)) << "column " << j;
    EXPECT_TRUE(std::binary_search(c.begin(), c.end(), j + 1)) << "column " << j;
  }
}

// Greedy k = 1 with 6 candidates per column among 300 features: the chain's links, and
// the same structure at 1 and 2 threads.
TEST(WideStructure, RestrictedGreedySearchRecoversTheChain) {
  const size_t features = 300;
  const auto ds = chain(features, 3000, 11);
  const data::DatasetView view(ds);
  const SearchHints hints = make_search_hints(pairwise_mutual_info(view, 2), ds.cardinality, 6, 64);
  const KdbStructure s =
      KdbStructure::learn(view, features, 1, 100000, 2, StructureSearch::Greedy, &hints);
  std::set<std::pair<uint32_t, uint32_t>> truth;
  for (uint32_t j = 1; j < features; ++j) truth.insert({j - 1, j});
  EXPECT_EQ(links(s.parents), truth);
  const KdbStructure one =
      KdbStructure::learn(view, features, 1, 100000, 1, StructureSearch::Greedy, &hints);
  EXPECT_EQ(one.to_json(), s.to_json());
}

// Unrestricted hints (every pair) give the structure of a search without hints.
TEST(WideStructure, UnrestrictedHintsChangeNothing) {
  const auto ds = chain(12, 2000, 3);
  const data::DatasetView view(ds);
  const SearchHints hints =
      make_search_hints(pairwise_mutual_info(view, 2), ds.cardinality, 32, 64);
  EXPECT_FALSE(hints.restricted());
  for (auto search : {StructureSearch::Greedy, StructureSearch::Kdb}) {
    const KdbStructure a = KdbStructure::learn(view, 12, 2, 100000, 2, search, &hints);
    const KdbStructure b = KdbStructure::learn(view, 12, 2, 100000, 2, search);
    EXPECT_EQ(a.to_json(), b.to_json());
  }
}

// A column above max_parent_levels is nobody's parent and has no parents itself.
TEST(WideStructure, ManyLevelColumnIsNeitherParentNorChildWithParents) {
  auto ds = chain(8, 2000, 5);
  // Column 0 re-coded to 200 levels that still carry X_0 (level = X_0 * 66 + noise).
  core::Rng rng(9);
  data::CodeColumn wide(200, 2000);
  for (size_t i = 0; i < 2000; ++i) {
    wide.set(i, static_cast<data::Code>(ds.columns[0][i] * 66 + rng.below(66)));
  }
  ds.columns[0] = wide;
  ds.cardinality[0] = 200;
  const data::DatasetView view(ds);
  SearchHints hints;
  hints.max_parent_levels = 64;
  const KdbStructure s =
      KdbStructure::learn(view, 8, 2, 100000, 2, StructureSearch::Greedy, &hints);
  EXPECT_TRUE(s.parents[0].empty());
  for (const auto& p : s.parents) EXPECT_EQ(std::count(p.begin(), p.end(), 0u), 0);
  SearchHints loose;
  const KdbStructure t =
      KdbStructure::learn(view, 8, 2, 100000, 2, StructureSearch::Greedy, &loose);
  bool linked = false;  // without the limit, X_0's strong link to X_1 is taken
  for (const auto& [a, b] : links(t.parents)) linked = linked || a == 0;
  EXPECT_TRUE(linked);
}

}  // namespace
}  // namespace meg::bn
