// An empirical privacy check of the counting mechanisms: release the noisy histogram of a
// table D and of a neighbour D' (one row changed) many times, and bound the privacy loss
// seen on events S: ln((P'(S) - delta) / P(S)) with P' taken at its lower and P at its
// upper confidence limit (Wilson, z = 4.5 each). The observed loss must stay within the
// mechanism's epsilon; and it must come close to epsilon for the tight Laplace mechanism,
// and exceed it for a deliberately under-noised one, so the check can fail.
#include <gtest/gtest.h>

#include <cmath>

#include "privacy/accountant.hpp"
#include "privacy/mechanisms.hpp"
#include "stats.hpp"

using namespace meg::privacy;
using meg::privacy::testing::wilson;

namespace {

constexpr double kZ = 4.5;

// A 40-row table with one categorical column of 3 levels; D' changes row 0 from level 0
// to level 2, so its histogram is (c0 - 1, c1, c2 + 1): L1 distance 2, L2 distance sqrt(2).
std::vector<int> table(bool neighbour) {
  std::vector<int> rows;
  for (int i = 0; i < 40; ++i) rows.push_back(i % 3);
  if (neighbour) rows[0] = 2;
  return rows;
}

std::vector<int64_t> histogram(const std::vector<int>& rows) {
  std::vector<int64_t> h(3, 0);
  for (int r : rows) ++h[static_cast<size_t>(r)];
  return h;
}

// The largest lower confidence bound on the privacy loss over the events
// S_k = {noisy c0 <= c0 - k, noisy c2 >= c2 + k}, k = 1..4.
template <class Noise>
double observed_loss(const Noise& noise, uint64_t seed, uint64_t runs, double delta) {
  SecureRng rng = SecureRng::from_seed(seed);
  const std::vector<int> d = table(false), d2 = table(true);
  const std::vector<int64_t> exact = histogram(d);
  constexpr int kEvents = 4;
  std::vector<uint64_t> hits(kEvents, 0), hits2(kEvents, 0);
  for (uint64_t run = 0; run < runs; ++run) {
    const auto o = noisy_counts(rng, histogram(d), noise);
    const auto o2 = noisy_counts(rng, histogram(d2), noise);
    for (int k = 1; k <= kEvents; ++k) {
      hits[k - 1] += o[0] <= exact[0] - k && o[2] >= exact[2] + k;
      hits2[k - 1] += o2[0] <= exact[0] - k && o2[2] >= exact[2] + k;
    }
  }
  double worst = -INFINITY;
  for (int k = 0; k < kEvents; ++k) {
    const double p = wilson(hits[k], runs, kZ).hi, p2 = wilson(hits2[k], runs, kZ).lo;
    if (p2 - delta > 0 && p > 0) worst = std::max(worst, std::log((p2 - delta) / p));
  }
  return worst;
}

}  // namespace

TEST(EmpiricalPrivacy, LaplaceCountsStayWithinEpsilonAndAreTight) {
  const double eps = 2.0;                  // large epsilon: the loss is measurable with 2e5 runs
  const DiscreteLaplace noise(2.0 / eps);  // L1 sensitivity 2 (one row changed)
  const double seen = observed_loss(noise, 61, 200000, 0.0);
  EXPECT_LE(seen, eps);
  EXPECT_GE(seen, 0.8 * eps);  // the bound is nearly attained: the noise is not oversized
}

TEST(EmpiricalPrivacy, UnderNoisedLaplaceIsCaught) {
  const double eps = 2.0;
  const DiscreteLaplace half(1.0 / eps);  // half the scale needed: really 2 * eps
  EXPECT_GT(observed_loss(half, 62, 200000, 0.0), eps);
}

TEST(EmpiricalPrivacy, GaussianCountsStayWithinTheirZcdpGuarantee) {
  const double rho = 1.0;
  const double sigma2 = gaussian_sigma2(std::sqrt(2.0), rho);  // L2 sensitivity sqrt(2)
  const DiscreteGaussian noise(sigma2);
  const double delta = 1e-3;
  const double eps = cdp_epsilon(rho, delta);
  const double seen = observed_loss(noise, 63, 100000, delta);
  EXPECT_LE(seen, eps);
  EXPECT_GT(seen, 0.0);  // the two tables are told apart somewhat: the events measure something
}
