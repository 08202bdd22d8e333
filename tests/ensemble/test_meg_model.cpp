#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "core/file_io.hpp"
#include "core/rng.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"
#include "ensemble/meg_model.hpp"
#include "ensemble/model_io.hpp"

using meg::ensemble::MegModel;

namespace {

// A chain a -> b -> c -> d: each column copies the previous one 85% of the time.
meg::data::CsvTable chain_table(size_t n, uint64_t seed) {
  meg::core::Rng rng(seed);
  std::string text = "a,b,c,d\n";
  for (size_t i = 0; i < n; ++i) {
    uint64_t v = rng.below(4);
    std::string row;
    for (int c = 0; c < 4; ++c) {
      if (c > 0 && rng.uniform() >= 0.85) v = rng.below(4);
      row += fmt::format("{}{}", c ? "," : "", static_cast<char>('p' + v));
    }
    text += row + "\n";
  }
  return meg::data::parse_csv(text, "chain.csv");
}

meg::FitOptions quick_options() {
  meg::FitOptions o;
  o.unit.warmup_epochs = 1;
  o.unit.epochs = 1;
  o.seed = 5;
  return o;
}

}  // namespace

TEST(MegModel, EmWeightsBeatUniformWhenOneUnitIsClearlyBetter) {
  auto table = chain_table(3000, 1);
  auto schema = meg::data::infer_schema(table);
  meg::FitOptions o = quick_options();
  o.units = {"b", "a"};
  meg::UnitOptions naive = o.unit;
  naive.k = 0;  // naive Bayes rooted at a: cannot express the b-c-d chain
  o.unit_overrides["a"] = naive;
  o.refit_full = false;
  MegModel m = MegModel::fit(table, schema, o);
  ASSERT_EQ(m.weights().size(), 2u);
  EXPECT_GT(m.weights()[0], 0.8) << "unit b (k=2) should dominate";
  double mix = m.fit_summary()["validation_loglik_mixture"].get<double>();
  double uni = m.fit_summary()["validation_loglik_uniform"].get<double>();
  EXPECT_GT(mix, uni + 0.05);
}

TEST(MegModel, SameSeedSameModelAndSamplesWhateverTheThreadCount) {
  auto table = chain_table(2000, 2);
  auto schema = meg::data::infer_schema(table);
  meg::FitOptions o = quick_options();
  o.threads = 1;
  MegModel one = MegModel::fit(table, schema, o);
  o.threads = 2;
  MegModel two = MegModel::fit(table, schema, o);
  // (EXPECT_TRUE: a failure should not print megabytes of model bytes.)
  EXPECT_TRUE(meg::ensemble::encode_model_file(one.to_json()) ==
              meg::ensemble::encode_model_file(two.to_json()));
  // Spans several sampling chunks.
  const uint64_t n = MegModel::kChunkRows * 2 + 123;
  std::string s1 = one.sample_csv(n, 9, 1);
  std::string s2 = one.sample_csv(n, 9, 2);
  EXPECT_TRUE(s1 == s2);
  EXPECT_FALSE(s1 == one.sample_csv(n, 10, 2));
  auto back = meg::data::parse_csv(s1, "sample");
  EXPECT_EQ(back.num_rows(), n);
  EXPECT_EQ(back.header, table.header);
}

TEST(MegModel, SaveLoadGivesIdenticalSamples) {
  auto table = chain_table(1500, 3);
  auto schema = meg::data::infer_schema(table);
  MegModel m = MegModel::fit(table, schema, quick_options());
  auto path = (std::filesystem::temp_directory_path() / fmt::format("meg_test_{}.meg", ::getpid()))
                  .string();
  m.save(path);
  MegModel loaded = MegModel::load(path);
  // The load reads the units from their CBOR in parallel: the same model as reading the
  // whole tree first.
  const MegModel whole =
      MegModel::from_json(meg::ensemble::decode_model_file(meg::core::read_file(path), path));
  std::filesystem::remove(path);
  EXPECT_TRUE(loaded.sample_csv(5000, 4, 2) == m.sample_csv(5000, 4, 2));
  EXPECT_EQ(loaded.weights(), m.weights());
  EXPECT_TRUE(loaded.to_json() == whole.to_json());
  EXPECT_TRUE(loaded.to_json() == m.to_json());
}

TEST(MegModel, SampleKeepsTheChainDependence) {
  auto table = chain_table(4000, 4);
  auto schema = meg::data::infer_schema(table);
  MegModel m = MegModel::fit(table, schema, quick_options());
  auto syn = meg::data::parse_csv(m.sample_csv(20000, 1, 2), "s");
  // P(b == a) is 0.85 + 0.15/4 = 0.8875 in the real process.
  size_t same = 0;
  for (size_t r = 0; r < syn.num_rows(); ++r) same += syn.columns[0][r] == syn.columns[1][r];
  EXPECT_NEAR(static_cast<double>(same) / syn.num_rows(), 0.8875, 0.03);
}

TEST(MegModel, UnitCountsAreExactAndFollowTheWeights) {
  auto table = chain_table(1000, 5);
  auto schema = meg::data::infer_schema(table);
  MegModel m = MegModel::fit(table, schema, quick_options());
  auto counts = m.unit_counts(1000003);
  uint64_t total = 0;
  for (size_t u = 0; u < counts.size(); ++u) {
    total += counts[u];
    EXPECT_NEAR(static_cast<double>(counts[u]), m.weights()[u] * 1000003, 1.0);
  }
  EXPECT_EQ(total, 1000003u);
}
