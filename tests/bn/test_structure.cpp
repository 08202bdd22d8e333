#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <utility>

#include "bn/kdb_structure.hpp"
#include "helpers/kdb_sampler.hpp"
#include "meg/error.hpp"

namespace meg::bn {
namespace {

std::vector<uint32_t> sorted(std::vector<uint32_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Undirected feature-feature links {min, max} of a parent list.
std::set<std::pair<uint32_t, uint32_t>> links(const std::vector<std::vector<uint32_t>>& parents) {
  std::set<std::pair<uint32_t, uint32_t>> out;
  for (uint32_t c = 0; c < parents.size(); ++c) {
    for (uint32_t p : parents[c]) out.insert({std::min(c, p), std::max(c, p)});
  }
  return out;
}

class StructureRecovery : public ::testing::TestWithParam<std::tuple<int, uint64_t>> {};

// Data from a known kDB (3,000 rows): the learned order and parents are the true ones.
TEST_P(StructureRecovery, LearnsTheTrueParents) {
  const auto [k, seed] = GetParam();
  const testing::TrueKdb truth = testing::make_true_kdb(k);
  const auto data = truth.sample(3000, seed);
  const KdbStructure s = KdbStructure::learn(data, truth.class_col, k, 100000, 2);
  EXPECT_EQ(s.order, truth.order);
  for (size_t c = 0; c < truth.card.size(); ++c) {
    EXPECT_EQ(sorted(s.parents[c]), truth.parents[c]) << "column " << c;
  }
}

INSTANTIATE_TEST_SUITE_P(KdbK1K2, StructureRecovery,
                         ::testing::Combine(::testing::Values(1, 2),
                                            ::testing::Values(uint64_t{1}, uint64_t{2})));

// Greedy search with k = 1 is a class-conditional Chow-Liu tree (Prim's order, AIC
// stop): on data from a known k = 1 network (a tree given the class) it finds the
// true links, whatever their direction.
TEST(Structure, GreedyK1FindsTheTrueLinks) {
  const testing::TrueKdb truth = testing::make_true_kdb(1);
  for (uint64_t seed : {1, 2, 3}) {
    const auto data = truth.sample(3000, seed);
    const KdbStructure s =
        KdbStructure::learn(data, truth.class_col, 1, 100000, 2, StructureSearch::Greedy);
    EXPECT_EQ(links(s.parents), links(truth.parents)) << "seed " << seed;
    EXPECT_EQ(s.order.size(), truth.order.size());
  }
}

TEST(Structure, KZeroIsNaiveBayesAndTiesBreakByIndex) {
  const auto data = data::EncodedDataset::from_columns(
      {"a", "b", "c", "d"}, {2, 1, 2, 1}, {{0, 1, 0, 1}, {0, 0, 0, 0}, {0, 1, 0, 1}, {0, 0, 0, 0}});
  const KdbStructure s0 = KdbStructure::learn(data, 0, 0, 100, 1);
  // Column 2 copies the class (MI = log 2); columns 1 and 3 are constant (MI = 0, tie).
  EXPECT_EQ(s0.order, (std::vector<uint32_t>{2, 1, 3}));
  for (const auto& p : s0.parents) EXPECT_TRUE(p.empty());
  const KdbStructure s2 = KdbStructure::learn(data, 0, 2, 100, 1);
  EXPECT_EQ(s2.order, s0.order);
  EXPECT_EQ(s2.parents[1], (std::vector<uint32_t>{2}));
  EXPECT_EQ(s2.parents[3], (std::vector<uint32_t>{1, 2}));  // both uninformative: by index
}

TEST(Structure, ParentConfigurationLimitSkipsLargeParents) {
  const testing::TrueKdb truth = testing::make_true_kdb(2);
  const auto data = truth.sample(2000, 4);
  // Cardinalities 3 and 4: a limit of 4 allows one parent of either size, never two.
  const KdbStructure s = KdbStructure::learn(data, truth.class_col, 2, 4, 1);
  for (size_t c = 0; c < truth.card.size(); ++c) {
    double q = 1;
    for (uint32_t p : s.parents[c]) q *= truth.card[p];
    EXPECT_LE(q, 4) << "column " << c;
    if (c != truth.class_col && c != s.order[0]) {
      EXPECT_EQ(s.parents[c].size(), 1u);
    }
  }
}

TEST(Structure, JsonRoundTripAndValidation) {
  const testing::TrueKdb truth = testing::make_true_kdb(2);
  const auto data = truth.sample(500, 4);
  const KdbStructure s = KdbStructure::learn(data, truth.class_col, 2, 1000, 1);
  const KdbStructure back = KdbStructure::from_json(s.to_json(), data.cardinality);
  EXPECT_EQ(back.order, s.order);
  EXPECT_EQ(back.parents, s.parents);
  auto bad = s.to_json();
  bad["parents"][s.order[0]] = {s.order[1]};  // parent placed after its child
  EXPECT_THROW(KdbStructure::from_json(bad, data.cardinality), ModelFormatError);
  bad = s.to_json();
  bad["order"][0] = 99;
  EXPECT_THROW(KdbStructure::from_json(bad, data.cardinality), ModelFormatError);
  bad = s.to_json();
  bad.erase("order");
  EXPECT_THROW(KdbStructure::from_json(bad, data.cardinality), ModelFormatError);
}

}  // namespace
}  // namespace meg::bn
