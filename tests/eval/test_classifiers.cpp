#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "core/rng.hpp"
#include "eval/classifier.hpp"
#include "eval/metrics.hpp"

namespace meg::eval {
namespace {

Matrix make_matrix(size_t rows, size_t cols) {
  return Matrix::from_dense(rows, cols, std::vector<float>(rows * cols, 0.0f));
}

TEST(LogisticRegression, WithoutFeaturesPredictsTheClassShares) {
  // Only intercepts (not penalised): the optimum is the empirical class distribution.
  Matrix x = make_matrix(10, 0);
  std::vector<int> y = {0, 0, 0, 0, 0, 1, 1, 1, 2, 2};
  auto lr = make_logistic_regression(1.0, 300, 1);
  lr->fit(x, y, 3);
  std::vector<float> p = lr->predict_proba(x);
  ASSERT_EQ(p.size(), 30u);
  EXPECT_NEAR(p[0], 0.5, 1e-4);
  EXPECT_NEAR(p[1], 0.3, 1e-4);
  EXPECT_NEAR(p[2], 0.2, 1e-4);
}

// Two Gaussian blobs per class in 3 dimensions; 3 classes.
void blobs(size_t n, uint64_t seed, Matrix& x, std::vector<int>& y) {
  core::Rng rng(seed);
  std::vector<float> dense(n * 3);
  y.resize(n);
  for (size_t r = 0; r < n; ++r) {
    int c = static_cast<int>(rng.below(3));
    y[r] = c;
    for (size_t j = 0; j < 3; ++j) {
      dense[r * 3 + j] =
          static_cast<float>((j == static_cast<size_t>(c) ? 2.5 : 0.0) + rng.normal());
    }
  }
  x = Matrix::from_dense(n, 3, dense);
}

TEST(LogisticRegression, LearnsSeparableClassesAndIgnoresThreadCount) {
  Matrix x, xt;
  std::vector<int> y, yt;
  blobs(3000, 1, x, y);
  blobs(1000, 2, xt, yt);
  auto one = make_logistic_regression(1.0, 300, 1);
  auto two = make_logistic_regression(1.0, 300, 2);
  one->fit(x, y, 3);
  two->fit(x, y, 3);
  std::vector<float> p1 = one->predict_proba(xt), p2 = two->predict_proba(xt);
  EXPECT_EQ(p1, p2);  // fixed row blocks, reduced in order: bit-identical
  // Bayes accuracy for these blobs is about 0.90.
  EXPECT_GT(accuracy(yt, argmax_rows(p1, 3)), 0.85);
}

TEST(LogisticRegression, StrongerPenaltyShrinksTowardsTheClassShares) {
  Matrix x, xt;
  std::vector<int> y, yt;
  blobs(2000, 3, x, y);
  auto weak = make_logistic_regression(1.0, 300, 1);
  auto strong = make_logistic_regression(1e-6, 300, 1);
  weak->fit(x, y, 3);
  strong->fit(x, y, 3);
  std::vector<float> pw = weak->predict_proba(x), ps = strong->predict_proba(x);
  double spread_w = 0, spread_s = 0;
  for (size_t r = 0; r < x.rows; ++r) {
    spread_w += std::abs(pw[r * 3] - pw[r * 3 + 1]);
    spread_s += std::abs(ps[r * 3] - ps[r * 3 + 1]);
  }
  EXPECT_LT(spread_s, 0.05 * spread_w);
}

TEST(Trees, ForestAndBoostingLearnXor) {
  if (!classifier_available("gradient_boosting")) GTEST_SKIP() << "built without XGBoost";
  // XOR of two binary features plus a noise feature: no linear model can do it.
  core::Rng rng(5);
  std::vector<float> dense(800 * 3);
  std::vector<int> y(800);
  for (size_t r = 0; r < 800; ++r) {
    int a = static_cast<int>(rng.below(2)), b = static_cast<int>(rng.below(2));
    dense[r * 3] = static_cast<float>(a);
    dense[r * 3 + 1] = static_cast<float>(b);
    dense[r * 3 + 2] = static_cast<float>(rng.uniform());
    y[r] = a ^ b;
  }
  const Matrix x = Matrix::from_dense(800, 3, dense);
  ClassifierSettings s;
  s.threads = 1;
  s.rf_trees = 20;
  s.gbt_rounds = 30;
  for (const char* name : {"random_forest", "gradient_boosting"}) {
    auto model = make_classifier(name, s);
    model->fit(x, y, 2);
    EXPECT_GT(accuracy(y, argmax_rows(model->predict_proba(x), 2)), 0.99) << name;
  }
  auto lr = make_classifier("logistic_regression", s);
  lr->fit(x, y, 2);
  EXPECT_LT(accuracy(y, argmax_rows(lr->predict_proba(x), 2)), 0.65);
}

// The encoder's sparse rows: one entry per one-hot block (its set slot), the zeros absent.
// Two 4-level columns, y = (first is level 2) xor (second is level 0): the trees split
// "this level or not" on the absent-is-missing slots, and the linear model gets the same
// numbers as from the dense matrix with every zero present.
TEST(SparseRows, OneHotSlotsWithoutZerosMatchTheDenseMatrix) {
  core::Rng rng(11);
  Matrix sparse;
  sparse.cols = 8;
  std::vector<float> dense(600 * 8, 0.0f);
  std::vector<int> y(600);
  for (size_t r = 0; r < 600; ++r) {
    const auto a = static_cast<uint32_t>(rng.below(4)), b = static_cast<uint32_t>(rng.below(4));
    sparse.push(a, 1.0f);
    sparse.push(4 + b, 1.0f);
    sparse.end_row();
    dense[r * 8 + a] = dense[r * 8 + 4 + b] = 1.0f;
    y[r] = (a == 2) != (b == 0) ? 1 : 0;
  }
  const Matrix full = Matrix::from_dense(600, 8, dense);
  EXPECT_EQ(sparse.entries(), 2 * sparse.rows);
  auto lr_sparse = make_logistic_regression(1.0, 300, 1);
  auto lr_dense = make_logistic_regression(1.0, 300, 1);
  lr_sparse->fit(sparse, y, 2);
  lr_dense->fit(full, y, 2);
  EXPECT_EQ(lr_sparse->predict_proba(sparse), lr_dense->predict_proba(full));
  if (!classifier_available("gradient_boosting")) GTEST_SKIP() << "built without XGBoost";
  ClassifierSettings s;
  s.threads = 1;
  s.gbt_rounds = 30;
  auto gbt = make_classifier("gradient_boosting", s);
  gbt->fit(sparse, y, 2);
  EXPECT_EQ(accuracy(y, argmax_rows(gbt->predict_proba(sparse), 2)), 1.0);
}

TEST(Trees, MultiClassProbabilitiesSumToOne) {
  if (!classifier_available("gradient_boosting")) GTEST_SKIP() << "built without XGBoost";
  Matrix x, xt;
  std::vector<int> y, yt;
  blobs(1500, 8, x, y);
  blobs(500, 9, xt, yt);
  ClassifierSettings s;
  s.threads = 1;
  s.rf_trees = 20;
  s.gbt_rounds = 40;
  for (const char* name : {"random_forest", "gradient_boosting"}) {
    auto model = make_classifier(name, s);
    model->fit(x, y, 3);
    std::vector<float> p = model->predict_proba(xt);
    ASSERT_EQ(p.size(), xt.rows * 3);
    for (size_t r = 0; r < xt.rows; ++r)
      EXPECT_NEAR(p[3 * r] + p[3 * r + 1] + p[3 * r + 2], 1.0, 1e-5);
    EXPECT_GT(accuracy(yt, argmax_rows(p, 3)), 0.8) << name;
  }
}

TEST(Classifiers, UnknownNameIsRejected) {
  EXPECT_THROW(make_classifier("svm", ClassifierSettings{}), std::exception);
  EXPECT_FALSE(classifier_available("svm"));
  EXPECT_TRUE(classifier_available("logistic_regression"));
}

}  // namespace
}  // namespace meg::eval
