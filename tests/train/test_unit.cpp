#include <gtest/gtest.h>

#include <cmath>

#include "helpers/kdb_sampler.hpp"
#include "meg/error.hpp"
#include "train/unit.hpp"

namespace meg::train {
namespace {

UnitOptions quick_options() {
  UnitOptions o;
  o.warmup_epochs = 1;
  o.epochs = 2;
  o.synthetic_rows = 1000;
  o.discriminator_epochs = 2;
  return o;
}

TEST(GanblrUnit, SameSeedSameSamplesAtOneAndTwoThreads) {
  const auto data = testing::make_true_kdb(2).sample(2000, 1);
  const UnitOptions o = quick_options();
  const GanblrUnit a = GanblrUnit::fit(data, 3, o, 42, 1);
  const GanblrUnit b = GanblrUnit::fit(data, 3, o, 42, 2);
  EXPECT_EQ(a.model().logp(), b.model().logp());
  const size_t n = 10000;  // several sampling blocks
  std::vector<data::Code> sa(n * 7), sb(n * 7);
  a.sample(n, 7, sa.data(), 1);
  b.sample(n, 7, sb.data(), 2);
  EXPECT_EQ(sa, sb);
  std::vector<data::Code> sc(n * 7);
  a.sample(n, 8, sc.data(), 2);
  EXPECT_NE(sa, sc);
  std::vector<double> la(data.num_rows()), lb(data.num_rows());
  a.log_prob(data, la.data(), 1);
  b.log_prob(data, lb.data(), 2);
  EXPECT_EQ(la, lb);
}

TEST(GanblrUnit, SaveLoadGivesIdenticalSamplesAndLikelihoods) {
  const auto data = testing::make_true_kdb(2).sample(2000, 2);
  const GanblrUnit unit = GanblrUnit::fit(data, 3, quick_options(), 5, 2);
  const auto bytes = nlohmann::json::to_cbor(unit.to_json());
  const GanblrUnit back = GanblrUnit::from_json(nlohmann::json::from_cbor(bytes));
  EXPECT_EQ(back.class_column(), 3u);
  EXPECT_EQ(back.num_columns(), 7u);
  EXPECT_EQ(back.parents(), unit.parents());
  EXPECT_EQ(back.order(), unit.order());
  EXPECT_EQ(back.training_log(), unit.training_log());
  std::vector<data::Code> a(5000 * 7), b(5000 * 7);
  unit.sample(5000, 11, a.data(), 1);
  back.sample(5000, 11, b.data(), 2);
  EXPECT_EQ(a, b);
  unit.sample_with_class(500, 1, 11, a.data(), 1);
  back.sample_with_class(500, 1, 11, b.data(), 1);
  EXPECT_TRUE(std::equal(a.begin(), a.begin() + 500 * 7, b.begin()));
  for (size_t i = 0; i < 500; ++i) EXPECT_EQ(a[i * 7 + 3], 1u);
  std::vector<double> la(data.num_rows()), lb(data.num_rows());
  unit.log_prob(data, la.data(), 1);
  back.log_prob(data, lb.data(), 1);
  EXPECT_EQ(la, lb);
  nlohmann::json bad = unit.to_json();
  bad["version"] = 99;
  EXPECT_THROW(GanblrUnit::from_json(bad), ModelFormatError);
  EXPECT_THROW(GanblrUnit::from_json(nlohmann::json::array()), ModelFormatError);
}

TEST(GanblrUnit, TrainingLogAndCallback) {
  const auto data = testing::make_true_kdb(1).sample(1500, 3);
  std::vector<std::string> phases;
  const GanblrUnit unit = GanblrUnit::fit(
      data, 3, quick_options(), 1, 1, [&](const std::string& phase, int epoch, int total) {
        phases.push_back(phase + std::to_string(epoch) + "/" + std::to_string(total));
      });
  EXPECT_EQ(phases, (std::vector<std::string>{"warmup1/1", "adversarial1/2", "adversarial2/2"}));
  const auto log = unit.training_log();
  ASSERT_EQ(log["epochs"].size(), 3u);
  EXPECT_TRUE(log["epochs"][2].contains("d_auc"));
  EXPECT_EQ(log["smoothing_m"].size(), 6u);
}

// The MLP discriminator trains inside a fit (relu and tanh) and logs a sane AUC; the
// unit stays a proper distribution.
TEST(GanblrUnit, MlpDiscriminatorFits) {
  const auto data = testing::make_true_kdb(1).sample(1500, 4);
  for (Activation act : {Activation::Relu, Activation::Tanh}) {
    UnitOptions o = quick_options();
    o.discriminator = DiscriminatorType::Mlp;
    o.hidden = {16, 8};
    o.activation = act;
    const GanblrUnit unit = GanblrUnit::fit(data, 3, o, 2, 1);
    const nlohmann::json log = unit.training_log();
    const nlohmann::json& last = log.at("epochs").back();
    EXPECT_GE(last["d_auc"].get<double>(), 0.3);
    EXPECT_LE(last["d_auc"].get<double>(), 1.0);
    std::vector<double> lp(data.num_rows());
    unit.log_prob(data, lp.data(), 1);
    for (double x : lp) ASSERT_TRUE(std::isfinite(x));
  }
}

TEST(GanblrUnit, SparseSamplingDrawsTheRowsOfSample) {
  const auto data = testing::make_true_kdb(2).sample(3000, 4);
  UnitOptions o;  // counted, hierarchical smoothing chosen per feature
  const GanblrUnit counted = GanblrUnit::fit(data, 3, o, 5, 1);
  const GanblrUnit trained = GanblrUnit::fit(data, 3, quick_options(), 5, 1);
  for (const GanblrUnit* unit : {&counted, &trained}) {
    for (size_t n : {size_t{1}, size_t{700}, size_t{9000}}) {  // 9000: three blocks of rows
      std::vector<data::Code> full(n * 7), sparse(n * 7, 99);
      unit->sample_sparse(n, 21, sparse.data());
      unit->sample(n, 21, full.data(), 2);
      EXPECT_EQ(sparse, full) << n << " rows";
    }
  }
  // With the counted unit's log-probabilities built (drawn from them, not the counts).
  ASSERT_FALSE(counted.model().logp().empty());
  std::vector<data::Code> full(500 * 7), sparse(500 * 7);
  counted.sample_sparse(500, 3, sparse.data());
  counted.sample(500, 3, full.data(), 1);
  EXPECT_EQ(sparse, full);
  std::vector<data::Code> other(500 * 7);
  counted.sample_sparse(500, 4, other.data());
  EXPECT_NE(other, sparse);
}

TEST(GanblrUnit, NewStrengthIsTheFitWithThatStrength) {
  const auto data = testing::make_true_kdb(2).sample(3000, 6);
  UnitOptions o;
  o.smoothing_m = 4.0;
  GanblrUnit unit = GanblrUnit::fit(data, 3, o, 7, 1);
  std::vector<double> lp(data.num_rows());
  unit.log_prob(data, lp.data(), 1);  // tables built with m = 4, dropped by set_strength
  o.smoothing_m = 0.25;
  const GanblrUnit direct = GanblrUnit::fit(data, 3, o, 7, 1);
  EXPECT_NE(unit.to_json(), direct.to_json());
  unit.set_strength(0.25);
  EXPECT_EQ(unit.to_json(), direct.to_json());
  std::vector<double> la(data.num_rows()), lb(data.num_rows());
  unit.log_prob(data, la.data(), 1);
  direct.log_prob(data, lb.data(), 1);
  EXPECT_EQ(la, lb);
  GanblrUnit trained = GanblrUnit::fit(data, 3, quick_options(), 7, 1);
  EXPECT_THROW(trained.set_strength(1.0), InvalidArgument);
  EXPECT_THROW(unit.set_strength(0.0), InvalidArgument);
}

TEST(GanblrUnit, CodesCheckedOnceGiveTheSameError) {
  auto data = testing::make_true_kdb(1).sample(100, 3);
  data.columns[2].set(5, 99);
  std::string unit_error, table_error;
  try {
    GanblrUnit::fit(data, 3, UnitOptions{}, 1, 1);
  } catch (const InvalidArgument& e) {
    unit_error = e.what();
  }
  try {
    check_codes(data);
  } catch (const InvalidArgument& e) {
    table_error = e.what();
  }
  EXPECT_EQ(unit_error, "unit: code 99 out of range in column 2");
  EXPECT_EQ(table_error, unit_error);
  // A caller that checked the table (Checked) skips the scan; the shape is still checked.
  EXPECT_NO_THROW(GanblrUnit::fit(testing::make_true_kdb(1).sample(100, 3), 3, UnitOptions{}, 1, 1,
                                  {}, nullptr, CodeCheck::Checked));
  EXPECT_THROW(GanblrUnit::fit(data, 9, UnitOptions{}, 1, 1, {}, nullptr, CodeCheck::Checked),
               InvalidArgument);
}

TEST(GanblrUnit, RejectsBadInput) {
  auto data = testing::make_true_kdb(1).sample(100, 3);
  UnitOptions o;
  EXPECT_THROW(GanblrUnit::fit(data, 7, o, 1, 1), InvalidArgument);
  o.batch_size = 0;
  EXPECT_THROW(GanblrUnit::fit(data, 3, o, 1, 1), InvalidArgument);
  o = UnitOptions{};
  data.columns[2].set(5, 99);
  EXPECT_THROW(GanblrUnit::fit(data, 3, o, 1, 1), InvalidArgument);
}

}  // namespace
}  // namespace meg::train
