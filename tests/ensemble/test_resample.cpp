// Discriminator-weighted resampling (ensemble/discriminator_resample.hpp): the discriminator's
// logit against known density ratios, the selection's count and pull, the model file, and a
// fit whose units cannot express a relation the resampling restores.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "core/strings.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"
#include "ensemble/discriminator_resample.hpp"
#include "ensemble/meg_model.hpp"
#include "meg/error.hpp"

using meg::data::Code;
using meg::ensemble::CodeBooster;
using meg::ensemble::Resampler;

namespace {

// One column of 4 codes: real rows uniform, synthetic rows with P = .4, .4, .1, .1
// (density ratio .625 for codes 0 and 1, 2.5 for codes 2 and 3); a second column of noise.
void known_ratio_rows(size_t n, std::vector<Code>& rows, std::vector<uint8_t>& labels) {
  meg::core::Rng rng(7);
  for (size_t i = 0; i < 2 * n; ++i) {
    const bool real = i < n;
    const double u = rng.uniform();
    const Code a = real      ? static_cast<Code>(rng.below(4))
                   : u < 0.4 ? 0
                   : u < 0.8 ? 1
                   : u < 0.9 ? 2
                             : 3;
    rows.push_back(a);
    rows.push_back(static_cast<Code>(rng.below(10)));
    labels.push_back(real ? 1 : 0);
  }
}

}  // namespace

TEST(Resample, AucOfKnownScores) {
  EXPECT_DOUBLE_EQ(meg::ensemble::roc_auc({1, 2, 3}, {0, 0.5}), 1.0);
  EXPECT_DOUBLE_EQ(meg::ensemble::roc_auc({0, 0.5}, {1, 2, 3}), 0.0);
  EXPECT_DOUBLE_EQ(meg::ensemble::roc_auc({1, 1}, {1, 1, 1}), 0.5);
  EXPECT_DOUBLE_EQ(meg::ensemble::roc_auc({2, 1}, {1, 0}), 0.875);
}

TEST(Resample, BoosterLogitEstimatesTheDensityRatio) {
  std::vector<Code> rows;
  std::vector<uint8_t> labels;
  known_ratio_rows(20000, rows, labels);
  const CodeBooster b = CodeBooster::fit(rows, labels, {4, 10});
  for (Code a = 0; a < 4; ++a) {
    for (Code noise : {Code{0}, Code{9}}) {
      const Code row[2] = {a, noise};
      const double expect = std::log(a < 2 ? 0.625 : 2.5);
      EXPECT_NEAR(b.logit(row), expect, 0.2) << "code " << a << " noise " << noise;
    }
  }
}

TEST(Resample, BoosterIsTheSameAtAnyThreadCount) {
  // 80,000 rows of 2 columns: above the size where the fit uses its threads.
  std::vector<Code> rows;
  std::vector<uint8_t> labels;
  known_ratio_rows(40000, rows, labels);
  const CodeBooster one = CodeBooster::fit(rows, labels, {4, 10}, 1);
  const nlohmann::json expect = one.to_json();
  EXPECT_EQ(CodeBooster::fit(rows, labels, {4, 10}, 2).to_json(), expect);
  EXPECT_EQ(CodeBooster::fit(rows, labels, {4, 10}, 3).to_json(), expect);
  // Another table gives another discriminator (the comparison can fail).
  rows[0] = rows[0] == 0 ? 3 : 0;
  labels[1] = 1 - labels[1];
  rows.resize(rows.size() / 2);
  labels.resize(labels.size() / 2);
  for (size_t i = 0; i < labels.size(); i += 2) labels[i] = 0;
  EXPECT_NE(CodeBooster::fit(rows, labels, {4, 10}, 2).to_json(), expect);
}

