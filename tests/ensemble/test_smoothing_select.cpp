#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"
#include "ensemble/meg_model.hpp"
#include "ensemble/smoothing_select.hpp"

using meg::ensemble::DistanceProbe;
using meg::ensemble::MegModel;

namespace {

meg::data::EncodedDataset codes(const std::vector<std::vector<meg::data::Code>>& rows) {
  meg::data::EncodedDataset ds;
  const size_t d = rows[0].size();
  ds.cardinality.assign(d, 4);
  ds.columns.assign(d, {});
  for (const auto& r : rows) {
    for (size_t c = 0; c < d; ++c) ds.columns[c].push_back(r[c]);
  }
  return ds;
}

// n rows of `cols` columns with `levels` levels, all driven by one hidden
// variable (each column equals it 80% of the time): strong dependence, so a
// sharp network reproduces whole rows.
meg::data::CsvTable latent_table(size_t n, int cols, int levels, uint64_t seed) {
  meg::core::Rng rng(seed);
  std::string text;
  for (int c = 0; c < cols; ++c) text += fmt::format("{}c{}", c ? "," : "", c);
  text += "\n";
  for (size_t i = 0; i < n; ++i) {
    const uint64_t h = rng.below(static_cast<uint64_t>(levels));
    for (int c = 0; c < cols; ++c) {
      const uint64_t v = rng.uniform() < 0.8 ? h : rng.below(static_cast<uint64_t>(levels));
      text += fmt::format("{}v{}", c ? "," : "", v);
    }
    text += "\n";
  }
  return meg::data::parse_csv(text, "latent.csv");
}

}  // namespace

TEST(DistanceProbe, MeanHammingDistanceToTheNearestReferenceRow) {
  const auto reference = codes({{0, 0, 0}, {1, 1, 1}, {2, 2, 3}});
  const auto holdout = codes({{0, 0, 1}, {3, 3, 3}, {1, 1, 1}});
  for (int threads : {1, 2}) {
    const DistanceProbe probe(reference, holdout, 100, threads);
    EXPECT_EQ(probe.queries(), 3u);
    // (0,0,1): 1 from (0,0,0); (3,3,3): 2 from (2,2,3); (1,1,1): a copy, 0.
    EXPECT_DOUBLE_EQ(probe.holdout_mean(), 1.0);
    const std::vector<meg::data::Code> rows = {2, 2, 3, /**/ 0, 1, 2};  // 0 and 2
    EXPECT_DOUBLE_EQ(probe.mean_distance(rows.data(), 2), 1.0);
  }
  const DistanceProbe capped(reference, holdout, 1, 1);  // only the first holdout row
  EXPECT_EQ(capped.queries(), 1u);
  EXPECT_DOUBLE_EQ(capped.holdout_mean(), 1.0);
}

// Codes below 256 are compared eight to a word; wider columns code by code: the same
// distances either way, over any number of columns (here 11: two words a row).
TEST(DistanceProbe, PackedAndPlainComparisonsAgree) {
  meg::core::Rng rng(3);
  std::vector<std::vector<meg::data::Code>> ref_rows(300), hold_rows(40);
  for (auto* rows : {&ref_rows, &hold_rows}) {
    for (auto& r : *rows) {
      for (int c = 0; c < 11; ++c)
        r.push_back(static_cast<meg::data::Code>(rng.below(c < 3 ? 255 : 3)));
    }
  }
  auto narrow_ref = codes(ref_rows), narrow_hold = codes(hold_rows);
  narrow_ref.cardinality.assign(11, 256);
  narrow_hold.cardinality.assign(11, 256);
  auto wide_ref = narrow_ref, wide_hold = narrow_hold;
  wide_ref.cardinality[0] = wide_hold.cardinality[0] = 300;  // one wide column: plain path
  const DistanceProbe packed(narrow_ref, narrow_hold, 100, 2);
  const DistanceProbe plain(wide_ref, wide_hold, 100, 2);
  EXPECT_DOUBLE_EQ(packed.holdout_mean(), plain.holdout_mean());
  EXPECT_GT(packed.holdout_mean(), 0.0);
  std::vector<meg::data::Code> rows;
  for (const auto& r : ref_rows) rows.insert(rows.end(), r.begin(), r.end());
  EXPECT_DOUBLE_EQ(packed.mean_distance(rows.data(), 300), 0.0);  // every row a copy
}

