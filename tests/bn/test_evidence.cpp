// Evidence sampling on a known small network: conditional marginals and p(E) against
// exact enumeration of every joint state (5184 rows).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "bn/cpt.hpp"
#include "bn/evidence.hpp"
#include "helpers/kdb_sampler.hpp"
#include "meg/error.hpp"

namespace meg::bn {
namespace {

// Sampled conditional marginals must match the exact ones within this (absolute, per
// value) for 60,000 rows: ~4 standard errors at the effective sample size of the
// likelihood-weighted cases.
constexpr double kMarginalTol = 0.02;

KdbModel fit_evidence_model(const data::EncodedDataset& data, size_t class_col, int k) {
  KdbStructure s = KdbStructure::learn(data, class_col, k, 100000, 1);
  auto [layout, p] = fit_counts(s, data.cardinality, data, SmoothingSpec{});
  return KdbModel(std::move(s), data.cardinality, std::move(layout), std::move(p.blocks),
                  std::move(p.counts), std::move(p.log_prior));
}

const KdbModel& model() {
  static const KdbModel m = fit_evidence_model(testing::make_true_kdb(2).sample(3000, 5), 3, 2);
  return m;
}

bool allowed(const Evidence& e, const data::Code* row) {
  for (size_t c = 0; c < e.allowed.size(); ++c) {
    if (e.constrains(c) && !std::binary_search(e.allowed[c].begin(), e.allowed[c].end(), row[c])) {
      return false;
    }
  }
  return true;
}

// Exact p(E) and conditional marginals marg[c][v] by enumerating every joint state.
double enumerate(const KdbModel& m, const Evidence& e, std::vector<std::vector<double>>* marg) {
  const auto& card = m.cardinality();
  marg->assign(card.size(), {});
  for (size_t c = 0; c < card.size(); ++c) (*marg)[c].assign(card[c], 0.0);
  std::vector<data::Code> row(card.size(), 0);
  double pe = 0.0;
  while (true) {
    if (allowed(e, row.data())) {
      const double p = std::exp(m.log_prob_row(row.data()));
      pe += p;
      for (size_t c = 0; c < card.size(); ++c) (*marg)[c][row[c]] += p;
    }
    size_t c = 0;
    while (c < card.size() && ++row[c] == card[c]) row[c++] = 0;
    if (c == card.size()) break;
  }
  for (auto& mc : *marg) {
    for (double& x : mc) x /= pe;
  }
  return pe;
}

Evidence make(std::initializer_list<std::pair<size_t, std::vector<uint32_t>>> items) {
  Evidence e;
  e.allowed.assign(7, {});
  for (const auto& [c, v] : items) e.allowed[c] = v;
  return e;
}

void expect_conditional_marginals(const Evidence& e) {
  const KdbModel& m = model();
  std::vector<std::vector<double>> exact;
  enumerate(m, e, &exact);
  const size_t n = 60000, d = m.num_cols();
  std::vector<data::Code> rows(n * d);
  sample_with_evidence(m, e, n, 17, rows.data(), 2);
  std::vector<std::vector<double>> freq(d);
  for (size_t c = 0; c < d; ++c) freq[c].assign(m.cardinality()[c], 0.0);
  for (size_t r = 0; r < n; ++r) {
    ASSERT_TRUE(allowed(e, &rows[r * d])) << "row " << r << " violates the evidence";
    for (size_t c = 0; c < d; ++c) freq[c][rows[r * d + c]] += 1.0 / static_cast<double>(n);
  }
  for (size_t c = 0; c < d; ++c) {
    for (size_t v = 0; v < freq[c].size(); ++v) {
      EXPECT_NEAR(freq[c][v], exact[c][v], kMarginalTol) << "column " << c << " value " << v;
    }
  }
}

TEST(Evidence, ClassEvidenceIsExactAndExactPofE) {
  const Evidence e = make({{3, {2}}});
  expect_conditional_marginals(e);
  std::vector<std::vector<double>> marg;
  const double pe = enumerate(model(), e, &marg);
  auto exact = exact_log_evidence(model(), e);
  ASSERT_TRUE(exact.has_value());
  EXPECT_NEAR(std::exp(*exact), pe, 1e-9);
}

TEST(Evidence, LeafEvidenceByLikelihoodWeighting) {
  const Evidence e = make({{1, {0}}});  // last feature, parents {2, 4}
  EXPECT_FALSE(exact_log_evidence(model(), e).has_value());
  expect_conditional_marginals(e);
  std::vector<std::vector<double>> marg;
  const double pe = enumerate(model(), e, &marg);
  EXPECT_NEAR(std::exp(log_evidence(model(), e, 8192, 3)) / pe, 1.0, 0.03);
}

TEST(Evidence, SetsOnSeveralColumnsAndClosedExactPofE) {
  // Column 5 is the first feature and column 0's only feature parent is 5: p(E) is exact.
  const Evidence e = make({{5, {1, 3}}, {0, {2}}});
  expect_conditional_marginals(e);
  std::vector<std::vector<double>> marg;
  const double pe = enumerate(model(), e, &marg);
  auto exact = exact_log_evidence(model(), e);
  ASSERT_TRUE(exact.has_value());
  EXPECT_NEAR(std::exp(*exact), pe, 1e-9);
  expect_conditional_marginals(make({{6, {1}}, {3, {0, 1}}, {2, {0, 3}}}));
}

TEST(Evidence, DeterministicWhateverTheThreads) {
  const Evidence e = make({{1, {0}}, {3, {1}}});
  const size_t n = 3 * KdbModel::kBlockRows + 17, d = model().num_cols();
  std::vector<data::Code> a(n * d), b(n * d);
  sample_with_evidence(model(), e, n, 5, a.data(), 1);
  sample_with_evidence(model(), e, n, 5, b.data(), 4);
  EXPECT_EQ(a, b);
}

TEST(Evidence, ProbabilityZeroIsAnError) {
  KdbModel m = model();
  m.mutable_log_prior()[2] = -std::numeric_limits<double>::infinity();
  m.refresh_sampler();
  std::vector<data::Code> out(10 * m.num_cols());
  EXPECT_THROW(sample_with_evidence(m, make({{3, {2}}}), 10, 1, out.data(), 1), InvalidArgument);
  EXPECT_EQ(*exact_log_evidence(m, make({{3, {2}}})), -std::numeric_limits<double>::infinity());
  EXPECT_THROW(sample_with_evidence(m, make({{3, {7}}}), 10, 1, out.data(), 1), InvalidArgument);
}

}  // namespace
}  // namespace meg::bn
