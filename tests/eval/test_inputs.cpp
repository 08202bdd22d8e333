// Input handling: column mismatches, unseen levels, missing values, multi-class targets.
#include <gtest/gtest.h>

#include "data/csv.hpp"
#include "eval/fidelity.hpp"
#include "eval/prepared.hpp"
#include "eval_fixtures.hpp"
#include "meg/error.hpp"

namespace meg::eval {
namespace {

using testing::data_error_of;
using testing::make_table;
using testing::run;
using testing::test_config;

TEST(Inputs, MissingExtraAndBadColumnsNameTheFileAndColumn) {
  data::CsvTable train = make_table(200, 1, "train.csv"), test = make_table(100, 2, "test.csv");
  data::CsvTable no_shape = make_table(100, 3, "syn.csv");
  no_shape.header.erase(no_shape.header.begin() + 3);
  no_shape.columns.erase(no_shape.columns.begin() + 3);
  std::string msg = data_error_of([&] { run(train, test, no_shape, test_config()); });
  EXPECT_NE(msg.find("syn.csv"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'shape'"), std::string::npos) << msg;

  data::CsvTable extra = make_table(100, 3, "syn.csv");
  extra.header.push_back("bonus");
  extra.columns.push_back(std::vector<std::string>(100, "x"));
  msg = data_error_of([&] { run(train, test, extra, test_config()); });
  EXPECT_NE(msg.find("syn.csv"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'bonus'"), std::string::npos) << msg;

  data::CsvTable text_in_number = make_table(100, 3, "syn.csv");
  text_in_number.columns[2][5] = "many";
  msg = data_error_of([&] { run(train, test, text_in_number, test_config()); });
  EXPECT_NE(msg.find("syn.csv:7"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'count'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("many"), std::string::npos) << msg;

  msg = data_error_of([&] { run(train, test, test, test_config("no_such_target")); });
  EXPECT_NE(msg.find("no_such_target"), std::string::npos) << msg;
  // A categorical target that is not numeric cannot be a regression target.
  EvalConfig regression = test_config("color");
  regression.task = EvaluationTask::Regression;
  msg = data_error_of([&] { run(train, test, test, regression); });
  EXPECT_NE(msg.find("train.csv:2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'color'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("numeric target"), std::string::npos) << msg;
}

TEST(Inputs, ColumnsMayComeInAnyOrder) {
  data::CsvTable train = make_table(300, 1, "train.csv"), test = make_table(150, 2, "test.csv");
  data::CsvTable syn = train;
  std::swap(syn.header[0], syn.header[4]);
  std::swap(syn.columns[0], syn.columns[4]);
  nlohmann::json r = run(train, test, syn, test_config());
  EXPECT_EQ(r["fidelity"]["mean_column_distance"]["synthetic"].get<double>(), 0.0);
}

TEST(Inputs, UnseenLevelsAndMissingValuesAreScoredNotFatal) {
  data::CsvTable train = make_table(400, 1, "train.csv"), test = make_table(200, 2, "test.csv");
  data::CsvTable syn = make_table(400, 3, "syn.csv");
  // Test: an unseen color, a missing color, an unseen target class, a missing target.
  test.columns[0][0] = "purple";
  test.columns[0][1] = "?";
  test.columns[4][2] = "maybe";
  test.columns[4][3] = "";
  // Synthetic: a quarter of the colors unseen, all counts missing.
  for (size_t r = 0; r < 100; ++r) syn.columns[0][r] = "ultraviolet";
  for (auto& v : syn.columns[2]) v = "NA";
  nlohmann::json r = run(train, test, syn, test_config());
  EXPECT_EQ(r["utility"]["rows_dropped"]["test"].get<size_t>(), 2u);
  EXPECT_EQ(r["utility"]["rows"]["test"].get<size_t>(), 198u);
  // color TV: 100 of 400 synthetic rows are in a bucket train never has -> TV >= 0.25.
  const auto& color = r["fidelity"]["columns"][0];
  EXPECT_GE(color["synthetic"].get<double>(), 0.25 - 1e-12);
  EXPECT_LT(color["synthetic"].get<double>(), 0.35);
  // count: every synthetic value missing (= above every number) -> KS = 1.
  EXPECT_DOUBLE_EQ(r["fidelity"]["columns"][2]["synthetic"].get<double>(), 1.0);
  // The chart shows the unseen bucket.
  const auto& labels = color["chart"]["labels"];
  EXPECT_NE(std::find(labels.begin(), labels.end(), "(unseen)"), labels.end());
}

TEST(Inputs, KsTreatsMissingAsLargerThanEveryNumber) {
  data::CsvTable a, b;
  a.source = "a.csv";
  a.header = {"x", "y"};
  a.columns = {{"1", "2", "3", "4"}, {"u", "v", "u", "v"}};
  b = a;
  b.source = "b.csv";
  b.columns[0] = {"1", "2", "?", "?"};
  data::Schema schema = data::infer_schema(a, {.max_categorical_numeric = 0});
  Preprocessor pre(a, schema);
  EXPECT_EQ(pre.kind(0), Kind::Numeric);
  PreparedTable pa = pre.prepare(a), pb = pre.prepare(b);
  EXPECT_DOUBLE_EQ(column_distance(pre, 0, pa, pb), 0.5);
  EXPECT_DOUBLE_EQ(column_distance(pre, 1, pa, pb), 0.0);
}

TEST(Inputs, MultiClassTargetsWithATinyClassWork) {
  // Nursery: 5 classes, one of them ("recommend") with 2 rows in 12,960. Use a seeded
  // subsample of 3,000 rows for train, 1,500 for test, and train again as "synthetic".
  data::CsvTable all = data::read_csv("data/nursery.csv");
  std::vector<size_t> tr, te;
  core::Rng rng(3);
  for (size_t r = 0; r < all.num_rows(); ++r) {
    double u = rng.uniform();
    if (u < 0.25 || all.columns[8][r] == "recommend") {
      tr.push_back(r);
    } else if (u < 0.37) {
      te.push_back(r);
    }
  }
  data::CsvTable train = testing::copy_rows(all, tr, "nursery_train.csv");
  data::CsvTable test = testing::copy_rows(all, te, "nursery_test.csv");
  EvalConfig cfg = test_config("class");
  cfg.detection = false;
  nlohmann::json r = run(train, test, train, cfg);
  EXPECT_EQ(r["utility"]["classes"].size(), 5u);
  for (const auto& c : r["utility"]["classifiers"]) {
    if (!c["available"].get<bool>()) continue;
    EXPECT_GT(c["trtr"]["accuracy"].get<double>(), 0.85) << c["name"];
    EXPECT_FALSE(c["trtr"].contains("roc_auc"));  // multi-class: no AUC
  }
}

}  // namespace
}  // namespace meg::eval
