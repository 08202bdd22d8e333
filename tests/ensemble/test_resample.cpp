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
  r.stages.push_back({CodeBooster::fit(rows, labels, {4, 10}), 4});
  return r;
}

// The share of `keep` rows picked by `r` from n candidates (2 codes each) whose first code is
// 2 or 3, after checking the count, that the picks ascend and that a second call repeats them.
double picked_high_share(const Resampler& r, const Code* cand, size_t n, size_t keep,
                         std::vector<uint32_t>& picked) {
  std::vector<uint32_t> again;
  r.select(cand, n, 2, keep, 11, picked);
  r.select(cand, n, 2, keep, 11, again);
  EXPECT_EQ(picked.size(), keep);
  EXPECT_EQ(picked, again);
  size_t high = 0;
  for (size_t i = 0; i < picked.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(picked[i - 1], picked[i]);
    }
    high += cand[picked[i] * 2] >= 2;
  }
  return static_cast<double>(high) / static_cast<double>(keep);
}

}  // namespace

TEST(Resample, SelectionKeepsTheCountAndPullsTowardTheData) {
  std::vector<Code> rows;
  const Resampler r = known_ratio_resampler(20000, rows);
  // The synthetic half as candidates: codes 2 and 3 are 20% of them, 50% of the data.
  const Code* cand = rows.data() + 2 * 20000;
  std::vector<uint32_t> picked, again;
  const double high = picked_high_share(r, cand, 20000, 5000, picked);
  for (int threads : {2, 3, 8}) {  // the logits on threads: the same picks
    r.select(cand, 20000, 2, 5000, 11, again, threads);
    EXPECT_EQ(picked, again) << threads;
  }
  // Weights 2.5 vs .625 over 4 candidates per row: about 43% of the rows kept (without
  // replacement, a candidate is kept at most once, so less than the 50% of the data).
  EXPECT_GT(high, 0.38);
  EXPECT_LT(high, 0.51);
}

TEST(Resample, ModelFileRoundTripAndChecks) {
  std::vector<Code> rows;
  const Resampler r = known_ratio_resampler(2000, rows);
  const auto j = r.to_json();
  const Resampler back = Resampler::from_json(j, {4, 10});
  const Code row[2] = {2, 3};
  EXPECT_EQ(back.stages[0].booster.logit(row), r.stages[0].booster.logit(row));
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

// One unit of class a with no feature parents: it cannot express the xor table's relation.
meg::FitOptions xor_options() {
  meg::FitOptions o;
  o.units = {"a"};
  o.units_auto = false;
  o.unit.k = 0;
  o.seed = 2;
  return o;
}

// The same bytes at any thread count: `model`'s sample (`rows` rows), the fit itself with
// options `o` (units, the discriminators and their decision), and `sample` (its 8,000 rows of
// seed 1) after a save and load.
void expect_same_bytes(const meg::ensemble::MegModel& model, const meg::data::CsvTable& table,
                       const meg::data::Schema& schema, meg::FitOptions o, size_t rows,
                       const std::string& sample) {
  EXPECT_EQ(model.sample_csv(rows, 4, 1), model.sample_csv(rows, 4, 3));
  o.threads = 1;
  const auto one = meg::ensemble::MegModel::fit(table, schema, o);
  o.threads = 2;
  EXPECT_EQ(meg::ensemble::MegModel::fit(table, schema, o).to_json(), one.to_json());
  const auto loaded = meg::ensemble::MegModel::from_json(model.to_json());
  EXPECT_EQ(loaded.sample_csv(8000, 1, 2), sample);
}

}  // namespace

TEST(Resample, FitChoosesItWhereItHelpsAndRestoresTheRelation) {
  const auto table = xor_table(6000);
  const auto schema = meg::data::infer_schema(table);
  meg::FitOptions o = xor_options();
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
  expect_same_bytes(fixed, table, schema, o, 80000, after);
}

