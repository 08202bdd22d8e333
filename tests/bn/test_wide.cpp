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
#include "bn/parent_groups.hpp"
#include "core/rng.hpp"
#include "meg/error.hpp"

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

std::set<std::pair<uint32_t, uint32_t>> wide_links(
    const std::vector<std::vector<uint32_t>>& parents) {
  std::set<std::pair<uint32_t, uint32_t>> out;
  for (uint32_t c = 0; c < parents.size(); ++c) {
    for (uint32_t p : parents[c]) out.insert({std::min(c, p), std::max(c, p)});
  }
  return out;
}

// Column 0 re-coded to `card` levels, level(x, rng) of each row's X_0 value x.
template <class Level>
void widen_first(data::EncodedDataset& ds, uint32_t card, uint64_t seed, Level level) {
  core::Rng rng(seed);
  data::CodeColumn wide(card, ds.num_rows());
  for (size_t i = 0; i < ds.num_rows(); ++i) {
    wide.set(i, static_cast<data::Code>(level(ds.columns[0][i], rng)));
  }
  ds.columns[0] = wide;
  ds.cardinality[0] = card;
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
  EXPECT_EQ(wide_links(s.parents), truth);
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
  widen_first(ds, 200, 9, [](uint32_t x, core::Rng& rng) { return x * 66 + rng.below(66); });
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
  for (const auto& [a, b] : wide_links(t.parents)) linked = linked || a == 0;
  EXPECT_TRUE(linked);
}

// With grouped hints the same column enters the search by its groups: it is linked, the
// structure keeps the groups of the columns that are parents, and they survive the JSON.
TEST(WideStructure, ManyLevelColumnLinksThroughItsGroups) {
  auto ds = chain(8, 2000, 5);
  // Levels 0, 66 and 132 hold about a third of each X_0 value's rows; the rest are rare.
  widen_first(ds, 200, 9, [](uint32_t x, core::Rng& rng) {
    return x * 66 + (rng.below(3) == 0 ? 0 : 1 + rng.below(65));
  });
  const data::DatasetView view(ds);
  SearchHints hints;
  hints.max_parent_levels = 64;
  hints.groups = parent_groups(view, 64);
  // Levels of at least 1/64 of the rows: the three frequent ones (about 11% each).
  ASSERT_EQ(hints.groups[0], (std::vector<uint32_t>{0, 66, 132}));
  for (size_t c = 1; c < ds.num_cols(); ++c) EXPECT_TRUE(hints.groups[c].empty());
  const KdbStructure s =
      KdbStructure::learn(view, 8, 2, 100000, 2, StructureSearch::Greedy, &hints);
  bool linked = false;
  for (const auto& [a, b] : wide_links(s.parents)) linked = linked || a == 0 || b == 0;
  EXPECT_TRUE(linked);
  // The 200-level child's parent configurations are within 4 * 64^2 / 200 = 81.
  double configs = 1;
  for (uint32_t p : s.parents[0]) configs *= s.parent_card(p, ds.cardinality[p]);
  EXPECT_LE(configs, 81.0);
  bool parent = false;
  for (const auto& p : s.parents) parent = parent || std::count(p.begin(), p.end(), 0u) > 0;
  EXPECT_EQ(s.grouped(), parent);
  if (parent) {
    EXPECT_EQ(s.parent_card(0, 200), 4u);
  }
  const KdbStructure back = KdbStructure::from_json(s.to_json(), ds.cardinality);
  EXPECT_EQ(back.to_json(), s.to_json());
  // Groups that do not fit the column are refused.
  auto bad = s.to_json();
  bad["groups"] = nlohmann::json::array({nlohmann::json::array({0, {66, 0}})});
  EXPECT_THROW(KdbStructure::from_json(bad, ds.cardinality), ModelFormatError);
  bad["groups"] = nlohmann::json::array({nlohmann::json::array({0, {0, 200}})});
  EXPECT_THROW(KdbStructure::from_json(bad, ds.cardinality), ModelFormatError);
}

// A many-level class (units=all) is read whole: it is never grouped, and the search runs.
TEST(WideStructure, ManyLevelClassIsNotGrouped) {
  auto ds = chain(6, 2000, 4);
  widen_first(ds, 150, 3, [](uint32_t x, core::Rng& rng) { return x * 50 + rng.below(50); });
  const data::DatasetView view(ds);
  SearchHints hints;
  hints.max_parent_levels = 64;
  hints.groups = parent_groups(view, 64);
  ASSERT_FALSE(hints.groups[0].empty());
  const KdbStructure s =
      KdbStructure::learn(view, 0, 2, 100000, 2, StructureSearch::Greedy, &hints);
  EXPECT_FALSE(s.grouped());  // the class is no parent
  EXPECT_EQ(s.order.size(), 6u);
  EXPECT_GT(s.mi[1], 0.1);  // X_1 follows X_0, which the class carries whole
}

// Ties among equally frequent levels go to the smaller code; at least one level is kept.
TEST(WideStructure, ParentGroupsAreDeterministic) {
  data::EncodedDataset ds;
  ds.names = {"c"};
  ds.cardinality = {100};
  std::vector<data::Code> codes;
  for (data::Code v = 0; v < 100; ++v) codes.push_back(99 - v);  // every level once
  ds.columns.emplace_back(100, codes);
  const data::DatasetView view(ds);
  EXPECT_EQ(parent_groups(view, 64)[0], (std::vector<uint32_t>{0}));
  EXPECT_TRUE(parent_groups(view, 100)[0].empty());
  EXPECT_EQ(group_map({3, 7}, 9), (std::vector<uint32_t>{2, 2, 2, 0, 2, 2, 2, 1, 2}));
}

}  // namespace
}  // namespace meg::bn
