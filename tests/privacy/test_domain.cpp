#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "meg/error.hpp"
#include "privacy/domain.hpp"
#include "privacy/mechanisms.hpp"

using namespace meg::privacy;

TEST(PrivateQuantile, FindsTheQuantileAtLargeEpsilon) {
  SecureRng rng = SecureRng::from_seed(41);
  std::vector<double> v;
  for (int i = 0; i < 10000; ++i) v.push_back(17 + (i * 7919) % 74);  // ages 17..90
  std::sort(v.begin(), v.end());
  const PublicGrid grid{0, 120, 1};
  for (double q : {0.1, 0.5, 0.9}) {
    const double true_q = v[static_cast<size_t>(q * static_cast<double>(v.size()))];
    const double got = private_quantile(rng, v, q, grid, 5.0);
    // rank error of a few rows at most: within one grid step of the true quantile
    EXPECT_NEAR(got, true_q, 1.0) << q;
  }
}

TEST(PrivateQuantile, FollowsAPointMassAndStaysOnTheGrid) {
  SecureRng rng = SecureRng::from_seed(42);
  std::vector<double> v(9000, 0.0);  // capital_gain-like: mostly zeros, a long tail
  for (int i = 0; i < 1000; ++i) v.push_back(1000 + 97 * i);
  std::sort(v.begin(), v.end());
  const PublicGrid grid{0, 100000, 1};
  // 0 is the median exactly (#{x < 0} = 0 <= 5000 <= 9000 = #{x <= 0}); the next grid
  // points are 4000 rows away.
  EXPECT_EQ(private_quantile(rng, v, 0.5, grid, 1.0), 0.0);
  // The 0.95-quantile lies between the 500th and 501st tail values, 49403 and 49500; at
  // epsilon 10 the choice is a few rows (gaps of 97) from it.
  const double q95 = private_quantile(rng, v, 0.95, grid, 10.0);
  EXPECT_GE(q95, 49403 - 8 * 97);
  EXPECT_LE(q95, 49500 + 8 * 97);
  EXPECT_DOUBLE_EQ(q95, std::round(q95));
}

TEST(PrivateQuantile, SmallEpsilonSpreadsOverTheGrid) {
  // With epsilon -> 0 the choice is uniform over the grid whatever the data.
  SecureRng rng = SecureRng::from_seed(43);
  const std::vector<double> v(100, 5.0);
  const PublicGrid grid{0, 99, 1};
  double sum = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) sum += private_quantile(rng, v, 0.5, grid, 1e-9);
  EXPECT_NEAR(sum / n, 49.5, 5 * 28.9 / std::sqrt(n));
}

TEST(NoisyHistogram, CountsCellsThenAddsNoise) {
  SecureRng a = SecureRng::from_seed(44), b = SecureRng::from_seed(44);
  const std::vector<double> v = {-5, 0, 0.5, 1, 1.5, 2.9, 3, 99};
  const PublicGrid grid{0, 3, 1};  // cells [0,1) [1,2) [2,3]; outside values clamped
  const DiscreteGaussian g(1.0);
  const auto h = noisy_histogram(a, v, grid, g);
  ASSERT_EQ(h.size(), 3u);
  const std::vector<int64_t> exact = {3, 2, 3};
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(h[i], exact[i] + g(b));
  EXPECT_THROW(noisy_histogram(a, v, PublicGrid{0, 1e7, 1}, g), meg::InvalidArgument);
}

TEST(SelectLevels, KeepsFrequentLevelsAndDropsSingletons) {
  SecureRng rng = SecureRng::from_seed(45);
  const DiscreteGaussian g(25.0);  // sigma 5
  const int64_t tau = release_threshold(g, 1e-6);
  EXPECT_GT(tau, 20);
  const std::vector<int64_t> counts = {5000, 1, 300, 2, 1, 60};
  int kept_singleton = 0;
  for (int rep = 0; rep < 200; ++rep) {
    const auto sel = select_levels(rng, counts, g, tau);
    ASSERT_EQ(sel.noisy.size(), counts.size());
    EXPECT_TRUE(std::is_sorted(sel.kept.begin(), sel.kept.end()));
    EXPECT_NE(std::find(sel.kept.begin(), sel.kept.end(), 0u), sel.kept.end());
    EXPECT_NE(std::find(sel.kept.begin(), sel.kept.end(), 2u), sel.kept.end());
    EXPECT_NE(std::find(sel.kept.begin(), sel.kept.end(), 5u), sel.kept.end());
    for (size_t i : sel.kept) kept_singleton += counts[i] <= 2;
  }
  EXPECT_EQ(kept_singleton, 0);
}