TEST(Resample, OptionsAreCheckedAndRecorded) {
  meg::FitOptions o;
  EXPECT_EQ(meg::get_option(o, "resample"), "auto");
  EXPECT_EQ(meg::get_option(o, "resample_candidates"), "4");
  EXPECT_EQ(meg::get_option(o, "resample_stages"), "2");
  meg::set_option(o, "resample", "off");
  meg::set_option(o, "resample_stages", "3");
  meg::set_option(o, "resample_candidates", "8");
  const meg::FitOptions back = meg::options_from_json(meg::options_to_json(o));
  EXPECT_EQ(back.resample, meg::Resample::Off);
  EXPECT_EQ(back.resample_candidates, 8u);
  EXPECT_EQ(back.resample_stages, 3u);
  // A model's options from before the stages: fitted with one.
  auto old = meg::options_to_json(o);
  old.erase("resample_stages");
  EXPECT_EQ(meg::options_from_json(old).resample_stages, 1u);
  EXPECT_THROW(meg::set_option(o, "resample_stages", "0"), meg::InvalidArgument);
  EXPECT_THROW(meg::set_option(o, "resample_stages", "4"), meg::InvalidArgument);
  try {
    meg::set_option(o, "resample", "maybe");
    FAIL() << "accepted resample=maybe";
  } catch (const meg::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("option 'resample'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(meg::set_option(o, "resample_candidates", "1"), meg::InvalidArgument);
  EXPECT_THROW(meg::set_option(o, "resample_candidates", "65"), meg::InvalidArgument);
}

TEST(Resample, EarlyStoppedDeepBoosterIsTheSameAtAnyThreadCount) {
  // Depth 5 (odd: a tree's first level and the last tree's last share a histogram buffer's
  // parity) with validation rows, above the size where the fit uses its threads.
  std::vector<Code> rows, valid;
  std::vector<uint8_t> labels, valid_labels;
  known_ratio_rows(40000, rows, labels);
  known_ratio_rows(2000, valid, valid_labels);
  const CodeBooster::Validation v{valid, valid_labels, 10};
  const CodeBooster::Shape shape{300, 5};
  using H = CodeBooster::Histograms;
  CodeBooster::Stopped stopped;
  const CodeBooster one =
      CodeBooster::fit(rows, labels, {4, 10}, 1, H::Subtract, shape, &v, &stopped);
  // One column's four codes carry the whole signal: the validation loss stops falling long
  // before 300 trees, and the trees kept are those up to its least.
  EXPECT_LT(one.trees(), 150u);
  EXPECT_GT(one.trees(), 0u);
  EXPECT_EQ(static_cast<size_t>(stopped.trees), one.trees());
  EXPECT_GT(stopped.loss, 0.0);
  EXPECT_EQ(one.depth(), 5);
  const nlohmann::json expect = one.to_json();
  EXPECT_EQ(CodeBooster::fit(rows, labels, {4, 10}, 2, H::Subtract, shape, &v).to_json(), expect);
  EXPECT_EQ(CodeBooster::fit(rows, labels, {4, 10}, 3, H::Direct, shape, &v).to_json(), expect);
  // Without validation rows every tree is kept, and the first trees are the same.
  const CodeBooster all = CodeBooster::fit(rows, labels, {4, 10}, 2, H::Subtract, shape);
  EXPECT_EQ(all.trees(), 300u);
  for (Code a = 0; a < 4; ++a) {
    const Code row[2] = {a, 5};
    EXPECT_NEAR(one.logit(row), std::log(a < 2 ? 0.625 : 2.5), 0.2) << "code " << a;
  }
  // Stored with its depth, and loaded back.
  const CodeBooster back = CodeBooster::from_json(expect, {4, 10});
  EXPECT_EQ(back.to_json(), expect);
  EXPECT_THROW(CodeBooster::fit(rows, labels, {4, 10}, 1, H::Subtract, {10, 7}), meg::Error);
}

TEST(Resample, TwoStagesKeepTheCountAndTheModelFile) {
  std::vector<Code> rows;
  Resampler r = known_ratio_resampler(20000, rows);
  // A one-stage resampler is stored as before (version 1), so older models load as they were.
  EXPECT_EQ(r.to_json()["version"], 1);
  EXPECT_EQ(r.candidates(), 4u);
  r.stages.push_back({r.stages[0].booster, 2});
  EXPECT_EQ(r.candidates(), 8u);
  const Code* cand = rows.data() + 2 * 20000;
  std::vector<uint32_t> picked;
  // Two pulls toward codes 2 and 3 (20% of the candidates) take them further than one does
  // (38-51% in SelectionKeepsTheCountAndPullsTowardTheData).
  EXPECT_GT(picked_high_share(r, cand, 16000, 2000, picked), 0.55);
  const auto j = r.to_json();
  EXPECT_EQ(j["version"], 2);
  const Resampler back = Resampler::from_json(j, {4, 10});
  ASSERT_EQ(back.stages.size(), 2u);
  EXPECT_EQ(back.to_json(), j);
  std::vector<uint32_t> loaded;
  back.select(cand, 16000, 2, 2000, 11, loaded);
  EXPECT_EQ(loaded, picked);
  auto bad = j;
  bad["stages"][1]["candidates"] = 65;
  EXPECT_THROW(Resampler::from_json(bad, {4, 10}), meg::ModelFormatError);
  bad = j;
  bad["stages"] = nlohmann::json::array();
  EXPECT_THROW(Resampler::from_json(bad, {4, 10}), meg::ModelFormatError);
}

TEST(Resample, SecondStageIsMeasuredAndSamplesTheSameAtAnyThreadCount) {
  const auto table = xor_table(6000);
  const auto schema = meg::data::infer_schema(table);
  meg::FitOptions o = xor_options();
  o.resample_stages = 1;
  const auto one_stage = meg::ensemble::MegModel::fit(table, schema, o);
  o.resample = meg::Resample::On;
  o.resample_stages = 2;
  const auto two = meg::ensemble::MegModel::fit(table, schema, o);
  ASSERT_TRUE(two.resampler().has_value());
  ASSERT_EQ(two.resampler()->stages.size(), 2u);
  const auto& s = two.fit_summary()["resample"];
  ASSERT_EQ(s["stages"].size(), 2u);
  // The second stage's discriminator is deeper and chose its tree count on its own rows.
  EXPECT_EQ(s["stages"][1]["depth"], 5);
  EXPECT_TRUE(s["stages"][1].contains("validation_logloss"));
  EXPECT_LE(s["stages"][1]["trees"].get<int>(), 400);
  // Each stage measured on the held-out rows; the first as a one-stage fit measured it.
  const auto& s1 = one_stage.fit_summary()["resample"];
  EXPECT_EQ(s["stages"][0]["holdout_auc"], s1["holdout_auc_resampled"]);
  EXPECT_LT(s["stages"][1]["holdout_auc"].get<double>(), s["holdout_auc_plain"].get<double>());
  // The relation the units cannot express is restored, as with one stage.
  const std::string after = two.sample_csv(8000, 1, 1);
  EXPECT_EQ(meg::data::parse_csv(after, "s").num_rows(), 8000u);
  EXPECT_GT(relation_rate(after), 0.75);
  expect_same_bytes(two, table, schema, o, 30000, after);
}
