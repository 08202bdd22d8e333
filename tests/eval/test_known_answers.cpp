// Known answers of the whole evaluation on tables whose relation to train is known.
#include <numeric>

#include <gtest/gtest.h>

#include "eval_fixtures.hpp"

namespace meg::eval {
namespace {

using testing::copy_rows;
using testing::make_table;
using testing::run;
using testing::test_config;

double detection(const nlohmann::json& r) {
  return r["fidelity"]["detection"]["roc_auc"].get<double>();
}

class KnownAnswers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    train_ = new data::CsvTable(make_table(1200, 1, "train.csv"));
    test_ = new data::CsvTable(make_table(600, 2, "test.csv"));
  }
  static void TearDownTestSuite() {
    delete train_;
    delete test_;
  }
  static data::CsvTable* train_;
  static data::CsvTable* test_;
};
data::CsvTable* KnownAnswers::train_ = nullptr;
data::CsvTable* KnownAnswers::test_ = nullptr;

TEST_F(KnownAnswers, IdenticalTableHasZeroDistancesAndChanceDetection) {
  data::CsvTable syn = *train_;
  syn.source = "same.csv";
  nlohmann::json r = run(*train_, *test_, syn, test_config());
  for (const auto& c : r["fidelity"]["columns"]) EXPECT_EQ(c["synthetic"].get<double>(), 0.0);
  EXPECT_EQ(r["fidelity"]["mean_column_distance"]["synthetic"].get<double>(), 0.0);
  EXPECT_EQ(r["fidelity"]["pairwise"]["error"]["synthetic"].get<double>(), 0.0);
  EXPECT_EQ(r["privacy"]["exact_copy_rate"]["synthetic"].get<double>(), 1.0);
  EXPECT_EQ(r["privacy"]["dcr"]["synthetic"]["median"].get<double>(), 0.0);
  EXPECT_EQ(r["privacy"]["dcr"]["synthetic"]["p05"].get<double>(), 0.0);
  EXPECT_NEAR(detection(r), 0.5, 0.08);
  // TSTR == TRTR exactly: same rows, same seeds per side are not shared, but LR is deterministic.
  const auto& lr = r["utility"]["classifiers"][0];
  EXPECT_EQ(lr["name"], "logistic_regression");
  EXPECT_DOUBLE_EQ(lr["tstr"]["accuracy"].get<double>(), lr["trtr"]["accuracy"].get<double>());
}

TEST_F(KnownAnswers, ReorderedReformattedCopyOfTrainIsFoundAsCopies) {
  // Rows in reverse order, numbers written differently ("12.5" -> "12.500000").
  std::vector<size_t> rows(train_->num_rows());
  std::iota(rows.rbegin(), rows.rend(), 0);
  data::CsvTable syn = copy_rows(*train_, rows, "copy.csv");
  for (std::string& v : syn.columns[1]) {
    if (v != "?") v = fmt::format("{:.6f}", std::stod(v));
  }
  nlohmann::json r = run(*train_, *test_, syn, test_config());
  EXPECT_EQ(r["privacy"]["exact_copy_rate"]["synthetic"].get<double>(), 1.0);
  EXPECT_EQ(r["privacy"]["dcr"]["synthetic"]["median"].get<double>(), 0.0);
  EXPECT_EQ(r["privacy"]["dcr"]["synthetic"]["p05"].get<double>(), 0.0);
  // Real test rows are new rows: few copies, positive distances.
  EXPECT_LT(r["privacy"]["exact_copy_rate"]["test"].get<double>(), 0.01);
  EXPECT_GT(r["privacy"]["dcr"]["test"]["median"].get<double>(), 0.0);
}

