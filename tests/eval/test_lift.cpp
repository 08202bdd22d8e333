// Lift: classifiers trained on real train vs on an augmented table (real train rows plus
// synthetic rows), both scored on real test.
#include <gtest/gtest.h>

#include "eval_fixtures.hpp"
#include "meg/error.hpp"

namespace meg::eval {
namespace {

using testing::copy_rows;
using testing::make_table;
using testing::test_config;

nlohmann::json run_lift(const data::CsvTable& train, const data::CsvTable& test,
                        const data::CsvTable* syn, const data::CsvTable& aug,
                        const EvalConfig& config) {
  return to_json(evaluate_tables(train, test, syn, &aug, data::infer_schema(train), config));
}

// Two classes told apart by x: "major" x ~ N(0, 1), "minor" x ~ N(2, 1); g is noise.
data::CsvTable two_class_table(size_t majors, size_t minors, uint64_t seed,
                               const std::string& source) {
  core::Rng rng(seed);
  data::CsvTable t;
  t.source = source;
  t.header = {"x", "g", "y"};
  t.columns.resize(3);
  for (size_t r = 0; r < majors + minors; ++r) {
    const bool minor = r >= majors;
    t.columns[0].push_back(fmt::format("{:.4f}", (minor ? 2.0 : 0.0) + rng.normal()));
    t.columns[1].push_back(fmt::format("g{}", rng.below(3)));
    t.columns[2].push_back(minor ? "minor" : "major");
    t.row_line.push_back(r + 2);
  }
  return t;
}

data::CsvTable concat(const data::CsvTable& a, const data::CsvTable& b, const std::string& source) {
  data::CsvTable out = a;
  out.source = source;
  for (size_t c = 0; c < out.num_cols(); ++c) {
    out.columns[c].insert(out.columns[c].end(), b.columns[c].begin(), b.columns[c].end());
  }
  for (size_t r = 0; r < b.num_rows(); ++r) out.row_line.push_back(a.num_rows() + r + 2);
  return out;
}

TEST(Lift, AnAugmentedTableEqualToTrainHasZeroLiftAndRealScoresAreTrtr) {
  data::CsvTable train = make_table(800, 1, "train.csv"), test = make_table(400, 2, "test.csv");
  data::CsvTable syn = make_table(800, 3, "syn.csv");
  data::CsvTable aug = train;
  aug.source = "aug.csv";
  nlohmann::json r = run_lift(train, test, &syn, aug, test_config());
  const auto& l = r["lift"];
  EXPECT_EQ(l["real_rows_included"].get<size_t>(), 800u);
  EXPECT_EQ(l["rows"]["augmented"].get<size_t>(), l["rows"]["train"].get<size_t>());
  EXPECT_EQ(r["inputs"]["augmented"]["path"], "aug.csv");
  ASSERT_EQ(l["classifiers"].size(), r["utility"]["classifiers"].size());
  for (size_t m = 0; m < l["classifiers"].size(); ++m) {
    const auto& c = l["classifiers"][m];
    if (!c["available"].get<bool>()) continue;
    // Same rows, same seed: identical models, so every difference is exactly 0.
    EXPECT_EQ(c["real"], c["augmented"]) << c["name"];
    EXPECT_EQ(c["difference"]["accuracy"].get<double>(), 0.0) << c["name"];
    EXPECT_EQ(c["difference"]["macro_f1"].get<double>(), 0.0) << c["name"];
    for (const auto& d : c["difference"]["recall"]) EXPECT_EQ(d.get<double>(), 0.0);
    // The real side is the TRTR model.
    EXPECT_EQ(c["real"], r["utility"]["classifiers"][m]["trtr"]) << c["name"];
  }
}

TEST(Lift, CorrectMinorityRowsRaiseMinorityRecallAndMacroF1) {
  // Train: 1500 "major" rows and 30 "minor" rows; test is balanced (300 + 300). Trained on
  // train, a classifier puts the boundary near x = 3 (prior 50:1): minority recall ~0.2,
  // macro-F1 ~0.5. The augmented table adds 1470 correct minority rows (same distribution):
  // boundary near x = 1, minority recall ~0.84, macro-F1 ~0.84.
  data::CsvTable train = two_class_table(1500, 30, 1, "train.csv");
  data::CsvTable test = two_class_table(300, 300, 2, "test.csv");
  data::CsvTable added = two_class_table(0, 1470, 3, "added.csv");
  data::CsvTable aug = concat(train, added, "aug.csv");
  nlohmann::json r = run_lift(train, test, nullptr, aug, test_config("y"));
  // Lift only: no synthetic table, so no utility, fidelity or privacy.
  EXPECT_FALSE(r.contains("utility"));
  EXPECT_FALSE(r.contains("fidelity"));
  EXPECT_FALSE(r.contains("privacy"));
  const auto& l = r["lift"];
  ASSERT_EQ(l["classes"], nlohmann::json({"major", "minor"}));
  EXPECT_EQ(l["class_rows"]["train"], nlohmann::json({1500, 30}));
  EXPECT_EQ(l["class_rows"]["augmented"], nlohmann::json({1500, 1500}));
  EXPECT_EQ(l["class_rows"]["test"], nlohmann::json({300, 300}));
  EXPECT_EQ(l["real_rows_included"].get<size_t>(), 1530u);
  int scored = 0;
  for (const auto& c : l["classifiers"]) {
    if (!c["available"].get<bool>()) continue;
    ++scored;
    const auto &real = c["real"], &aug_score = c["augmented"];
    EXPECT_LT(real["recall"][1].get<double>(), 0.5) << c["name"];
    EXPECT_GT(aug_score["recall"][1].get<double>(), 0.7) << c["name"];
    EXPECT_GT(aug_score["macro_f1"].get<double>(), real["macro_f1"].get<double>() + 0.15)
        << c["name"];
    EXPECT_NEAR(c["difference"]["macro_f1"].get<double>(),
                aug_score["macro_f1"].get<double>() - real["macro_f1"].get<double>(), 1e-12);
    // The majority class loses some recall: that is the price of the boundary moving.
    EXPECT_LT(c["difference"]["recall"][0].get<double>(), 0.0) << c["name"];
  }
  EXPECT_GE(scored, 1);
  const std::string text = testing::text_of(r);
  EXPECT_NE(text.find("meg evaluate: augmented aug.csv"), std::string::npos) << text;
  EXPECT_NE(text.find("Lift (trained on real train vs on augmented aug.csv"), std::string::npos);
  EXPECT_NE(text.find("F1 lift"), std::string::npos);
  EXPECT_EQ(text.find("Fidelity"), std::string::npos);
  EXPECT_EQ(text.find("note:"), std::string::npos);  // every real train row is there
}

std::string lift_error(const data::CsvTable& train, const data::CsvTable& test,
                       const data::CsvTable& aug) {
  return testing::data_error_of([&] { run_lift(train, test, nullptr, aug, test_config()); });
}

TEST(Lift, AugmentedTableIsCheckedAgainstTheTrainColumns) {
  data::CsvTable train = make_table(200, 1, "train.csv"), test = make_table(100, 2, "test.csv");
  data::CsvTable aug = make_table(200, 3, "aug.csv");
  aug.header.erase(aug.header.begin() + 3);
  aug.columns.erase(aug.columns.begin() + 3);
  EXPECT_NE(lift_error(train, test, aug).find("aug.csv: column 'shape'"), std::string::npos);
  data::CsvTable text_in_number = make_table(200, 3, "aug.csv");
  text_in_number.columns[2][7] = "lots";
  EXPECT_NE(lift_error(train, test, text_in_number).find("aug.csv:9: column 'count'"),
            std::string::npos);
  EXPECT_THROW(
      evaluate_tables(train, test, nullptr, nullptr, data::infer_schema(train), test_config()),
      InvalidArgument);
}

TEST(Lift, CountsTheRealTrainRowsTheAugmentedTableHolds) {
  data::CsvTable train = make_table(300, 1, "train.csv"), test = make_table(150, 2, "test.csv");
  // The first 100 train rows twice (only 100 of them count) and 200 other rows.
  std::vector<size_t> first(100);
  for (size_t i = 0; i < first.size(); ++i) first[i] = i;
  data::CsvTable part = copy_rows(train, first, "part.csv");
  data::CsvTable aug = concat(concat(part, part, "x"), make_table(200, 5, "y"), "aug.csv");
  nlohmann::json r = run_lift(train, test, nullptr, aug, test_config());
  EXPECT_EQ(r["lift"]["real_rows_included"].get<size_t>(), 100u);
  EXPECT_NE(
      testing::text_of(r).find("note: the augmented table holds only 100 of the 300 real train "
                               "rows"),
      std::string::npos);
}

}  // namespace
}  // namespace meg::eval
