#include <gtest/gtest.h>

#include <cmath>

#include "meg/error.hpp"
#include "privacy/selection.hpp"
#include "stats.hpp"

using namespace meg::privacy;
using meg::privacy::testing::chi2_critical;
using meg::privacy::testing::chi2_statistic;

namespace {

std::vector<double> em_probabilities(const std::vector<double>& u, double rate) {
  std::vector<double> p(u.size());
  double best = *std::max_element(u.begin(), u.end()), sum = 0;
  for (size_t i = 0; i < u.size(); ++i) sum += p[i] = std::exp(rate * (u[i] - best));
  for (double& x : p) x /= sum;
  return p;
}

}  // namespace

TEST(ExponentialMechanism, IntegerUtilitiesHaveTheMechanismsDistribution) {
  SecureRng rng = SecureRng::from_seed(31);
  const std::vector<int64_t> u = {0, 3, 5, 5, -4, 1};
  const Ratio rate{1, 2};  // P(i) proportional to exp(u_i / 2)
  const std::vector<double> ud(u.begin(), u.end());
  const auto p = em_probabilities(ud, 0.5);
  std::vector<uint64_t> counts(u.size(), 0);
  const uint64_t n = 100000;
  for (uint64_t i = 0; i < n; ++i) ++counts[exponential_mechanism_units(rng, u, rate)];
  const auto [stat, dof] = chi2_statistic(counts, p, n);
  EXPECT_LT(stat, chi2_critical(dof));
}

TEST(ExponentialMechanism, RealScoresAreSnappedAndCalibratedToTheirSensitivity) {
  SecureRng rng = SecureRng::from_seed(32);
  // Scores on the grid already: the rate is epsilon g / (2 (Delta + g)) per unit.
  const std::vector<double> scores = {0.0, 1.0, 2.5, -1.0};
  const double eps = 2.0, delta = 1.0, g = 0.5;
  const auto p = em_probabilities(scores, eps / (2 * (delta + g)));
  std::vector<uint64_t> counts(scores.size(), 0);
  const uint64_t n = 100000;
  for (uint64_t i = 0; i < n; ++i) {
    ++counts[exponential_mechanism(rng, scores, eps, delta, g)];
  }
  const auto [stat, dof] = chi2_statistic(counts, p, n);
  EXPECT_LT(stat, chi2_critical(dof));
}

TEST(ExponentialMechanism, LargeEpsilonPicksTheBestAndTinyEpsilonIsUniform) {
  SecureRng rng = SecureRng::from_seed(33);
  const std::vector<double> scores = {10, 500, 20, 499.0};
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(exponential_mechanism(rng, scores, 1000.0, 1.0, 0.01), 1u);
  }
  std::vector<uint64_t> counts(4, 0);
  for (int i = 0; i < 40000; ++i) ++counts[exponential_mechanism(rng, scores, 1e-9, 1.0, 0.01)];
  const auto [stat, dof] = chi2_statistic(counts, {0.25, 0.25, 0.25, 0.25}, 40000);
  EXPECT_LT(stat, chi2_critical(dof));
}

TEST(ExponentialMechanism, OnDemandUtilitiesOverALargeSet) {
  SecureRng rng = SecureRng::from_seed(34);
  // 200,000 candidates, utility -|i - 140000|: the choice lands near 140000.
  const size_t m = 200000;
  auto u = [](size_t i) { return -std::abs(static_cast<int64_t>(i) - 140000); };
  const size_t pick = exponential_mechanism_units(rng, m, u, 0, Ratio{1, 1});
  EXPECT_NEAR(static_cast<double>(pick), 140000.0, 30.0);
}

TEST(ExponentialMechanism, RejectsBadInput) {
  SecureRng rng = SecureRng::from_seed(35);
  EXPECT_THROW(exponential_mechanism(rng, {}, 1.0, 1.0, 0.1), meg::InvalidArgument);
  EXPECT_THROW(exponential_mechanism(rng, {1.0, NAN}, 1.0, 1.0, 0.1), meg::InvalidArgument);
  EXPECT_THROW(exponential_mechanism(rng, {1.0}, 0.0, 1.0, 0.1), meg::InvalidArgument);
  EXPECT_THROW(exponential_mechanism(rng, {1.0}, 1.0, 1.0, 0.0), meg::InvalidArgument);
}