TEST_F(KnownAnswers, ShuffledColumnsKeepMarginalsButLoseDependence) {
  // Each column permuted independently: same marginals, no dependence left.
  data::CsvTable syn = *train_;
  syn.source = "shuffled.csv";
  core::Rng rng(11);
  for (auto& col : syn.columns) {
    for (size_t i = col.size(); i > 1; --i) std::swap(col[i - 1], col[rng.below(i)]);
  }
  nlohmann::json r = run(*train_, *test_, syn, test_config());
  EXPECT_NEAR(r["fidelity"]["mean_column_distance"]["synthetic"].get<double>(), 0.0, 1e-12);
  const double err = r["fidelity"]["pairwise"]["error"]["synthetic"].get<double>();
  const double ref = r["fidelity"]["pairwise"]["error"]["test"].get<double>();
  // Train pairs: color~shape V ~0.8, color~size eta ~0.95, size~label ~0.6, the rest ~0: the
  // mean absolute error over 10 pairs is about 0.3; a fresh real sample is within ~0.03.
  EXPECT_GT(err, 0.2);
  EXPECT_LT(ref, 0.05);
  // The color-shape dependence in particular is gone.
  const auto& dep_train = r["fidelity"]["pairwise"]["train"];
  const auto& dep_syn = r["fidelity"]["pairwise"]["synthetic"];
  EXPECT_GT(dep_train[0][3].get<double>(), 0.6);
  EXPECT_LT(dep_syn[0][3].get<double>(), 0.15);
  EXPECT_GT(detection(r), 0.75);
  // TSTR falls to about the majority-class rate while TRTR stays high.
  const auto& lr = r["utility"]["classifiers"][0];
  EXPECT_GT(lr["trtr"]["accuracy"].get<double>(), 0.75);
  EXPECT_LT(lr["tstr"]["accuracy"].get<double>(),
            r["utility"]["majority_class_rate"].get<double>() + 0.08);
}

TEST_F(KnownAnswers, ConstantTableIsDetected) {
  std::vector<size_t> rows(500, 0);
  data::CsvTable syn = copy_rows(*train_, rows, "constant.csv");
  nlohmann::json r = run(*train_, *test_, syn, test_config());
  EXPECT_GT(detection(r), 0.97);
  EXPECT_GT(r["fidelity"]["mean_column_distance"]["synthetic"].get<double>(), 0.5);
  // Every synthetic row is a copy of train row 0.
  EXPECT_EQ(r["privacy"]["exact_copy_rate"]["synthetic"].get<double>(), 1.0);
}

TEST_F(KnownAnswers, FreshSampleOfTheSameDistributionScoresLikeRealTest) {
  data::CsvTable syn = make_table(1200, 3, "fresh.csv");
  nlohmann::json r = run(*train_, *test_, syn, test_config());
  EXPECT_NEAR(detection(r), 0.5, 0.08);
  EXPECT_LT(r["fidelity"]["mean_column_distance"]["synthetic"].get<double>(), 0.06);
  EXPECT_LT(r["fidelity"]["pairwise"]["error"]["synthetic"].get<double>(), 0.05);
  EXPECT_LT(r["privacy"]["exact_copy_rate"]["synthetic"].get<double>(), 0.01);
  double dcr_syn = r["privacy"]["dcr"]["synthetic"]["median"].get<double>();
  double dcr_test = r["privacy"]["dcr"]["test"]["median"].get<double>();
  EXPECT_NEAR(dcr_syn / dcr_test, 1.0, 0.25);
  for (const auto& c : r["utility"]["classifiers"]) {
    if (!c["available"].get<bool>()) continue;
    EXPECT_NEAR(c["tstr"]["accuracy"].get<double>(), c["trtr"]["accuracy"].get<double>(), 0.04)
        << c["name"];
    EXPECT_GT(c["trtr"]["roc_auc"].get<double>(), 0.8) << c["name"];
  }
}

// A classifier's scores do not depend on which other classifiers are requested, nor on
// their order: its seed comes from its name's place in classifier_names().
TEST_F(KnownAnswers, ClassifierScoresDoNotDependOnTheOthersRequested) {
  data::CsvTable syn = make_table(600, 3, "fresh.csv");
  EvalConfig all = test_config();
  EvalConfig one = test_config();
  one.classifiers = {"random_forest"};
  EvalConfig reversed = test_config();
  reversed.classifiers = {"gradient_boosting", "random_forest", "logistic_regression"};
  auto score_of = [](const nlohmann::json& r, const std::string& name) {
    for (const auto& c : r["utility"]["classifiers"]) {
      if (c["name"] == name) return c;
    }
    return nlohmann::json();
  };
  const nlohmann::json ra = run(*train_, *test_, syn, all);
  const nlohmann::json r1 = run(*train_, *test_, syn, one);
  const nlohmann::json rr = run(*train_, *test_, syn, reversed);
  for (const char* field : {"tstr", "trtr"}) {
    EXPECT_EQ(score_of(ra, "random_forest")[field], score_of(r1, "random_forest")[field]) << field;
    for (const char* name : {"logistic_regression", "random_forest", "gradient_boosting"}) {
      EXPECT_EQ(score_of(ra, name)[field], score_of(rr, name)[field]) << name << " " << field;
    }
  }
}

}  // namespace
}  // namespace meg::eval
