#include "data/dpgmm.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <vector>

#include "core/rng.hpp"
#include "meg/error.hpp"

namespace {

using meg::data::DpgmmModel;
using meg::data::DpgmmOptions;
using meg::data::fit_dpgmm;

struct Column {
  std::vector<double> values, counts;
  std::vector<int> truth;  // generating component of each value (mixture data only)
};

// Draws from a 3-mode mixture in original units: lo + range * N(mu_k, sd_k) with the scaled
// means 0.1, 0.6, 0.95, sigmas 0.03, 0.06, 0.015 and weights 0.3, 0.5, 0.2 (each draw is its own
// distinct value, count 1).
constexpr double kMu[3] = {0.1, 0.6, 0.95}, kSd[3] = {0.03, 0.06, 0.015}, kW[3] = {0.3, 0.5, 0.2};
constexpr double kLo = 1000, kRange = 50000;

Column three_modes(int n, uint64_t seed) {
  meg::core::Rng rng(seed);
  Column c;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    const int k = u < kW[0] ? 0 : (u < kW[0] + kW[1] ? 1 : 2);
    c.values.push_back(kLo + kRange * (kMu[k] + kSd[k] * rng.normal()));
    c.counts.push_back(1);
    c.truth.push_back(k);
  }
  return c;
}

// Every parameter finite, sigmas positive, weights summing to 1, means sorted, and every
// training value coded within range with each mode used by at least one value.
void expect_sane(const DpgmmModel& m, const std::vector<double>& values) {
  ASSERT_GE(m.num_modes(), 1);
  ASSERT_EQ(m.sigmas.size(), m.means.size());
  ASSERT_EQ(m.weights.size(), m.means.size());
  double weight_sum = 0;
  for (int k = 0; k < m.num_modes(); ++k) {
    const auto ku = static_cast<size_t>(k);
    EXPECT_TRUE(std::isfinite(m.means[ku]));
    EXPECT_TRUE(std::isfinite(m.sigmas[ku]));
    EXPECT_GT(m.sigmas[ku], 0);
    EXPECT_TRUE(std::isfinite(m.weights[ku]));
    EXPECT_GE(m.weights[ku], 0);
    EXPECT_TRUE(std::isfinite(m.score_const[ku]));
    EXPECT_TRUE(std::isfinite(m.score_prec[ku]));
    if (k > 0) {
      EXPECT_LE(m.means[ku - 1], m.means[ku]);
    }
    weight_sum += m.weights[ku];
  }
  EXPECT_NEAR(weight_sum, 1.0, 1e-9);
  std::vector<int> hits(static_cast<size_t>(m.num_modes()), 0);
  for (double x : values) {
    const int code = m.code(x);
    ASSERT_GE(code, 0);
    ASSERT_LT(code, m.num_codes());
    ++hits[static_cast<size_t>(code / 8)];
  }
  for (int h : hits) EXPECT_GT(h, 0) << "a used component got no training value";
}

TEST(Dpgmm, DigammaAndLogGammaAreAccurate) {
  using meg::data::detail::digamma;
  using meg::data::detail::log_gamma;
  constexpr double kEuler = 0.57721566490153286061;
  EXPECT_NEAR(digamma(1.0), -kEuler, 1e-14);
  EXPECT_NEAR(digamma(0.5), -kEuler - 2 * std::log(2.0), 1e-14);
  EXPECT_NEAR(digamma(2.0), 1 - kEuler, 1e-14);
  EXPECT_NEAR(digamma(10.0), 2.2517525890667211076, 1e-14);
  EXPECT_NEAR(digamma(1e-3), -1000.5755719318103, 1e-10);  // values from scipy
  EXPECT_NEAR(digamma(1e6), 13.81551005796419, 1e-12);
  // psi(x + 1) = psi(x) + 1/x.
  for (double x : {0.05, 0.7, 1.4616321449683623, 3.3, 9.99, 17.0, 1234.5}) {
    EXPECT_NEAR(digamma(x + 1), digamma(x) + 1 / x, 1e-12 * std::max(1.0, 1 / x)) << x;
    EXPECT_NEAR(log_gamma(x), std::lgamma(x), 1e-12 * std::max(1.0, std::abs(std::lgamma(x)))) << x;
  }
  EXPECT_NEAR(log_gamma(1e5), std::lgamma(1e5), 1e-9);
}

