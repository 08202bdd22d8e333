// Membership-inference attacks: members (real train) against non-members (real test).
#include <gtest/gtest.h>

#include "eval_fixtures.hpp"

namespace meg::eval {
namespace {

using testing::make_table;

const AttackResult& attack(const EvaluationResult& r, const std::string& name) {
  for (const AttackResult& a : r.privacy->attacks) {
    if (a.name == name) return a;
  }
  throw std::runtime_error("no attack " + name);
}

EvaluationResult run(const data::CsvTable& train, const data::CsvTable& test,
                     const data::CsvTable& syn, int threads = 2) {
  EvalConfig c = testing::test_config();
  c.threads = threads;
  c.detection = false;
  c.classifiers = {"logistic_regression"};
  c.attack_rows = 400;
  return evaluate_tables(train, test, &syn, nullptr, data::infer_schema(train), c);
}

TEST(Attacks, ACopyOfTrainGivesItsMembersAway) {
  const data::CsvTable train = make_table(1200, 1, "train.csv");
  const data::CsvTable test = make_table(1000, 2, "test.csv");
  data::CsvTable syn = train;
  syn.source = "copy.csv";
  const EvaluationResult r = run(train, test, syn);
  const AttackResult& d = attack(r, "distance");
  EXPECT_EQ(d.members, 400u);
  EXPECT_EQ(d.non_members, 400u);
  // Members are at distance 0 from their copy; non-members (new rows with a continuous column)
  // never are.
  EXPECT_GT(d.roc_auc, 0.99);
  EXPECT_GT(d.tpr_at_1pct_fpr, 0.95);
  // A member's synthetic density is a spike (its copy); the population density there is not.
  const AttackResult& m = attack(r, "density_ratio");
  EXPECT_EQ(m.reference_rows, 600u);  // test rows not drawn as candidates
  EXPECT_GT(m.roc_auc, 0.99);
  EXPECT_GT(m.tpr_at_1pct_fpr, 0.95);
  const std::string text = report::format_text(r);
  EXPECT_NE(text.find("membership inference (400 real train rows as members"), std::string::npos)
      << text;
}

TEST(Attacks, AnIndependentSampleOfTheSameDistributionRevealsNothing) {
  const data::CsvTable train = make_table(1200, 1, "train.csv");
  const data::CsvTable test = make_table(1000, 2, "test.csv");
  const data::CsvTable syn = make_table(1200, 3, "fresh.csv");
  const EvaluationResult r = run(train, test, syn);
  for (const AttackResult& a : r.privacy->attacks) {
    // 400 + 400 candidates: the AUC's standard error under no signal is about 0.02.
    EXPECT_NEAR(a.roc_auc, 0.5, 0.07) << a.name;
    EXPECT_LT(a.tpr_at_1pct_fpr, 0.08) << a.name;
  }
}

TEST(Attacks, SampleSizesAreBoundedAndSeededAndThreadCountFree) {
  const data::CsvTable train = make_table(300, 1, "train.csv");
  const data::CsvTable test = make_table(101, 2, "test.csv");
  const data::CsvTable syn = make_table(300, 3, "syn.csv");
  const EvaluationResult a = run(train, test, syn), b = run(train, test, syn, 1);
  for (size_t i = 0; i < a.privacy->attacks.size(); ++i) {
    // Half of the test rows at most are candidates, the rest is the reference.
    EXPECT_EQ(a.privacy->attacks[i].non_members, 50u);
    EXPECT_EQ(a.privacy->attacks[i].members, 50u);
    EXPECT_EQ(a.privacy->attacks[i].roc_auc, b.privacy->attacks[i].roc_auc);
    EXPECT_EQ(a.privacy->attacks[i].tpr_at_1pct_fpr, b.privacy->attacks[i].tpr_at_1pct_fpr);
  }
  EvalConfig off = testing::test_config();
  off.attack_rows = 0;
  off.detection = false;
  EXPECT_TRUE(evaluate_tables(train, test, &syn, nullptr, data::infer_schema(train), off)
                  .privacy->attacks.empty());
}

}  // namespace
}  // namespace meg::eval
