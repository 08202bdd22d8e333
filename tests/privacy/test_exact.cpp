#include <gtest/gtest.h>

#include <cmath>

#include "meg/error.hpp"
#include "privacy/exact.hpp"
#include "stats.hpp"

using namespace meg::privacy;
using meg::privacy::testing::wilson;

namespace {

// The frequency of `draw` over n trials brackets p at z = 5.
template <class F>
void expect_rate(F draw, double p, uint64_t n, const char* what) {
  uint64_t hits = 0;
  for (uint64_t i = 0; i < n; ++i) hits += draw() ? 1 : 0;
  const auto ci = wilson(hits, n, 5.0);
  EXPECT_LE(ci.lo, p) << what;
  EXPECT_GE(ci.hi, p) << what;
}

}  // namespace

TEST(Exact, RatioRoundsInTheAskedDirection) {
  const Ratio up = ratio_at_least(0.1, 20), down = ratio_at_most(0.1, 20);
  EXPECT_GE(up.value(), 0.1);
  EXPECT_LE(down.value(), 0.1);
  EXPECT_DOUBLE_EQ(up.value() - down.value(), std::ldexp(1.0, -20));  // adjacent multiples
  const Ratio exact = ratio_at_least(2.5, 20);                        // reduced to lowest terms
  EXPECT_EQ(exact.num, 5u);
  EXPECT_EQ(exact.den, 2u);
  const Ratio big = ratio_at_least(1e15, 32);  // fewer fractional bits, num below 2^62
  EXPECT_LT(big.num, uint64_t{1} << 62);
  EXPECT_GE(big.value(), 1e15);
  EXPECT_THROW(ratio_at_least(-1, 8), meg::InvalidArgument);
  EXPECT_THROW(ratio_at_least(NAN, 8), meg::InvalidArgument);
  EXPECT_THROW(ratio_at_most(1e30, 8), meg::InvalidArgument);
}

TEST(Exact, FloorSqrtRatio) {
  EXPECT_EQ(floor_sqrt_ratio(0, 1), 0u);
  EXPECT_EQ(floor_sqrt_ratio(15, 1), 3u);
  EXPECT_EQ(floor_sqrt_ratio(16, 1), 4u);
  EXPECT_EQ(floor_sqrt_ratio(9, 4), 1u);  // sqrt(2.25) = 1.5
  EXPECT_EQ(floor_sqrt_ratio(1000000, 1), 1000u);
  EXPECT_EQ(floor_sqrt_ratio(1, 1000), 0u);
}

TEST(Exact, BernoulliHasItsProbability) {
  SecureRng rng = SecureRng::from_seed(1);
  EXPECT_FALSE(bernoulli(rng, 0, 5));
  EXPECT_TRUE(bernoulli(rng, 5, 5));
  expect_rate([&] { return bernoulli(rng, 1, 3); }, 1.0 / 3, 200000, "1/3");
  expect_rate([&] { return bernoulli(rng, 7, 1000); }, 0.007, 200000, "7/1000");
  EXPECT_THROW(bernoulli(rng, 3, 2), meg::InvalidArgument);
}

TEST(Exact, BernoulliExpHasItsProbability) {
  SecureRng rng = SecureRng::from_seed(2);
  EXPECT_TRUE(bernoulli_exp(rng, 0, 1));
  for (auto [num, den] : {std::pair<u128, u128>{1, 1}, {3, 10}, {5, 2}, {7, 3}, {1, 1000}}) {
    const double p = std::exp(-static_cast<double>(num) / static_cast<double>(den));
    expect_rate([&] { return bernoulli_exp(rng, num, den); }, p, 200000, "exp(-num/den)");
  }
}

TEST(Exact, BernoulliExpSquareHandlesWideProducts) {
  SecureRng rng = SecureRng::from_seed(3);
  // a^2 within 128 bits: a = 3 * 2^62, b = 6 * 2^124, a^2 / b = 1.5.
  const u128 a = u128{3} << 62, b = u128{6} << 124;
  expect_rate([&] { return bernoulli_exp_square(rng, a, b); }, std::exp(-1.5), 200000,
              "a^2 in 128 bits");
  // a^2 beyond 128 bits: a = 1.5 * 2^64, b = 1.5 * 2^126, a^2 / b = 6.
  const u128 a2 = (u128{1} << 64) + (u128{1} << 63);
  const u128 b2 = (u128{1} << 126) + (u128{1} << 125);
  expect_rate([&] { return bernoulli_exp_square(rng, a2, b2); }, std::exp(-6.0), 400000,
              "a^2 in 256 bits");
  // A quotient far beyond 64 bits (a = 3 * 2^70, b = 3 * 2^125: a^2 / b = 3 * 2^15).
  uint64_t hits = 0;
  for (int i = 0; i < 1000; ++i) hits += bernoulli_exp_square(rng, u128{3} << 70, u128{3} << 125);
  EXPECT_EQ(hits, 0u);
  EXPECT_THROW(bernoulli_exp_square(rng, 1, u128{1} << 127), meg::InvalidArgument);
}