TEST(Resample, HistogramSubtractionGivesTheDirectTrees) {
  // Exact fixed-point sums: a child's histogram as its parent's minus its sibling's is the
  // one added from its rows, so the trees are the same (at 1 and 3 threads); a table of
  // 5 columns with many buckets, 2 x 20,000 rows (above the size where threads are used).
  meg::core::Rng rng(5);
  const std::vector<uint32_t> card = {4, 10, 200, 64, 3};
  std::vector<Code> rows;
  std::vector<uint8_t> labels;
  for (size_t i = 0; i < 40000; ++i) {
    const bool real = i % 2 == 0;
    for (size_t c = 0; c < card.size(); ++c) {
      const uint64_t k = card[c];
      // Synthetic rows favour low codes in columns 0 and 2, and column 4 follows column 1.
      uint64_t v = rng.below(k);
      if (!real && (c == 0 || c == 2) && rng.uniform() < 0.3) v = rng.below(k / 2 + 1);
      if (c == 4 && !real) v = rows[rows.size() - 3] % 3;
      rows.push_back(static_cast<Code>(v));
    }
    labels.push_back(real ? 1 : 0);
  }
  using H = CodeBooster::Histograms;
  const nlohmann::json direct = CodeBooster::fit(rows, labels, card, 1, H::Direct).to_json();
  EXPECT_EQ(CodeBooster::fit(rows, labels, card, 1, H::Subtract).to_json(), direct);
  EXPECT_EQ(CodeBooster::fit(rows, labels, card, 3, H::Subtract).to_json(), direct);
  EXPECT_EQ(CodeBooster::fit(rows, labels, card, 2, H::Direct).to_json(), direct);
  // Not a degenerate fit: trees of many splits, the first tree's on the columns that differ.
  const auto& feature = direct["feature"];
  size_t splits = 0;
  for (const auto& f : feature) splits += f.get<int>() >= 0;
  EXPECT_GT(splits, 1000u);
  for (size_t k = 0; k < 3; ++k) {
    const int f = feature[k].get<int>();
    EXPECT_TRUE(f == 0 || f == 2 || f == 4) << "split " << k << " on column " << f;
  }
}

namespace {

// A resampler whose discriminator learned the known ratio from n + n rows (kept in `rows`).
Resampler known_ratio_resampler(size_t n, std::vector<Code>& rows) {
  std::vector<uint8_t> labels;
  known_ratio_rows(n, rows, labels);
  Resampler r;
  r.booster = CodeBooster::fit(rows, labels, {4, 10});
  r.candidates = 4;
  return r;
}

}  // namespace

TEST(Resample, SelectionKeepsTheCountAndPullsTowardTheData) {
  std::vector<Code> rows;
  const Resampler r = known_ratio_resampler(20000, rows);
  // The synthetic half as candidates: codes 2 and 3 are 20% of them, 50% of the data.
  const Code* cand = rows.data() + 2 * 20000;
  std::vector<uint32_t> picked, again;
  r.select(cand, 20000, 2, 5000, 11, picked);
  r.select(cand, 20000, 2, 5000, 11, again);
  ASSERT_EQ(picked.size(), 5000u);
  EXPECT_EQ(picked, again);
  for (int threads : {2, 3, 8}) {  // the logits on threads: the same picks
    r.select(cand, 20000, 2, 5000, 11, again, threads);
    EXPECT_EQ(picked, again) << threads;
  }
  size_t high = 0;
  for (size_t i = 0; i < picked.size(); ++i) {
    if (i > 0) {
      ASSERT_LT(picked[i - 1], picked[i]);
    }
    high += cand[picked[i] * 2] >= 2;
  }
  // Weights 2.5 vs .625 over 4 candidates per row: about 43% of the rows kept (without
  // replacement, a candidate is kept at most once, so less than the 50% of the data).
  EXPECT_GT(static_cast<double>(high) / 5000, 0.38);
  EXPECT_LT(static_cast<double>(high) / 5000, 0.51);
}

TEST(Resample, ModelFileRoundTripAndChecks) {
  std::vector<Code> rows;
  const Resampler r = known_ratio_resampler(2000, rows);
  const auto j = r.to_json();
  const Resampler back = Resampler::from_json(j, {4, 10});
  const Code row[2] = {2, 3};
  EXPECT_EQ(back.booster.logit(row), r.booster.logit(row));
  EXPECT_THROW(Resampler::from_json(j, {4, 11}), meg::ModelFormatError);
  auto bad = j;
  bad["discriminator"]["threshold"][0] = 99;
  bad["discriminator"]["feature"][0] = 0;
  EXPECT_THROW(Resampler::from_json(bad, {4, 10}), meg::ModelFormatError);
  bad = j;
  bad["candidates"] = 1;
  EXPECT_THROW(Resampler::from_json(bad, {4, 10}), meg::ModelFormatError);
}