TEST(Dpgmm, RecoversThreeModes) {
  for (uint64_t seed : {1, 2, 3}) {
    const Column c = three_modes(3000, 100 + seed);
    const DpgmmModel m = fit_dpgmm(c.values, c.counts, DpgmmOptions{}, seed);
    ASSERT_EQ(m.num_modes(), 3) << "seed " << seed;
    EXPECT_TRUE(m.converged);
    for (size_t k = 0; k < 3; ++k) {
      // Means within 1% of the range; weights within 0.05. Sigmas are the posterior means, which
      // the Wishart prior (W0^-1 = column variance) inflates for narrow modes: within -30%/+60%.
      EXPECT_NEAR(m.means[k], kLo + kRange * kMu[k], 0.01 * kRange) << "seed " << seed;
      EXPECT_NEAR(m.weights[k], kW[k], 0.05) << "seed " << seed;
      EXPECT_GT(m.sigmas[k], 0.7 * kRange * kSd[k]) << "seed " << seed;
      EXPECT_LT(m.sigmas[k], 1.6 * kRange * kSd[k]) << "seed " << seed;
    }
    expect_sane(m, c.values);
  }
}

TEST(Dpgmm, ModeMatchesNearestComponentOnSeparatedData) {
  const Column c = three_modes(3000, 7);
  const DpgmmModel m = fit_dpgmm(c.values, c.counts, DpgmmOptions{}, 11);
  ASSERT_EQ(m.num_modes(), 3);
  int checked = 0;
  for (size_t i = 0; i < c.values.size(); ++i) {
    const int k = c.truth[i];
    const double z = (c.values[i] - kLo - kRange * kMu[k]) / (kRange * kSd[k]);
    if (std::abs(z) > 2) continue;  // only the clearly separated core of each mode
    size_t nearest = 0;
    for (size_t j = 1; j < 3; ++j) {
      if (std::abs(c.values[i] - m.means[j]) < std::abs(c.values[i] - m.means[nearest])) {
        nearest = j;
      }
    }
    EXPECT_EQ(m.mode(c.values[i]), static_cast<int>(nearest)) << c.values[i];
    EXPECT_EQ(m.mode(c.values[i]), k) << c.values[i];
    ++checked;
  }
  EXPECT_GT(checked, 2500);
  // Far outside the training range the quadratic term dominates the E-step score, so the widest
  // component (here the middle one) wins on both sides, as in the reference's labels.
  const auto widest = static_cast<int>(std::min_element(m.score_prec.begin(), m.score_prec.end()) -
                                       m.score_prec.begin());
  EXPECT_EQ(widest, 1);
  EXPECT_EQ(m.mode(kLo - 10 * kRange), widest);
  EXPECT_EQ(m.mode(kLo + 10 * kRange), widest);
}

