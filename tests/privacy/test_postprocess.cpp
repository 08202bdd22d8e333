#include <gtest/gtest.h>

#include "meg/error.hpp"
#include "privacy/postprocess.hpp"

using namespace meg::privacy;

TEST(PostProcess, FloorCountsClipsAndFloors) {
  EXPECT_EQ(floor_counts({-3, 0, 2, 5, 10}, 0), (std::vector<double>{0, 0, 2, 5, 10}));
  EXPECT_EQ(floor_counts({-3, 0, 2, 5, 10}, 5), (std::vector<double>{0, 0, 0, 5, 10}));
}

TEST(PostProcess, MarginsOfARowMajorTable) {
  const DenseTable t{{2, 3}, {1, 2, 3, 4, 5, 6}};
  EXPECT_EQ(t.margin(0), (std::vector<double>{6, 15}));
  EXPECT_EQ(t.margin(1), (std::vector<double>{5, 7, 9}));
  EXPECT_THROW(t.margin(2), meg::InvalidArgument);
  EXPECT_THROW((DenseTable{{2, 2}, {1, 2, 3}}.margin(0)), meg::InvalidArgument);
}

TEST(PostProcess, InverseVarianceAverageWeighsByPrecision) {
  // Two estimates, variances 1 and 3: weights 3/4 and 1/4.
  const auto avg = inverse_variance_average({{10, 0}, {14, 4}}, {{1, 1}, {3, 1}});
  EXPECT_DOUBLE_EQ(avg[0], 11.0);
  EXPECT_DOUBLE_EQ(avg[1], 2.0);
  EXPECT_THROW(inverse_variance_average({{1}}, {{0}}), meg::InvalidArgument);
  EXPECT_THROW(inverse_variance_average({{1}, {1, 2}}, {{1}, {1, 1}}), meg::InvalidArgument);
}

TEST(PostProcess, RakingMatchesBothMarginsAndKeepsTheOddsRatio) {
  DenseTable t{{2, 2}, {10, 20, 30, 40}};
  const double odds = (10.0 * 40.0) / (20.0 * 30.0);
  const double err = rake(t, {{0, {50, 50}}, {1, {30, 70}}});
  EXPECT_LT(err, 1e-9);
  const auto r = t.margin(0), c = t.margin(1);
  EXPECT_NEAR(r[0], 50, 1e-6);
  EXPECT_NEAR(r[1], 50, 1e-6);
  EXPECT_NEAR(c[0], 30, 1e-6);
  EXPECT_NEAR(c[1], 70, 1e-6);
  // IPF preserves the table's interaction (odds ratio): it changes margins only.
  EXPECT_NEAR(t.cells[0] * t.cells[3] / (t.cells[1] * t.cells[2]), odds, 1e-9);
}

TEST(PostProcess, RakingAThreeWayTableOnTwoAxesKeepsZeros) {
  DenseTable t{{2, 3, 2}, {5, 0, 1, 2, 3, 3, 4, 4, 0, 6, 2, 2}};
  const double err = rake(t, {{0, {12, 18}}, {2, {10, 20}}});
  EXPECT_LT(err, 1e-9);
  EXPECT_EQ(t.cells[1], 0.0);
  EXPECT_EQ(t.cells[8], 0.0);
  EXPECT_NEAR(t.margin(0)[0], 12, 1e-6);
  EXPECT_NEAR(t.margin(2)[1], 20, 1e-6);
}

TEST(PostProcess, UnreachableTargetIsReportedNotForced) {
  DenseTable t{{2, 2}, {0, 0, 3, 1}};  // row 0 is empty: its target cannot be met
  const double err = rake(t, {{0, {5, 5}}}, 20);
  EXPECT_EQ(t.cells[0], 0.0);
  EXPECT_NEAR(t.margin(0)[1], 5, 1e-9);
  EXPECT_LT(err, 1e-9);  // only slices with mass count as errors
  EXPECT_THROW(rake(t, {{0, {1, 2, 3}}}), meg::InvalidArgument);
  DenseTable neg{{2}, {-1, 2}};
  EXPECT_THROW(rake(neg, {{0, {1, 1}}}), meg::InvalidArgument);
}