// Above max_reference rows, the reference is a seeded subset of about that many; the
// held-out distance then can only grow (fewer rows to be near).
TEST(DistanceProbe, LongReferenceIsASeededSubset) {
  meg::core::Rng rng(4);
  std::vector<std::vector<meg::data::Code>> ref_rows(4000), hold_rows(50);
  for (auto* rows : {&ref_rows, &hold_rows}) {
    for (auto& r : *rows) {
      for (int c = 0; c < 6; ++c) r.push_back(static_cast<meg::data::Code>(rng.below(4)));
    }
  }
  const auto ref = codes(ref_rows), hold = codes(hold_rows);
  const DistanceProbe whole(ref, hold, 100, 1);
  const DistanceProbe subset(ref, hold, 100, 1, 500, 7);
  const DistanceProbe again(ref, hold, 100, 2, 500, 7);
  EXPECT_GE(subset.holdout_mean(), whole.holdout_mean());
  EXPECT_GT(subset.holdout_mean(), whole.holdout_mean() + 0.1);  // 500 rows of 4096 cells
  EXPECT_EQ(subset.holdout_mean(), again.holdout_mean());
}

// The chosen strength passes (its synthetic rows are no closer to the fit rows
// than the held-out rows), every sharper strength tried failed, the next
// sharper one of the grid was tried, and the refitted units use it.
TEST(SmoothingSelection, ChoosesTheSharpestStrengthThatPasses) {
  const auto table = latent_table(400, 8, 5, 3);
  const auto schema = meg::data::infer_schema(table);
  meg::FitOptions o;
  o.seed = 2;
  o.unit.k = 3;
  const MegModel m = MegModel::fit(table, schema, o);
  ASSERT_TRUE(m.fit_summary().contains("smoothing_selection"));
  const auto& sel = m.fit_summary()["smoothing_selection"];
  const double holdout = sel["holdout_distance"].get<double>();
  ASSERT_TRUE(sel["chosen_m"].is_number()) << sel;
  const double chosen = sel["chosen_m"].get<double>();
  const auto& grid = meg::ensemble::distance_grid();
  EXPECT_GT(chosen, grid.front()) << "the sharpest strengths must copy rows of this table: " << sel;
  const double sharper = *(std::find(grid.begin(), grid.end(), chosen) - 1);
  bool chosen_tried = false, sharper_tried = false;
  for (const auto& t : sel["tried"]) {
    const double strength = t["m"].get<double>(), distance = t["distance"].get<double>();
    if (strength < chosen) {
      EXPECT_LT(distance, holdout) << sel;
    }
    if (strength == chosen) {
      chosen_tried = true;
      EXPECT_GE(distance, holdout) << sel;
    }
    sharper_tried |= strength == sharper;
  }
  EXPECT_TRUE(chosen_tried && sharper_tried) << sel;
  EXPECT_LE(sel["tried"].size(), 2 + 3u) << "sharpest, smoothest, then bisection: " << sel;
  for (const auto& unit : m.units()) {
    const nlohmann::json log = unit.training_log();  // returned by value
    for (const auto& fm : log["smoothing_m"]) {
      EXPECT_TRUE(fm.get<double>() == chosen || fm.get<double>() == 0.0) << fm;  // 0: no parents
    }
  }
}

// Held-out rows that are never training rows (a table listing every
// combination once) cannot be matched: no strength passes, and the per-feature
// held-out likelihood choice is used.
TEST(SmoothingSelection, FallsBackToLikelihoodWhenNoStrengthPasses) {
  std::string text = "a,b,c,d,e\n";
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 4; ++b)
      for (int c = 0; c < 4; ++c)
        for (int d = 0; d < 4; ++d) {
          text +=
              fmt::format("a{},b{},c{},d{},{}\n", a, b, c, d, (a + b + c + d) % 3 == 0 ? "y" : "n");
        }
  const auto table = meg::data::parse_csv(text, "all.csv");
  const auto schema = meg::data::infer_schema(table);
  meg::FitOptions o;
  const MegModel m = MegModel::fit(table, schema, o);
  const auto& sel = m.fit_summary()["smoothing_selection"];
  EXPECT_TRUE(sel["chosen_m"].is_string()) << sel;
  // The sharpest and the smoothest strengths failed: nothing in between is tried.
  EXPECT_EQ(sel["tried"].size(), 2u) << sel;
  EXPECT_FALSE(m.sample_csv(100, 1, 1).empty());
}

TEST(SmoothingSelection, OnlyWhenAsked) {
  const auto table = latent_table(300, 5, 4, 4);
  const auto schema = meg::data::infer_schema(table);
  meg::FitOptions o;
  o.smoothing_select = meg::SmoothingSelect::Loglik;
  EXPECT_FALSE(MegModel::fit(table, schema, o).fit_summary().contains("smoothing_selection"));
  o.smoothing_select = meg::SmoothingSelect::Distance;
  o.unit.smoothing_m = 3.0;  // fixed by the user: nothing to choose
  EXPECT_FALSE(MegModel::fit(table, schema, o).fit_summary().contains("smoothing_selection"));
}