TEST(Dpgmm, BinEdgesAreClosedOnTheRight) {
  EXPECT_EQ(DpgmmModel::bin(-1e300), 0);
  EXPECT_EQ(DpgmmModel::bin(-3.5), 0);
  EXPECT_EQ(DpgmmModel::bin(-3.0), 0);
  EXPECT_EQ(DpgmmModel::bin(std::nextafter(-3.0, 0.0)), 1);
  EXPECT_EQ(DpgmmModel::bin(-2.0), 1);
  EXPECT_EQ(DpgmmModel::bin(-1.5), 2);
  EXPECT_EQ(DpgmmModel::bin(-1.0), 2);
  EXPECT_EQ(DpgmmModel::bin(-0.5), 3);
  EXPECT_EQ(DpgmmModel::bin(0.0), 3);
  EXPECT_EQ(DpgmmModel::bin(-0.0), 3);
  EXPECT_EQ(DpgmmModel::bin(std::nextafter(0.0, 1.0)), 4);
  EXPECT_EQ(DpgmmModel::bin(1.0), 4);
  EXPECT_EQ(DpgmmModel::bin(1.5), 5);
  EXPECT_EQ(DpgmmModel::bin(2.0), 5);
  EXPECT_EQ(DpgmmModel::bin(2.5), 6);
  EXPECT_EQ(DpgmmModel::bin(3.0), 6);
  EXPECT_EQ(DpgmmModel::bin(std::nextafter(3.0, 4.0)), 7);
  EXPECT_EQ(DpgmmModel::bin(1e300), 7);
  EXPECT_EQ(DpgmmModel::bin(INFINITY), 7);
  EXPECT_EQ(DpgmmModel::bin(-INFINITY), 0);
}

TEST(Dpgmm, CodeIsEightTimesModePlusBin) {
  const Column c = three_modes(1000, 3);
  const DpgmmModel m = fit_dpgmm(c.values, c.counts, DpgmmOptions{}, 5);
  for (double x : c.values) {
    const int mode = m.mode(x);
    const auto mu = static_cast<size_t>(mode);
    EXPECT_EQ(m.code(x), 8 * mode + DpgmmModel::bin((x - m.means[mu]) / m.sigmas[mu]));
  }
  // Exactly at a mode's mean -> bin 3.
  for (int k = 0; k < m.num_modes(); ++k) {
    const double mean = m.means[static_cast<size_t>(k)];
    if (m.mode(mean) == k) {
      EXPECT_EQ(m.code(mean), 8 * k + 3);
    }
  }
}

TEST(Dpgmm, SameSeedGivesIdenticalModel) {
  const Column c = three_modes(1500, 9);
  const DpgmmModel a = fit_dpgmm(c.values, c.counts, DpgmmOptions{}, 42);
  const DpgmmModel b = fit_dpgmm(c.values, c.counts, DpgmmOptions{}, 42);
  EXPECT_EQ(a.to_json().dump(), b.to_json().dump());
  EXPECT_EQ(a.means, b.means);
  EXPECT_EQ(a.sigmas, b.sigmas);
  EXPECT_EQ(a.weights, b.weights);
  EXPECT_EQ(a.n_iter, b.n_iter);
}

TEST(Dpgmm, JsonRoundTripGivesIdenticalCodes) {
  const Column c = three_modes(1500, 13);
  const DpgmmModel m = fit_dpgmm(c.values, c.counts, DpgmmOptions{}, 1);
  const DpgmmModel text = DpgmmModel::from_json(nlohmann::json::parse(m.to_json().dump()));
  const DpgmmModel cbor =
      DpgmmModel::from_json(nlohmann::json::from_cbor(nlohmann::json::to_cbor(m.to_json())));
  EXPECT_EQ(text.means, m.means);
  EXPECT_EQ(text.sigmas, m.sigmas);
  EXPECT_EQ(text.weights, m.weights);
  EXPECT_EQ(text.to_json(), m.to_json());
  std::vector<double> xs = c.values;
  for (int i = -200; i <= 1200; ++i) xs.push_back(kLo + kRange * i / 1000.0);
  for (double x : xs) {
    EXPECT_EQ(text.code(x), m.code(x)) << x;
    EXPECT_EQ(cbor.code(x), m.code(x)) << x;
  }
}

