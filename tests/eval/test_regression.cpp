// Regression utility: a numeric target gives R², MAE and RMSE for ridge regression, random
// forest and boosted trees, on tables where the answer is known.
#include <cmath>

#include <gtest/gtest.h>

#include "eval/classifier.hpp"
#include "eval_fixtures.hpp"

namespace meg::eval {
namespace {

// y = 3 a - 2 b + offset(g) + 0.01 noise, with a, b ~ N(0, 1) and g in {p, q, r}; z is noise.
data::CsvTable linear_table(size_t n, uint64_t seed, const std::string& source) {
  core::Rng rng(seed);
  data::CsvTable t;
  t.source = source;
  t.header = {"a", "b", "g", "z", "y"};
  t.columns.resize(5);
  const char* groups[] = {"p", "q", "r"};
  const double offset[] = {0.0, 5.0, -4.0};
  for (size_t r = 0; r < n; ++r) {
    const double a = rng.normal(), b = rng.normal();
    const size_t g = rng.below(3);
    const double y = 3 * a - 2 * b + offset[g] + 0.01 * rng.normal();
    t.columns[0].push_back(fmt::format("{:.5f}", a));
    t.columns[1].push_back(fmt::format("{:.5f}", b));
    t.columns[2].push_back(groups[g]);
    t.columns[3].push_back(fmt::format("{:.5f}", rng.normal()));
    t.columns[4].push_back(fmt::format("{:.5f}", y));
    t.row_line.push_back(r + 2);
  }
  return t;
}

EvalConfig config() {
  EvalConfig c = testing::test_config("y");
  c.attack_rows = 0;
  return c;
}

EvaluationResult evaluate(const data::CsvTable& train, const data::CsvTable& test,
                          const data::CsvTable& syn, const EvalConfig& c) {
  return evaluate_tables(train, test, &syn, nullptr, data::infer_schema(train), c);
}

TEST(Regression, ALinearTargetIsRecoveredAndTstrMatchesTrtrOnAFreshSample) {
  const data::CsvTable train = linear_table(1000, 1, "train.csv");
  const data::CsvTable test = linear_table(500, 2, "test.csv");
  const data::CsvTable syn = linear_table(1000, 3, "syn.csv");
  const EvaluationResult r = evaluate(train, test, syn, config());
  EXPECT_EQ(r.task, EvaluationTask::Regression);  // inferred: y is numeric
  ASSERT_TRUE(r.utility);
  const UtilityResult& u = *r.utility;
  ASSERT_EQ(u.models.size(), 3u);
  EXPECT_EQ(u.models[0].name, "ridge_regression");
  EXPECT_TRUE(u.classes.empty());
  // Always predicting the train mean: R² about 0 (slightly below), MAE about the spread of y.
  EXPECT_NEAR(u.mean_predictor.r2, 0.0, 0.02);
  EXPECT_GT(u.mean_predictor.mae, 2.5);
  // Ridge recovers the linear target almost exactly (alpha = 1 on 1000 rows barely shrinks).
  EXPECT_GT(u.models[0].trtr.r2, 0.999);
  EXPECT_GT(u.models[0].tstr.r2, 0.999);
  EXPECT_LT(u.models[0].trtr.mae, 0.05);
  EXPECT_NEAR(u.models[0].trtr.rmse * u.models[0].trtr.rmse, (1 - u.models[0].trtr.r2) * 4.0 * 4.0,
              1.0);  // consistent scale
  for (const UtilityModel& m : u.models) {
    if (!m.available) continue;
    EXPECT_GT(m.trtr.r2, 0.85) << m.name;
    EXPECT_NEAR(m.tstr.r2, m.trtr.r2, 0.05) << m.name;
    EXPECT_TRUE(std::isnan(m.trtr.accuracy)) << m.name;
  }
  // Fidelity and detection still work with a numeric target: a fresh sample is hard to detect.
  ASSERT_TRUE(r.fidelity && r.fidelity->detection);
  EXPECT_NEAR(r.fidelity->detection->roc_auc, 0.5, 0.08);
}

TEST(Regression, ATargetUnrelatedToTheFeaturesGivesNoUtility) {
  const data::CsvTable train = linear_table(1000, 1, "train.csv");
  const data::CsvTable test = linear_table(500, 2, "test.csv");
  data::CsvTable syn = linear_table(1000, 3, "syn.csv");
  core::Rng rng(9);
  auto& y = syn.columns[4];
  for (size_t i = y.size(); i > 1; --i) std::swap(y[i - 1], y[rng.below(i)]);
  const EvaluationResult r = evaluate(train, test, syn, config());
  for (const UtilityModel& m : r.utility->models) {
    if (!m.available) continue;
    EXPECT_GT(m.trtr.r2, 0.85) << m.name;
    EXPECT_LT(m.tstr.r2, 0.1) << m.name;
    EXPECT_GT(m.tstr.mae, 2 * m.trtr.mae) << m.name;
  }
}

TEST(Regression, TaskOverrideReadsTheTargetAsTheTaskNeeds) {
  // y as classes: a numeric column with few values can be a classification target.
  data::CsvTable train = linear_table(600, 1, "train.csv"), test = linear_table(300, 2, "t.csv");
  for (data::CsvTable* t : {&train, &test}) {
    for (std::string& v : t->columns[4]) v = std::stod(v) > 0 ? "1" : "0";
  }
  EvalConfig c = config();
  c.detection = false;
  EXPECT_EQ(evaluate(train, test, train, c).task, EvaluationTask::Classification);  // 2 values
  c.task = EvaluationTask::Regression;
  EvaluationResult r = evaluate(train, test, train, c);
  EXPECT_EQ(r.task, EvaluationTask::Regression);
  EXPECT_GT(r.utility->models[0].trtr.r2, 0.4);
  // The renderers show the regression.
  const std::string text = report::format_text(r);
  EXPECT_NE(text.find("TRTR R2"), std::string::npos) << text;
  EXPECT_NE(text.find("ridge_regression"), std::string::npos) << text;
  // A numeric target read as classes (y rounded: about 25 integers, more than the 20 that would
  // make it categorical by inference).
  data::CsvTable train2 = linear_table(400, 1, "train.csv"), test2 = linear_table(200, 2, "t.csv");
  for (data::CsvTable* t : {&train2, &test2}) {
    for (std::string& v : t->columns[4]) v = fmt::format("{}", std::lround(std::stod(v)));
  }
  EXPECT_EQ(data::infer_schema(train2).columns[4].type, data::ColumnType::Integer);
  c.task = EvaluationTask::Classification;
  c.classifiers = {"logistic_regression"};
  r = evaluate(train2, test2, train2, c);
  EXPECT_EQ(r.task, EvaluationTask::Classification);
  EXPECT_EQ(r.utility->models[0].name, "logistic_regression");
  EXPECT_GT(r.utility->classes.size(), 20u);
}

TEST(Regression, RidgeSolvesTheNormalEquations) {
  // y = 1 + 2 x exactly, x in {-1, 0, 1}: with alpha -> 0 ridge is least squares.
  const Matrix x = Matrix::from_dense(3, 1, {-1, 0, 1});
  auto model = make_ridge_regression(1e-9);
  model->fit(x, {-1, 1, 3});
  const std::vector<double> p = model->predict(x);
  EXPECT_NEAR(p[0], -1, 1e-6);
  EXPECT_NEAR(p[2], 3, 1e-6);
  // alpha = 2: w = sum(x y) / (sum(x^2) + alpha) = 4 / 4 = 1; intercept = mean(y) = 1.
  auto shrunk = make_ridge_regression(2.0);
  shrunk->fit(x, {-1, 1, 3});
  EXPECT_NEAR(shrunk->predict(x)[2], 2.0, 1e-9);
}

}  // namespace
}  // namespace meg::eval
