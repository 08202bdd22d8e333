#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "core/rng.hpp"
#include "ensemble/weights.hpp"

using namespace meg::ensemble;

TEST(Weights, EmRecoversMixtureProportions) {
  // Rows drawn from a 0.7/0.3 mixture of two distinct unit densities over 4 symbols.
  const std::vector<std::vector<double>> p{{0.7, 0.1, 0.1, 0.1}, {0.05, 0.05, 0.2, 0.7}};
  meg::core::Rng rng(1);
  std::vector<std::vector<double>> ll(2);
  for (int i = 0; i < 20000; ++i) {
    const auto& src = rng.uniform() < 0.7 ? p[0] : p[1];
    double u = rng.uniform(), acc = 0;
    size_t x = 0;
    for (; x < 3; ++x) {
      acc += src[x];
      if (u < acc) break;
    }
    ll[0].push_back(std::log(p[0][x]));
    ll[1].push_back(std::log(p[1][x]));
  }
  auto w = em_weights(ll);
  EXPECT_NEAR(w[0], 0.7, 0.03);
  EXPECT_NEAR(w[0] + w[1], 1.0, 1e-12);
  EXPECT_GT(mixture_loglik(ll, w), mixture_loglik(ll, {0.5, 0.5}));
}

TEST(Weights, EmPrefersTheClearlyBetterUnit) {
  std::vector<std::vector<double>> ll{
      {-1.0, -1.2, -0.9, -1.1}, {-5.0, -6.0, -4.0, -5.5}, {-3.0, -3.0, -3.0, -3.0}};
  auto w = em_weights(ll);
  EXPECT_GT(w[0], 0.99);
  auto s = softmax_loglik_weights(ll, 1.0);
  EXPECT_GT(s[0], s[2]);
  EXPECT_GT(s[2], s[1]);
}

TEST(Weights, ReferenceFormulaIsBoundedByE) {
  // softmax(1 - softmax(L)): the weight ratio can never exceed e.
  auto w = reference_weights({1e5, 1e5 + 1, 1e5 + 50});
  double ratio = *std::max_element(w.begin(), w.end()) / *std::min_element(w.begin(), w.end());
  EXPECT_LE(ratio, std::exp(1.0) + 1e-9);
  EXPECT_NEAR(std::accumulate(w.begin(), w.end(), 0.0), 1.0, 1e-12);
  // The notebook's example: losses 110714.4 and 110715.2 give (0.59, 0.41).
  auto two = reference_weights({110714.4, 110715.2});
  EXPECT_NEAR(two[0], 0.59, 0.01);
}

TEST(Weights, LargestRemainderIsExact) {
  auto c = largest_remainder({0.5, 0.3, 0.2}, 11);
  EXPECT_EQ(c, (std::vector<uint64_t>{6, 3, 2}));
  EXPECT_EQ(std::accumulate(c.begin(), c.end(), uint64_t{0}), 11u);
  auto z = largest_remainder({1.0, 0.0}, 5);
  EXPECT_EQ(z, (std::vector<uint64_t>{5, 0}));
  EXPECT_EQ(largest_remainder({0.25, 0.25, 0.25, 0.25}, 2), (std::vector<uint64_t>{1, 1, 0, 0}));
}