TEST(Dpgmm, FromJsonRejectsBadInput) {
  const Column c = three_modes(300, 17);
  const nlohmann::json good = fit_dpgmm(c.values, c.counts, DpgmmOptions{}, 1).to_json();
  EXPECT_NO_THROW(DpgmmModel::from_json(good));
  EXPECT_THROW(DpgmmModel::from_json(nlohmann::json::array()), meg::ModelFormatError);
  EXPECT_THROW(DpgmmModel::from_json(nlohmann::json(3)), meg::ModelFormatError);
  auto broken = [&](auto edit) {
    nlohmann::json j = good;
    edit(j);
    return j;
  };
  EXPECT_THROW(DpgmmModel::from_json(broken([](auto& j) { j["kind"] = "quantile"; })),
               meg::ModelFormatError);
  EXPECT_THROW(DpgmmModel::from_json(broken([](auto& j) { j["version"] = 99; })),
               meg::ModelFormatError);
  EXPECT_THROW(DpgmmModel::from_json(broken([](auto& j) { j.erase("vb_w"); })),
               meg::ModelFormatError);
  EXPECT_THROW(DpgmmModel::from_json(broken([](auto& j) { j["sigmas"].push_back(1.0); })),
               meg::ModelFormatError);
  EXPECT_THROW(DpgmmModel::from_json(broken([](auto& j) { j["means"] = nlohmann::json::array(); })),
               meg::ModelFormatError);
  EXPECT_THROW(DpgmmModel::from_json(broken([](auto& j) { j["vb_dof"][0] = -1.0; })),
               meg::ModelFormatError);
  EXPECT_THROW(DpgmmModel::from_json(broken([](auto& j) { j["vb_mean"][0] = "x"; })),
               meg::ModelFormatError);
  EXPECT_THROW(DpgmmModel::from_json(broken([](auto& j) { j["scale_width"] = 0.0; })),
               meg::ModelFormatError);
  EXPECT_THROW(DpgmmModel::from_json(broken([](auto& j) { j["vb_index"][0] = 0.5; })),
               meg::ModelFormatError);
}

TEST(Dpgmm, RejectsInvalidArguments) {
  const DpgmmOptions o;
  EXPECT_THROW(fit_dpgmm({}, {}, o, 1), meg::InvalidArgument);
  EXPECT_THROW(fit_dpgmm({1.0, 2.0}, {1.0}, o, 1), meg::InvalidArgument);
  EXPECT_THROW(fit_dpgmm({1.0, 2.0}, {1.0, 0.0}, o, 1), meg::InvalidArgument);
  EXPECT_THROW(fit_dpgmm({1.0, NAN}, {1.0, 1.0}, o, 1), meg::InvalidArgument);
  EXPECT_THROW(fit_dpgmm({1.0, 2.0}, {1.0, INFINITY}, o, 1), meg::InvalidArgument);
  EXPECT_THROW(fit_dpgmm({-1.7e308, 1.7e308}, {1.0, 1.0}, o, 1), meg::InvalidArgument);
  EXPECT_THROW(fit_dpgmm({1.0, 2.0}, {1.0, 1.0}, DpgmmOptions{.max_components = 0}, 1),
               meg::InvalidArgument);
  EXPECT_THROW(fit_dpgmm({1.0, 2.0}, {1.0, 1.0}, DpgmmOptions{.mean_precision_prior = 0}, 1),
               meg::InvalidArgument);
  EXPECT_THROW(fit_dpgmm({1.0, 2.0}, {1.0, 1.0}, DpgmmOptions{.dof_prior = -1}, 1),
               meg::InvalidArgument);
  EXPECT_THROW(fit_dpgmm({1.0, 2.0}, {1.0, 1.0}, DpgmmOptions{.max_iter = 0}, 1),
               meg::InvalidArgument);
}

TEST(Dpgmm, SingleDistinctValue) {
  for (double count : {1.0, 1000.0}) {
    const DpgmmModel m = fit_dpgmm({12345.0}, {count}, DpgmmOptions{}, 1);
    ASSERT_EQ(m.num_modes(), 1);
    EXPECT_EQ(m.means[0], 12345.0);
    EXPECT_EQ(m.code(12345.0), 3);
    EXPECT_EQ(m.code(12345.0 - 1), 0);
    EXPECT_EQ(m.code(12345.0 + 1), 7);
    expect_sane(m, {12345.0});
    const DpgmmModel back = DpgmmModel::from_json(nlohmann::json::parse(m.to_json().dump()));
    EXPECT_EQ(back.code(12345.0), 3);
  }
  // Even without regularisation (sigma 0) codes stay defined.
  const DpgmmModel m = fit_dpgmm({2.0}, {5.0}, DpgmmOptions{.reg_covar = 0}, 1);
  EXPECT_EQ(m.code(2.0), 3);
  EXPECT_EQ(m.code(1.0), 0);
  EXPECT_EQ(m.code(3.0), 7);
}

