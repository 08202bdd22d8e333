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

TEST(Metrics, RocAucCountsTiesAsHalf) {
  EXPECT_DOUBLE_EQ(roc_auc({0, 0, 1, 1}, {0.1, 0.2, 0.3, 0.4}), 1.0);
  EXPECT_DOUBLE_EQ(roc_auc({1, 1, 0, 0}, {0.1, 0.2, 0.3, 0.4}), 0.0);
  EXPECT_DOUBLE_EQ(roc_auc({0, 1, 0, 1}, {0.5, 0.5, 0.5, 0.5}), 0.5);
  // Pairs (pos, neg): (0.8,0.3) win, (0.8,0.8) tie, (0.2,0.3) loss, (0.2,0.8) loss -> 1.5 / 4.
  EXPECT_DOUBLE_EQ(roc_auc({1, 0, 1, 0}, {0.8, 0.3, 0.2, 0.8}), 0.375);
  EXPECT_TRUE(std::isnan(roc_auc({1, 1}, {0.1, 0.2})));
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
