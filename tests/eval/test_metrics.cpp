#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "eval/metrics.hpp"
#include "eval/privacy.hpp"

namespace meg::eval {
namespace {

TEST(Metrics, AccuracyAndMacroF1MatchHandComputedValues) {
  std::vector<int> truth = {0, 0, 0, 1, 1, 2};
  std::vector<int> pred = {0, 0, 1, 1, 2, 2};
  EXPECT_DOUBLE_EQ(accuracy(truth, pred), 4.0 / 6.0);
  // class 0: tp2 fp0 fn1 -> 4/5; class 1: tp1 fp1 fn1 -> 2/4; class 2: tp1 fp1 fn0 -> 2/3.
  EXPECT_NEAR(macro_f1(truth, pred, 3), (0.8 + 0.5 + 2.0 / 3.0) / 3.0, 1e-12);
  // A class absent from truth and predictions is not averaged in (as scikit-learn).
  EXPECT_NEAR(macro_f1(truth, pred, 5), (0.8 + 0.5 + 2.0 / 3.0) / 3.0, 1e-12);
}

TEST(Metrics, PerClassPrecisionRecallAndF1MatchHandComputedValues) {
  // Classes 0..2 as above; class 3 appears nowhere; class 4 is true once and never predicted.
  std::vector<int> truth = {0, 0, 0, 1, 1, 2, 4};
  std::vector<int> pred = {0, 0, 1, 1, 2, 2, 0};
  ClassScores s = class_scores(truth, pred, 5);
  // class 0: tp 2, fp 1 (the class-4 row), fn 1.
  EXPECT_DOUBLE_EQ(s.precision[0], 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.recall[0], 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.f1[0], 2.0 / 3.0);
  // class 1: tp 1, fp 1, fn 1; class 2: tp 1, fp 1, fn 0.
  EXPECT_DOUBLE_EQ(s.precision[1], 0.5);
  EXPECT_DOUBLE_EQ(s.recall[1], 0.5);
  EXPECT_DOUBLE_EQ(s.f1[1], 0.5);
  EXPECT_DOUBLE_EQ(s.precision[2], 0.5);
  EXPECT_DOUBLE_EQ(s.recall[2], 1.0);
  EXPECT_DOUBLE_EQ(s.f1[2], 2.0 / 3.0);
  // Undefined scores are NaN: class 3 everywhere, class 4's precision (never predicted).
  EXPECT_TRUE(std::isnan(s.precision[3]) && std::isnan(s.recall[3]) && std::isnan(s.f1[3]));
  EXPECT_TRUE(std::isnan(s.precision[4]));
  EXPECT_DOUBLE_EQ(s.recall[4], 0.0);
  EXPECT_DOUBLE_EQ(s.f1[4], 0.0);
  EXPECT_EQ(s.support, (std::vector<size_t>{3, 2, 1, 0, 1}));
  // Macro-F1 averages the four defined F1 values (as scikit-learn with labels present).
  EXPECT_DOUBLE_EQ(macro_f1(truth, pred, 5), (2.0 / 3.0 + 0.5 + 2.0 / 3.0 + 0.0) / 4.0);
}

TEST(Metrics, TprAtFprTakesTiedScoresTogether) {
  // 4 negatives: at most 1% false positives allows none.
  EXPECT_DOUBLE_EQ(tpr_at_fpr({0.9, 0.8, 0.7, 0.3, 0.2, 0.1, 0.05}, {1, 1, 0, 1, 0, 0, 0}, 0.01),
                   2.0 / 3.0);
  // 0.25 allows one negative: the threshold then passes 0.7 and reaches 0.3.
  EXPECT_DOUBLE_EQ(tpr_at_fpr({0.9, 0.8, 0.7, 0.3, 0.2, 0.1, 0.05}, {1, 1, 0, 1, 0, 0, 0}, 0.25),
                   1.0);
  // A tie of a positive and a negative at the top: both in or both out -> none at 1%.
  EXPECT_DOUBLE_EQ(tpr_at_fpr({0.9, 0.9, 0.1}, {1, 0, 0}, 0.01), 0.0);
  EXPECT_TRUE(std::isnan(tpr_at_fpr({0.1, 0.2}, {1, 1}, 0.01)));
}

TEST(Metrics, RegressionScoresKnownValues) {
  // truth mean 2, SST = 2; errors (0, 1, -1): SSE 2 -> R2 0; MAE 2/3; RMSE sqrt(2/3).
  RegressionScores s = regression_scores({1, 2, 3}, {1, 1, 4});
  EXPECT_DOUBLE_EQ(s.r2, 0.0);
  EXPECT_DOUBLE_EQ(s.mae, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.rmse, std::sqrt(2.0 / 3.0));
  EXPECT_DOUBLE_EQ(regression_scores({1, 2, 3}, {1, 2, 3}).r2, 1.0);
  EXPECT_TRUE(std::isnan(regression_scores({5, 5}, {5, 5}).r2));  // constant truth
}

TEST(Metrics, ArgmaxPicksLowestIndexOnTies) {
  std::vector<float> p = {0.2f, 0.5f, 0.3f, 0.4f, 0.4f, 0.2f};
  EXPECT_EQ(argmax_rows(p, 3), (std::vector<int>{1, 0}));
}

TEST(Metrics, QuantileInterpolatesAndSamplingIsSeeded) {
  std::vector<double> v = {0, 1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.5), 2.0);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.05), 0.2);
  auto a = sample_indices(1000, 10, 3), b = sample_indices(1000, 10, 3);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 10u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_NE(a, sample_indices(1000, 10, 4));
  EXPECT_EQ(sample_indices(5, 10, 3).size(), 5u);
}

}  // namespace
}  // namespace meg::eval