TEST(Dpgmm, TwoDistinctValues) {
  const DpgmmModel even = fit_dpgmm({1.0, 2.0}, {1.0, 1.0}, DpgmmOptions{}, 1);
  expect_sane(even, {1.0, 2.0});
  EXPECT_NE(even.code(1.0), even.code(2.0));
  const DpgmmModel skewed = fit_dpgmm({0.0, 1.0}, {900.0, 100.0}, DpgmmOptions{}, 1);
  expect_sane(skewed, {0.0, 1.0});
  EXPECT_NE(skewed.code(0.0), skewed.code(1.0));
}

TEST(Dpgmm, WorksWithOneComponent) {
  const Column c = three_modes(500, 19);
  const DpgmmModel m = fit_dpgmm(c.values, c.counts, DpgmmOptions{.max_components = 1}, 1);
  ASSERT_EQ(m.num_modes(), 1);
  expect_sane(m, c.values);
}

TEST(Dpgmm, HugeRangeColumn) {
  // fnlwgt-like: log-normal integers from about 12k to 1.5M, many distinct values.
  meg::core::Rng rng(23);
  std::map<double, double> counts;
  for (int i = 0; i < 6000; ++i) {
    const double v = std::round(std::clamp(std::exp(12.0 + 0.55 * rng.normal()), 12285.0, 1.5e6));
    counts[v] += 1;
  }
  std::vector<double> values, weights;
  for (const auto& [v, n] : counts) {
    values.push_back(v);
    weights.push_back(n);
  }
  const DpgmmModel m = fit_dpgmm(values, weights, DpgmmOptions{.max_iter = 300}, 1);
  expect_sane(m, values);
  EXPECT_GE(m.means.front(), 12285.0 - 1);
  EXPECT_LE(m.means.back(), 1.5e6 + 1);
}

TEST(Dpgmm, SkewedColumnWithMostlyZeros) {
  // capital_gain-like: 90% zeros, then a sparse heavy tail up to 99999.
  meg::core::Rng rng(29);
  std::map<double, double> counts{{0.0, 29000.0}, {99999.0, 150.0}};
  for (int i = 0; i < 3000; ++i) counts[std::round(std::exp(8.0 + 0.8 * rng.normal()))] += 1;
  std::vector<double> values, weights;
  for (const auto& [v, n] : counts) {
    values.push_back(v);
    weights.push_back(n);
  }
  const DpgmmModel m = fit_dpgmm(values, weights, DpgmmOptions{}, 1);
  expect_sane(m, values);
  // The zeros form their own mode, the lowest one, and do not share it with the tail's bulk.
  EXPECT_EQ(m.mode(0.0), 0);
  EXPECT_NE(m.mode(3000.0), 0);
  EXPECT_GT(m.weights[0], 0.8);
}

TEST(Dpgmm, WeightedCountsSeparateClusters) {
  // Counts act as repetitions of the distinct values; three clear clusters stay apart.
  const std::vector<double> values = {1, 2, 3, 10, 11, 12, 30, 31};
  const std::vector<double> counts = {5, 9, 5, 20, 40, 20, 3, 3};
  const DpgmmModel m = fit_dpgmm(values, counts, DpgmmOptions{}, 3);
  expect_sane(m, values);
  EXPECT_NE(m.mode(2), m.mode(11));
  EXPECT_NE(m.mode(11), m.mode(30));
}

}  // namespace
