// A fit of a million rows (issue 13, label `slow`): an Adult-shaped table drawn from a
// model fitted on the bundled Adult data, fitted with the defaults at 2 threads and at
// 1 thread. The two models must be the same bytes, and the fitted model must recover the
// distribution the rows were drawn from: its log-likelihood of fresh rows of that
// distribution close to the generating model's own.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"
#include "ensemble/meg_model.hpp"
#include "ensemble/unit_fitting.hpp"

using meg::ensemble::MegModel;

namespace {

// n rows drawn from `truth`, in a seeded random order, as codes of its codec.
meg::data::EncodedDataset draw(const MegModel& truth, size_t n, uint64_t seed) {
  const size_t d = truth.codec().num_cols();
  const std::vector<meg::data::Code> rows =
      meg::ensemble::mixture_codes(truth.units(), truth.weights(), d, n, seed);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  meg::core::Rng rng(seed);
  for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  std::vector<std::vector<meg::data::Code>> columns(d, std::vector<meg::data::Code>(n));
  for (size_t i = 0; i < n; ++i) {
    for (size_t c = 0; c < d; ++c) columns[c][i] = rows[order[i] * d + c];
  }
  return meg::data::EncodedDataset::from_columns(truth.codec().column_names(),
                                                 truth.codec().cardinalities(), columns);
}

double mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

}  // namespace

TEST(Scale, MillionRowFitIsThreadIndependentAndRecoversTheDistribution) {
  const meg::data::CsvTable adult = meg::data::read_csv("data/adult_train.csv");
  meg::FitOptions o;
  o.seed = 0;
  o.threads = 2;
  const MegModel truth = MegModel::fit(adult, meg::data::infer_schema(adult), o);

  constexpr size_t kRows = 1000000;
  const meg::data::EncodedDataset big = draw(truth, kRows, 11);
  ASSERT_EQ(big.num_rows(), kRows);
  const MegModel two = MegModel::fit_encoded(truth.codec(), big, "million.csv", o);
  o.threads = 1;
  const MegModel one = MegModel::fit_encoded(truth.codec(), big, "million.csv", o);
  EXPECT_EQ(two.to_json().dump(), one.to_json().dump()) << "1 and 2 threads differ";

  EXPECT_EQ(two.training_rows(), kRows);
  EXPECT_EQ(two.units().size(), big.num_cols());
  // Every unit: k = 2 parents at most, and most features take parents (Adult's columns
  // depend on each other strongly).
  size_t with_parents = 0, features = 0;
  for (const auto& unit : two.units()) {
    for (uint32_t c : unit.order()) {
      EXPECT_LE(unit.parents()[c].size(), 2u);
      with_parents += !unit.parents()[c].empty();
      ++features;
    }
  }
  EXPECT_GT(with_parents, features * 3 / 4);

  // Fresh rows of the generating distribution: the fitted model's mean log-likelihood
  // approaches the generating model's own (their gap estimates the KL divergence) more
  // closely than a fit on Adult's number of rows does.
  const MegModel small =
      MegModel::fit_encoded(truth.codec(), draw(truth, 32561, 13), "small.csv", o);
  const meg::data::EncodedDataset fresh = draw(truth, 20000, 12);
  const double ll_truth = mean(truth.log_prob(fresh, 2));
  const double kl_big = ll_truth - mean(two.log_prob(fresh, 2));
  const double kl_small = ll_truth - mean(small.log_prob(fresh, 2));
  EXPECT_GT(kl_big, -0.01) << "the fit cannot beat the truth by much";
  EXPECT_LT(kl_big, kl_small - 0.05) << "1M rows: " << kl_big << ", 32,561 rows: " << kl_small;
  std::printf("KL estimate: 1M rows %.4f, 32,561 rows %.4f nats a row\n", kl_big, kl_small);
}
