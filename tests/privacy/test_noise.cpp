// The exact samplers against their distributions: the pmf by a chi-square test, the mean,
// the variance and the tails, on seeded streams (deterministic: no flakes).
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "meg/error.hpp"
#include "privacy/mechanisms.hpp"
#include "privacy/noise.hpp"
#include "stats.hpp"

using namespace meg::privacy;
using meg::privacy::testing::chi2_critical;
using meg::privacy::testing::chi2_statistic;
using meg::privacy::testing::wilson;

namespace {

struct Sample {
  std::map<int64_t, uint64_t> counts;
  double mean = 0, var = 0;
  uint64_t n = 0;
};

template <class Draw>
Sample draw_many(Draw draw, uint64_t n) {
  Sample s;
  s.n = n;
  double sum = 0, sum2 = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const int64_t z = draw();
    ++s.counts[z];
    sum += static_cast<double>(z);
    sum2 += static_cast<double>(z) * static_cast<double>(z);
  }
  s.mean = sum / static_cast<double>(n);
  s.var = sum2 / static_cast<double>(n) - s.mean * s.mean;
  return s;
}

// Chi-square of the sample against pmf(z) on z in [-width, width] (the rest pooled).
template <class Pmf>
void expect_pmf(const Sample& s, Pmf pmf, int64_t width, const std::string& what) {
  std::vector<uint64_t> obs;
  std::vector<double> prob;
  for (int64_t z = -width; z <= width; ++z) {
    auto it = s.counts.find(z);
    obs.push_back(it == s.counts.end() ? 0 : it->second);
    prob.push_back(pmf(z));
  }
  const auto [stat, dof] = chi2_statistic(obs, prob, s.n);
  EXPECT_LT(stat, chi2_critical(dof)) << what << " (dof " << dof << ")";
  EXPECT_GE(dof, 1) << what;
}

// A parameter rounded towards more noise: at least the requested value, and close to it.
void expect_rounded_up(double used, double asked, double tol) {
  EXPECT_GE(used, asked);
  EXPECT_LT(used - asked, tol);
}

// Sample mean near 0 and sample variance near var (5 standard errors; the variance's uses a
// fourth moment E z^4 below k var^2).
void expect_moments(const Sample& s, double var, double k, double label) {
  EXPECT_NEAR(s.mean, 0.0, 5 * std::sqrt(var / static_cast<double>(s.n))) << label;
  EXPECT_NEAR(s.var, var, 5 * std::sqrt(k * var * var / static_cast<double>(s.n))) << label;
}

// The discrete Laplace pmf with ratio p = exp(-1 / scale).
auto laplace_pmf(double p) {
  return [p](int64_t z) { return (1 - p) / (1 + p) * std::pow(p, std::abs(z)); };
}

double gauss_weight(double s2, int64_t z) {
  return std::exp(-static_cast<double>(z) * static_cast<double>(z) / (2 * s2));
}

double gauss_norm(double s2) {
  double norm = 1;
  for (int64_t z = 1; z < 60 * std::sqrt(s2) + 60; ++z) norm += 2 * gauss_weight(s2, z);
  return norm;
}

}  // namespace

TEST(DiscreteLaplace, MatchesItsPmfMeanAndVariance) {
  SecureRng rng = SecureRng::from_seed(101);
  for (double scale : {0.4, 1.0, 3.7, 50.0}) {
    const DiscreteLaplace lap(scale);
    const double b = lap.scale().value();
    expect_rounded_up(b, scale, 1e-5);
    const Sample s = draw_many([&] { return lap(rng); }, 100000);
    const double p = std::exp(-1 / b);
    expect_pmf(s, laplace_pmf(p), static_cast<int64_t>(6 * b) + 3,
               "discrete Laplace scale " + std::to_string(scale));
    expect_moments(s, lap.variance(), 8, scale);  // E z^4 < 8 var^2 at these scales
  }
}

TEST(DiscreteLaplace, SampleMatchesScaleRatio) {
  SecureRng rng = SecureRng::from_seed(102);
  // scale t / s = 5 / 2: P(z) proportional to exp(-|z| 2 / 5).
  const Sample s = draw_many([&] { return sample_discrete_laplace(rng, 5, 2); }, 100000);
  expect_pmf(s, laplace_pmf(std::exp(-0.4)), 20, "scale 5/2");
}

TEST(DiscreteGaussian, MatchesItsPmfMeanVarianceAndTails) {
  SecureRng rng = SecureRng::from_seed(103);
  for (double sigma2 : {0.3, 2.0, 10.0, 400.0}) {
    const DiscreteGaussian g(sigma2);
    const double s2 = g.sigma2().value();
    expect_rounded_up(s2, sigma2, 1e-6);
    const double norm = gauss_norm(s2);
    const Sample s = draw_many([&] { return g(rng); }, 100000);
    expect_pmf(
        s, [&](int64_t z) { return gauss_weight(s2, z) / norm; },
        static_cast<int64_t>(5 * std::sqrt(s2)) + 2, "discrete Gaussian " + std::to_string(sigma2));
    double var = 0;  // exact variance of the discrete Gaussian (at most sigma^2)
    for (int64_t z = 1; z < 60 * std::sqrt(s2) + 60; ++z) {
      var += 2 * static_cast<double>(z * z) * gauss_weight(s2, z) / norm;
    }
    EXPECT_LE(var, s2 * (1 + 1e-12));
    expect_moments(s, var, 4, sigma2);  // E z^4 < 4 var^2
    // Tail beyond 2 sigma against discrete_gaussian_tail (mirrored).
    const auto k = static_cast<int64_t>(std::ceil(2 * std::sqrt(s2)));
    uint64_t beyond = 0;
    for (const auto& [z, c] : s.counts) beyond += std::abs(z) >= k ? c : 0;
    const double p = 2 * discrete_gaussian_tail(s2, k);
    const auto ci = wilson(beyond, s.n, 5.0);
    EXPECT_LE(ci.lo, p) << sigma2;
    EXPECT_GE(ci.hi, p) << sigma2;
  }
}

