// Finite-difference checks of the generator's and the discriminator's gradients.
#include <gtest/gtest.h>

#include <cmath>

#include "bn/cpt.hpp"
#include "core/stats.hpp"
#include "helpers/kdb_sampler.hpp"
#include "train/discriminator.hpp"
#include "train/elr_generator.hpp"

namespace meg::train {
namespace {

bn::KdbModel counted_model(const data::EncodedDataset& data, size_t class_col, int k) {
  bn::KdbStructure s = bn::KdbStructure::learn(data, class_col, k, 100000, 1);
  auto [layout, p] = bn::fit_counts(s, data.cardinality, data, {});
  return bn::KdbModel(std::move(s), data.cardinality, std::move(layout), std::move(p.blocks),
                      std::move(p.counts), std::move(p.log_prior));
}

// Objective J = mean CLL of real rows + mu * mean log p(real) + sum_s w_s log p(synthetic_s),
// the form every generator step maximises.
TEST(Gradients, GeneratorMatchesFiniteDifferences) {
  const auto truth = testing::make_true_kdb(2);
  const auto data = truth.sample(60, 3);
  bn::KdbModel model = counted_model(data, 3, 2);
  core::Rng rng(1);
  ElrGenerator gen(model, GeneratorInit::Glorot, 0.01, rng);
  const size_t d = model.layout().num_features(), num_cols = 7;
  // Real rows 0..9; synthetic rows drawn from another seed (some use back-off slots).
  std::vector<int32_t> real_slots(10 * d);
  model.layout().slots_of_rows(data, 0, 10, real_slots.data());
  const auto other = truth.sample(40, 99);
  std::vector<data::Code> synth(40 * num_cols);
  for (size_t r = 0; r < 40; ++r) {
    for (size_t c = 0; c < num_cols; ++c) synth[r * num_cols + c] = other.columns[c][r];
  }
  std::vector<int32_t> synth_slots(40 * d);
  size_t backoff = 0;
  for (size_t r = 0; r < 40; ++r) {
    model.slots_of_row(&synth[r * num_cols], &synth_slots[r * d]);
    for (size_t f = 0; f < d; ++f)
      backoff += synth_slots[r * d + f] >= int32_t(model.layout().trainable_slots());
  }
  EXPECT_GT(backoff, 0u);
  const double mu = 0.3;
  auto weight = [](size_t r) { return 0.05 * (static_cast<double>(r % 7) - 3.0); };
  auto objective = [&] {
    double j = 0.0;
    for (size_t r = 0; r < 10; ++r) {
      j += gen.cll(&real_slots[r * d], data.columns[3][r]) / 10.0;
      std::vector<data::Code> row(num_cols);
      for (size_t c = 0; c < num_cols; ++c) row[c] = data.columns[c][r];
      j += mu * model.log_prob_row(row.data()) / 10.0;
    }
    for (size_t r = 0; r < 40; ++r) j += weight(r) * model.log_prob_row(&synth[r * num_cols]);
    return j;
  };
  for (size_t r = 0; r < 10; ++r) {
    gen.add_cll(&real_slots[r * d], data.columns[3][r], 0.1);
    gen.add_joint(&real_slots[r * d], data.columns[3][r], mu * 0.1);
  }
  for (size_t r = 0; r < 40; ++r) {
    gen.add_joint(&synth_slots[r * d], synth[r * num_cols + 3], weight(r));
  }
  std::vector<double> g_u, g_b, g_a;
  gen.accumulated_gradient(g_u, g_b, g_a);
  const double h = 1e-6;
  auto check = [&](std::vector<double>& params, const std::vector<double>& grad, size_t i) {
    const double keep = params[i];
    params[i] = keep + h;
    gen.sync_model();
    const double up = objective();
    params[i] = keep - h;
    gen.sync_model();
    const double down = objective();
    params[i] = keep;
    gen.sync_model();
    const double numeric = (up - down) / (2 * h);
    EXPECT_NEAR(grad[i], numeric, 1e-6 + 1e-5 * std::fabs(numeric)) << "index " << i;
    return std::fabs(numeric) > 1e-4;
  };
  size_t nonzero = 0;
  for (size_t i = 0; i < g_u.size(); i += 3) nonzero += check(gen.logits(), g_u, i);
  for (size_t c = 0; c < 3; ++c) {
    nonzero += check(gen.class_bias(), g_b, c);
    nonzero += check(gen.prior_logits(), g_a, c);
  }
  EXPECT_GT(nonzero, 20u);
}

class DiscriminatorGradients : public ::testing::TestWithParam<int> {};

TEST_P(DiscriminatorGradients, MatchFiniteDifferences) {
  UnitOptions o;
  o.discriminator_l2 = 0.01;
  if (GetParam() > 0) {
    o.discriminator = DiscriminatorType::Mlp;
    o.hidden = {5, 4};
    o.activation = GetParam() == 1 ? Activation::Relu : Activation::Tanh;
  }
  const auto data = testing::make_true_kdb(1).sample(12, 4);
  DiscriminatorFeatures features(data.cardinality, 3);
  Discriminator disc(features.dim(), features.nnz(), o, 3);
  core::Rng rng(8);
  for (double& p : disc.parameters()) p += 0.3 * (rng.uniform() - 0.5);  // LR starts at 0
  std::vector<uint32_t> active(12 * features.nnz());
  std::vector<uint8_t> labels(12);
  std::vector<data::Code> row(7);
  for (size_t r = 0; r < 12; ++r) {
    for (size_t c = 0; c < 7; ++c) row[c] = data.columns[c][r];
    features.encode(row.data(), &active[r * features.nnz()]);
    labels[r] = r % 2;
  }
  std::vector<double> grad;
  disc.batch_gradient(active.data(), labels.data(), 12, grad);
  auto& params = disc.parameters();
  const double h = 1e-6;
  size_t nonzero = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    const double keep = params[i];
    params[i] = keep + h;
    const double up = disc.batch_objective(active.data(), labels.data(), 12);
    params[i] = keep - h;
    const double down = disc.batch_objective(active.data(), labels.data(), 12);
    params[i] = keep;
    const double numeric = (up - down) / (2 * h);
    EXPECT_NEAR(grad[i], numeric, 1e-6 + 1e-5 * std::fabs(numeric)) << "parameter " << i;
    nonzero += std::fabs(numeric) > 1e-5;
  }
  EXPECT_GT(nonzero, 10u);
}

INSTANTIATE_TEST_SUITE_P(LrReluTanh, DiscriminatorGradients, ::testing::Values(0, 1, 2));

TEST(Discriminator, LearnsToSeparateAndAucIsCorrect) {
  // Real rows from one kDB, "synthetic" rows with column 5 shuffled: LR must beat chance.
  const auto truth = testing::make_true_kdb(1);
  const auto real = truth.sample(2000, 1);
  auto fake = truth.sample(2000, 2);
  core::Rng rng(3);
  for (size_t i = fake.num_rows(); i > 1; --i) {
    const size_t j = rng.below(i);
    const data::Code a = fake.columns[5][i - 1];
    fake.columns[5].set(i - 1, fake.columns[5][j]);
    fake.columns[5].set(j, a);
  }
  DiscriminatorFeatures features(real.cardinality, 3);
  const size_t nnz = features.nnz();
  std::vector<uint32_t> active(4000 * nnz), rows;
  std::vector<uint8_t> labels(4000);
  std::vector<data::Code> row(7);
  for (size_t r = 0; r < 4000; ++r) {
    const auto& src = r < 2000 ? real : fake;
    for (size_t c = 0; c < 7; ++c) row[c] = src.columns[c][r % 2000];
    features.encode(row.data(), &active[r * nnz]);
    labels[r] = r < 2000;
    if (r % 5 != 0) rows.push_back(static_cast<uint32_t>(r));
  }
  UnitOptions o;
  Discriminator disc(features.dim(), nnz, o, 1);
  for (int e = 0; e < 5; ++e) disc.train_epoch(active, labels, rows, 256);
  std::vector<double> scores;
  std::vector<uint8_t> test_labels;
  for (size_t r = 0; r < 4000; r += 5) {
    scores.push_back(disc.logit(&active[r * nnz]));
    test_labels.push_back(labels[r]);
  }
  EXPECT_GT(core::roc_auc(scores, test_labels), 0.75);
}

}  // namespace
}  // namespace meg::train
