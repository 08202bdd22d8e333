// The differentially private fit's parts: the universal grid, private level selection on a
// table with a one-row level, an empirical privacy-loss check of the 1-way release on
// neighbouring tables, and a private fit at a large epsilon reproducing the marginals.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "data/csv.hpp"
#include "ensemble/dp_domain.hpp"
#include "ensemble/dp_fit.hpp"
#include "meg/error.hpp"
#include "privacy/accountant.hpp"
#include "privacy/ledger.hpp"
#include "privacy/secure_rng.hpp"

using namespace meg;

namespace {

data::CsvTable one_column(const std::map<std::string, int>& counts) {
  data::CsvTable t;
  t.source = "test";
  t.header = {"a"};
  t.columns.resize(1);
  for (const auto& [level, n] : counts) {
    for (int i = 0; i < n; ++i) t.columns[0].push_back(level);
  }
  return t;
}

data::Schema categorical_schema() {
  data::Schema s;
  data::ColumnSchema c;
  c.name = "a";
  c.missing_tokens = {"?"};
  s.columns.push_back(c);
  return s;
}

// Wilson interval of a proportion k / n at z standard deviations.
std::pair<double, double> wilson(double k, double n, double z) {
  const double p = k / n, z2 = z * z;
  const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

}  // namespace

TEST(DpDomain, UniversalGridDependsOnTheTypeOnly) {
  for (bool integer : {false, true}) {
    const auto g = ensemble::universal_grid(integer);
    for (size_t i = 1; i < g.size(); ++i) ASSERT_LT(g[i - 1], g[i]);
    EXPECT_EQ(g[g.size() / 2], 0.0);
    EXPECT_EQ(-g.front(), g.back());
    EXPECT_GE(g.back(), 1e15);
    if (integer) {
      for (int v = 1; v <= 1000; ++v) EXPECT_TRUE(std::binary_search(g.begin(), g.end(), v)) << v;
    }
  }
}

TEST(DpDomain, LevelOfOneRowIsNeverReleased) {
  // 300 rows of "x", one of "rare": at epsilon 2 the threshold keeps "rare" with probability
  // at most delta_levels = 1e-7, "x" essentially always.
  const auto table = one_column({{"x", 300}, {"rare", 1}});
  const auto schema = categorical_schema();
  DpOptions dp;
  const double rho = privacy::cdp_rho(2.0, 0.9e-6);
  for (uint64_t seed = 0; seed < 50; ++seed) {
    privacy::PrivacyLedger ledger(2.0, 1e-6, 1e-7);
    auto rng = privacy::SecureRng::from_seed(seed);
    const auto d = ensemble::measure_domain(table, schema, {ensemble::DeclaredDomain{}}, dp, rho,
                                            1e-7, rng, ledger);
    ASSERT_EQ(d.notes["a"]["levels_released"].get<int>(), 1) << seed;
    EXPECT_EQ(d.codec.column(0).label(0), "x");
    EXPECT_GT(d.threshold, 1);
    EXPECT_EQ(ledger.charges().size(), 1u);
    EXPECT_EQ(ledger.delta_spent(), 1e-7);
  }
}

TEST(DpDomain, EmpiricalPrivacyLossOfTheOneWayStaysWithinEpsilon) {
  // Neighbouring tables: 60 or 61 rows of "x" (declared levels x, y). The released noisy
  // count of x is a discrete Gaussian around each; for every outcome seen often enough, the
  // Wilson lower bound of |log P(D)[v] / P(D')[v]| must stay below epsilon of the step.
  const auto d0 = one_column({{"x", 60}, {"y", 40}});
  const auto d1 = one_column({{"x", 61}, {"y", 40}});
  const auto schema = categorical_schema();
  ensemble::DeclaredDomain declared;
  declared.has_levels = true;
  declared.levels = {"x", "y"};
  DpOptions dp;
  dp.floor = 0;
  const double rho = 0.125;  // sigma = 2
  const double eps = privacy::cdp_epsilon(rho, 1e-6);
  const int trials = 8000;
  std::map<long, double> h0, h1;
  for (int t = 0; t < trials; ++t) {
    for (int which = 0; which < 2; ++which) {
      privacy::PrivacyLedger ledger;
      auto rng = privacy::SecureRng::from_seed(static_cast<uint64_t>(t) * 2 + which);
      const auto d =
          ensemble::measure_domain(which ? d1 : d0, schema, {declared}, dp, rho, 0, rng, ledger);
      (which ? h1 : h0)[std::lround(d.oneway[0][0])] += 1;
    }
  }
  double mean0 = 0, mean1 = 0, worst = 0;
  for (const auto& [v, n] : h0) mean0 += static_cast<double>(v) * n / trials;
  for (const auto& [v, n] : h1) mean1 += static_cast<double>(v) * n / trials;
  for (const auto& [v, n0] : h0) {
    const double n1 = h1.count(v) ? h1[v] : 0;
    if (n0 < 300 || n1 < 300) continue;
    const auto [lo0, hi0] = wilson(n0, trials, 4.5);
    const auto [lo1, hi1] = wilson(n1, trials, 4.5);
    worst = std::max({worst, std::log(lo0 / hi1), std::log(lo1 / hi0)});
  }
  EXPECT_NEAR(mean1 - mean0, 1.0, 0.15);  // the release does follow the data
  EXPECT_NEAR(mean0, 60.0, 0.15);         // and is unbiased
  EXPECT_LE(worst, eps);
  EXPECT_GT(worst, 0.0);
}

TEST(DpFit, LargeEpsilonReproducesTheMarginals) {
  const auto table = data::read_csv("data/car.csv");
  const auto schema = nlohmann::json::parse(R"({"columns": [
      {"name": "buying", "type": "categorical"}, {"name": "maint", "type": "categorical"},
      {"name": "doors", "type": "categorical"}, {"name": "persons", "type": "categorical"},
      {"name": "lug_boot", "type": "categorical"}, {"name": "safety", "type": "categorical"},
      {"name": "class", "type": "categorical"}]})");
  FitOptions options;
  options.threads = 1;
  DpOptions dp;
  dp.epsilon = 100;
  dp.noise_seed = 11;
  const auto model = ensemble::fit_private(table, schema, "schema", options, dp);
  const auto& p = model.fit_summary().at("privacy");
  EXPECT_NEAR(p.at("rows_noisy").get<double>(), 1728.0, 10.0);
  EXPECT_LT(p.at("sigma_counts").get<double>(), 1.0);
  // Every level of car is common: all released.
  EXPECT_EQ(model.codec().column(6).cardinality(), 4u);
  const auto csv = data::parse_csv(model.sample_csv(20000, 1, 1), "synthetic");
  const int cls = csv.column_index("class");
  ASSERT_GE(cls, 0);
  std::map<std::string, double> real, synth;
  for (const auto& v : table.columns[6]) real[v] += 1.0 / static_cast<double>(table.num_rows());
  for (const auto& v : csv.columns[static_cast<size_t>(cls)]) synth[v] += 1.0 / 20000;
  double tv = 0;
  for (const auto& [k, v] : real) tv += std::fabs(v - synth[k]) / 2;
  EXPECT_LT(tv, 0.03);
}

TEST(DpOptions, EachKeyParsedByItsRangeAndUnknownKeysListed) {
  DpOptions o;
  set_dp_option(o, "snr", "5");
  set_dp_option(o, "bins", "12");
  set_dp_option(o, "split_structure", "0");
  EXPECT_EQ(o.snr, 5);
  EXPECT_EQ(o.bins, 12);
  EXPECT_EQ(o.split_structure, 0);
  auto error = [&](const std::string& key, const std::string& value) {
    try {
      set_dp_option(o, key, value);
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error("k", "1.5"), "--dp-option 'k': expected an integer in [0, 2], got '1.5'");
  EXPECT_EQ(error("split_domain", "0.99"),
            "--dp-option 'split_domain': expected a number in [0.01, 0.98], got '0.99'");
  EXPECT_EQ(error("floor", "nan"), "--dp-option 'floor': expected a number in [0, 100], got 'nan'");
  const std::string unknown = error("colour", "1");
  for (const char* key : {"split_domain", "split_structure", "delta_levels", "k", "snr", "floor",
                          "smoothing", "bins", "rows_factor"}) {
    EXPECT_NE(unknown.find(key), std::string::npos) << unknown;
  }
  EXPECT_EQ(o.bins, 12);  // a refused value changes nothing
}