namespace {

// c = b xor (a >= 3), 5% noise: a unit of class a with no feature parents (k = 0) makes b
// and c independent given a, so half its rows break the relation.
meg::data::CsvTable xor_table(size_t n) {
  meg::core::Rng rng(3);
  std::string text = "a,b,c\n";
  for (size_t i = 0; i < n; ++i) {
    const uint64_t a = rng.below(6), b = rng.below(2);
    uint64_t c = b ^ (a >= 3 ? 1u : 0u);
    if (rng.uniform() < 0.05) c = 1 - c;
    text += fmt::format("{},{},{}\n", a, b ? "x" : "y", c ? "p" : "q");
  }
  return meg::data::parse_csv(text, "xor.csv");
}

double relation_rate(const std::string& csv) {
  const auto t = meg::data::parse_csv(csv, "sample");
  size_t ok = 0;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    const int a = std::stoi(t.columns[0][r]);
    ok += ((t.columns[1][r] == "x") != (a >= 3)) == (t.columns[2][r] == "p");
  }
  return static_cast<double>(ok) / static_cast<double>(t.num_rows());
}

}  // namespace

TEST(Resample, FitChoosesItWhereItHelpsAndRestoresTheRelation) {
  const auto table = xor_table(6000);
  const auto schema = meg::data::infer_schema(table);
  meg::FitOptions o;
  o.units = {"a"};
  o.units_auto = false;
  o.unit.k = 0;
  o.seed = 2;
  o.resample = meg::Resample::Off;
  const auto plain = meg::ensemble::MegModel::fit(table, schema, o);
  EXPECT_FALSE(plain.resampler().has_value());
  EXPECT_FALSE(plain.fit_summary().contains("resample"));
  o.resample = meg::Resample::Auto;
  const auto fixed = meg::ensemble::MegModel::fit(table, schema, o);
  ASSERT_TRUE(fixed.resampler().has_value()) << fixed.fit_summary()["resample"].dump();
  const auto& s = fixed.fit_summary()["resample"];
  EXPECT_LT(s["holdout_auc_resampled"].get<double>(), s["holdout_auc_plain"].get<double>());
  const std::string before = plain.sample_csv(8000, 1, 1);
  const std::string after = fixed.sample_csv(8000, 1, 1);
  EXPECT_LT(relation_rate(before), 0.6);
  EXPECT_GT(relation_rate(after), 0.75);
  // Exact count, same bytes at any thread count and after a save and load.
  EXPECT_EQ(meg::data::parse_csv(after, "s").num_rows(), 8000u);
  EXPECT_EQ(fixed.sample_csv(80000, 4, 1), fixed.sample_csv(80000, 4, 3));
  // The fit itself (units, the discriminator and its decision) at another thread count.
  o.threads = 1;
  const auto one = meg::ensemble::MegModel::fit(table, schema, o);
  o.threads = 2;
  EXPECT_EQ(meg::ensemble::MegModel::fit(table, schema, o).to_json(), one.to_json());
  const auto loaded = meg::ensemble::MegModel::from_json(fixed.to_json());
  EXPECT_EQ(loaded.sample_csv(8000, 1, 2), after);
}

TEST(Resample, OptionsAreCheckedAndRecorded) {
  meg::FitOptions o;
  EXPECT_EQ(meg::get_option(o, "resample"), "auto");
  EXPECT_EQ(meg::get_option(o, "resample_candidates"), "4");
  meg::set_option(o, "resample", "off");
  meg::set_option(o, "resample_candidates", "8");
  const meg::FitOptions back = meg::options_from_json(meg::options_to_json(o));
  EXPECT_EQ(back.resample, meg::Resample::Off);
  EXPECT_EQ(back.resample_candidates, 8u);
  try {
    meg::set_option(o, "resample", "maybe");
    FAIL() << "accepted resample=maybe";
  } catch (const meg::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("option 'resample'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(meg::set_option(o, "resample_candidates", "1"), meg::InvalidArgument);
  EXPECT_THROW(meg::set_option(o, "resample_candidates", "65"), meg::InvalidArgument);
}