TEST(DiscreteGaussian, LargeScaleHasTheRightSpread) {
  SecureRng rng = SecureRng::from_seed(104);
  const double sigma2 = 1e10;  // sigma = 1e5: 128-bit acceptance arithmetic at scale
  const DiscreteGaussian g(sigma2);
  const Sample s = draw_many([&] { return g(rng); }, 20000);
  expect_moments(s, sigma2, 3, sigma2);  // essentially continuous: E z^4 = 3 var^2
}

TEST(DiscreteGaussian, SameSeedSameNoise) {
  const DiscreteGaussian g(7.5);
  const DiscreteLaplace l(2.0);
  SecureRng a = SecureRng::from_seed(9), b = SecureRng::from_seed(9);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(g(a), g(b));
    EXPECT_EQ(l(a), l(b));
  }
}

TEST(DiscreteGaussian, RejectsBadParameters) {
  EXPECT_THROW(DiscreteGaussian{0.0}, meg::InvalidArgument);
  EXPECT_THROW(DiscreteGaussian{-1.0}, meg::InvalidArgument);
  EXPECT_THROW(DiscreteGaussian{INFINITY}, meg::InvalidArgument);
  EXPECT_THROW(DiscreteLaplace{0.0}, meg::InvalidArgument);
  EXPECT_THROW(DiscreteLaplace{NAN}, meg::InvalidArgument);
}

TEST(Mechanisms, NoisyCountsAreCountsPlusNoise) {
  const std::vector<int64_t> counts = {0, 5, 100, 1000};
  const DiscreteGaussian g(4.0);
  SecureRng a = SecureRng::from_seed(21), b = SecureRng::from_seed(21);
  const auto noisy = noisy_counts(a, counts, g);
  ASSERT_EQ(noisy.size(), counts.size());
  for (size_t i = 0; i < counts.size(); ++i) EXPECT_EQ(noisy[i], counts[i] + g(b));
  // Averages over many releases recover the counts (unbiased noise).
  SecureRng r = SecureRng::from_seed(22);
  std::vector<double> mean(counts.size(), 0);
  const int reps = 20000;
  for (int k = 0; k < reps; ++k) {
    const auto x = noisy_counts(r, counts, DiscreteLaplace(3.0));
    for (size_t i = 0; i < x.size(); ++i) mean[i] += static_cast<double>(x[i]) / reps;
  }
  const double sd = std::sqrt(DiscreteLaplace(3.0).variance() / reps);
  for (size_t i = 0; i < counts.size(); ++i) {
    EXPECT_NEAR(mean[i], static_cast<double>(counts[i]), 5 * sd);
  }
}

TEST(Mechanisms, SnappedQueryIsOnTheGridAndUnbiased) {
  SecureRng r = SecureRng::from_seed(23);
  const DiscreteGaussian g(25.0);  // sd 5 grid units
  double sum = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const double v = snapped_query(r, 12.34, 0.5, g);
    EXPECT_DOUBLE_EQ(v / 0.5, std::round(v / 0.5));
    sum += v;
  }
  EXPECT_NEAR(sum / n, 12.5, 5 * 0.5 * 5 / std::sqrt(n));  // round(12.34 / 0.5) * 0.5
  EXPECT_DOUBLE_EQ(snapped_sensitivity(1.0, 0.5), 3.0);
  EXPECT_DOUBLE_EQ(snapped_sensitivity(1.0, 0.3), 5.0);
}

TEST(Mechanisms, TailAndReleaseThreshold) {
  // Small sigma: the tail by hand. sigma2 = 1: weights exp(-z^2/2).
  double norm = gauss_norm(1.0);
  double tail3 = 0;
  for (int z = 3; z < 60; ++z) tail3 += gauss_weight(1.0, z);
  EXPECT_NEAR(discrete_gaussian_tail(1.0, 3), tail3 / norm, 1e-15);
  EXPECT_NEAR(discrete_gaussian_tail(1.0, 0), 0.5 + 0.5 / norm, 1e-15);
  EXPECT_NEAR(discrete_gaussian_tail(1.0, -100), 1.0, 1e-15);
  // The threshold is the smallest tau with P(Z >= tau - 1) <= delta.
  const DiscreteGaussian g(100.0);
  for (double delta : {1e-3, 1e-6, 1e-9}) {
    const int64_t tau = release_threshold(g, delta);
    EXPECT_LE(discrete_gaussian_tail(100.0, tau - 1), delta);
    EXPECT_GT(discrete_gaussian_tail(100.0, tau - 2), delta);
  }
  // About 1 + 4.75 sigma at delta = 1e-6 for sigma = 10.
  EXPECT_NEAR(static_cast<double>(release_threshold(g, 1e-6)), 1 + 47.5, 2.0);
}
