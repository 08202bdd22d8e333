// Conditional sampling from a MEG model against the real conditional distributions of
// a generated table.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"
#include "ensemble/conditional.hpp"
#include "meg/error.hpp"

using meg::ensemble::ConditionalSampler;
using meg::ensemble::MegModel;

namespace {

// y: class, 'r' rare (~6%); a depends on y; b copies a 80%; x (integer) depends on y.
meg::data::CsvTable table(size_t n, uint64_t seed) {
  meg::core::Rng rng(seed);
  std::string text = "y,a,b,x\n";
  for (size_t i = 0; i < n; ++i) {
    const double u = rng.uniform();
    const char y = u < 0.06 ? 'r' : (u < 0.5 ? 's' : 't');
    const uint64_t a = rng.uniform() < 0.7 ? static_cast<uint64_t>(y - 'r') : rng.below(4);
    const uint64_t b = rng.uniform() < 0.8 ? a : rng.below(4);
    const uint64_t x = y == 'r' ? rng.below(20) : 10 + rng.below(90);
    text += fmt::format("{},a{},b{},{}\n", y, a, b, x);
  }
  return meg::data::parse_csv(text, "cond.csv");
}

meg::FitOptions options(std::vector<std::string> units = {}) {
  meg::FitOptions o;
  o.unit.warmup_epochs = 1;
  o.unit.epochs = 1;
  o.seed = 3;
  o.units = std::move(units);
  return o;
}

// Frequencies of each value of column `col` among rows where column `cond` == value.
std::map<std::string, double> conditional(const meg::data::CsvTable& t, size_t col, size_t cond,
                                          const std::string& value) {
  std::map<std::string, double> f;
  double n = 0;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (t.columns[cond][r] != value) continue;
    f[t.columns[col][r]] += 1;
    n += 1;
  }
  for (auto& [k, v] : f) v /= n;
  return f;
}

void expect_close(const std::map<std::string, double>& real,
                  const std::map<std::string, double>& syn, double tol, const char* what) {
  for (const auto& [k, v] : real) {
    auto it = syn.find(k);
    EXPECT_NEAR(it == syn.end() ? 0.0 : it->second, v, tol) << what << " value " << k;
  }
}

const meg::data::CsvTable& real() {
  static const meg::data::CsvTable t = table(20000, 11);
  return t;
}

}  // namespace

// Class-column condition: every unit mixes in, the y unit exactly (clamped root).
// Tolerance 0.05 per value (the real conditional rests on ~1,200 rows).
TEST(Conditional, ClassConditionMatchesRealConditionals) {
  MegModel m = MegModel::fit(real(), meg::data::infer_schema(real()), options());
  ConditionalSampler s(m, {"y=r"}, 2);
  auto syn = meg::data::parse_csv(s.sample_csv(10000, 1, 2), "s");
  ASSERT_EQ(syn.num_rows(), 10000u);
  for (size_t r = 0; r < syn.num_rows(); ++r) ASSERT_EQ(syn.columns[0][r], "r");
  expect_close(conditional(real(), 1, 0, "r"), conditional(syn, 1, 0, "r"), 0.05, "a | y=r");
  expect_close(conditional(real(), 2, 0, "r"), conditional(syn, 2, 0, "r"), 0.05, "b | y=r");
  EXPECT_NEAR(std::exp(s.log_probability()), 0.06, 0.01);
}

// Non-class condition (only the y unit: likelihood weighting over a's CPT). 0.06 per value.
TEST(Conditional, NonClassConditionMatchesApproximately) {
  MegModel m = MegModel::fit(real(), meg::data::infer_schema(real()), options({"y"}));
  ConditionalSampler s(m, {"b=b0"}, 1);
  auto syn = meg::data::parse_csv(s.sample_csv(10000, 2, 1), "s");
  for (size_t r = 0; r < syn.num_rows(); ++r) ASSERT_EQ(syn.columns[2][r], "b0");
  expect_close(conditional(real(), 0, 2, "b0"), conditional(syn, 0, 2, "b0"), 0.06, "y | b=b0");
  expect_close(conditional(real(), 1, 2, "b0"), conditional(syn, 1, 2, "b0"), 0.06, "a | b=b0");
}

TEST(Conditional, RangesAndSeveralConditionsHoldOnEveryRow) {
  MegModel m = MegModel::fit(real(), meg::data::infer_schema(real()), options());
  ConditionalSampler s(m, {"x=5..12", "a=a0"}, 2);
  auto syn = meg::data::parse_csv(s.sample_csv(5000, 3, 2), "s");
  ASSERT_EQ(syn.num_rows(), 5000u);
  for (size_t r = 0; r < syn.num_rows(); ++r) {
    const int x = std::stoi(syn.columns[3][r]);
    ASSERT_TRUE(x >= 5 && x <= 12) << x;
    ASSERT_EQ(syn.columns[1][r], "a0");
  }
  auto open = meg::data::parse_csv(ConditionalSampler(m, {"x=..3"}, 1).sample_csv(500, 4, 1), "o");
  for (size_t r = 0; r < open.num_rows(); ++r) ASSERT_LE(std::stoi(open.columns[3][r]), 3);
}

TEST(Conditional, BadConditionsAreClearErrors) {
  MegModel m = MegModel::fit(real(), meg::data::infer_schema(real()), options({"y"}));
  EXPECT_THROW(ConditionalSampler(m, {"y=q"}, 1), meg::InvalidArgument);
  EXPECT_THROW(ConditionalSampler(m, {"x=200.."}, 1), meg::InvalidArgument);
  EXPECT_THROW(ConditionalSampler(m, {"x=9..3"}, 1), meg::InvalidArgument);
  EXPECT_THROW(ConditionalSampler(m, {"z=1"}, 1), meg::InvalidArgument);
  EXPECT_THROW(ConditionalSampler(m, {"y"}, 1), meg::InvalidArgument);
  EXPECT_THROW(ConditionalSampler(m, {"y=r", "y=q"}, 1), meg::InvalidArgument);
  try {
    ConditionalSampler(m, {"y=q"}, 1);
  } catch (const meg::InvalidArgument& e) {
    EXPECT_EQ(std::string(e.what()),
              "condition 'y=q': 'q' is not a value of column 'y' (levels: r, s, t)");
  }
}

TEST(Conditional, DeterministicWhateverTheThreads) {
  MegModel m = MegModel::fit(real(), meg::data::infer_schema(real()), options());
  const uint64_t n = MegModel::kChunkRows + 1000;
  const std::string a = ConditionalSampler(m, {"a=a2"}, 1).sample_csv(n, 9, 1);
  EXPECT_EQ(a, ConditionalSampler(m, {"a=a2"}, 4).sample_csv(n, 9, 4));
  EXPECT_NE(a, ConditionalSampler(m, {"a=a2"}, 1).sample_csv(n, 10, 1));
}

// Several conditions on one column allow any of their values, in the proportions the
// model gives them (real: p(r) / (p(r) + p(s)) = 0.06 / 0.5 = 0.12; tolerance 0.03);
// order and repeats do not change the rows.
TEST(Conditional, SeveralValuesOnAColumnAllowAnyOfThem) {
  MegModel m = MegModel::fit(real(), meg::data::infer_schema(real()), options());
  const std::string text = ConditionalSampler(m, {"y=r", "y=s"}, 2).sample_csv(8000, 5, 2);
  auto syn = meg::data::parse_csv(text, "s");
  double r = 0;
  for (size_t i = 0; i < syn.num_rows(); ++i) {
    ASSERT_TRUE(syn.columns[0][i] == "r" || syn.columns[0][i] == "s") << syn.columns[0][i];
    r += syn.columns[0][i] == "r";
  }
  EXPECT_NEAR(r / 8000.0, 0.12, 0.03);
  EXPECT_EQ(text, ConditionalSampler(m, {"y=s", "y=r", "y=s"}, 1).sample_csv(8000, 5, 1));
}

// Numeric ranges on one column: every value inside one of them, and the ranges in the
// proportions the model gives them: for ranges whose bins are disjoint, p(E1 or E2) =
// p(E1) + p(E2), so the share of the first is p(E1) / (p(E1) + p(E2)) (tolerance 0.03 at
// 6,000 rows). The probabilities are the model's at the bin level (docs/conditional.md).
TEST(Conditional, SeveralRangesOnANumericColumn) {
  MegModel m = MegModel::fit(real(), meg::data::infer_schema(real()), options());
  ConditionalSampler s(m, {"x=..9", "x=90.."}, 2);
  ASSERT_EQ(s.conditions().size(), 1u);
  ASSERT_EQ(s.conditions()[0].ranges.size(), 2u);
  const double p1 = std::exp(ConditionalSampler(m, {"x=..9"}, 1).log_probability());
  const double p2 = std::exp(ConditionalSampler(m, {"x=90.."}, 1).log_probability());
  EXPECT_NEAR(std::exp(s.log_probability()), p1 + p2, 0.03 * (p1 + p2));
  auto syn = meg::data::parse_csv(s.sample_csv(6000, 6, 2), "s");
  double low = 0;
  for (size_t i = 0; i < syn.num_rows(); ++i) {
    const int x = std::stoi(syn.columns[3][i]);
    ASSERT_TRUE(x <= 9 || x >= 90) << x;
    low += x <= 9;
  }
  EXPECT_NEAR(low / 6000.0, p1 / (p1 + p2), 0.03);
  ConditionalSampler merged(m, {"x=5..12", "x=10..20", "x=7"}, 1);
  ASSERT_EQ(merged.conditions()[0].ranges.size(), 1u);
  EXPECT_EQ(merged.conditions()[0].ranges[0].lo, 5.0);
  EXPECT_EQ(merged.conditions()[0].ranges[0].hi, 20.0);
}

// Missing values as a condition, alone or with other values: "COL=" (or any missing token).
TEST(Conditional, MissingValuesAreAValueToConditionOn) {
  meg::core::Rng rng(21);
  std::string text = "c,v,w\n";
  for (int i = 0; i < 4000; ++i) {
    const bool miss = rng.uniform() < 0.2;
    const uint64_t c = rng.below(3);
    text += fmt::format("{},{},{}\n", miss ? "" : fmt::format("c{}", c),
                        rng.uniform() < 0.15 ? "NA" : std::to_string(c * 10 + rng.below(10)),
                        rng.below(5));
  }
  const auto t = meg::data::parse_csv(text, "miss.csv");
  MegModel m = MegModel::fit(t, meg::data::infer_schema(t), options());
  auto syn = meg::data::parse_csv(
      ConditionalSampler(m, {"c=", "c=c1", "v=NA", "v=..4"}, 2).sample_csv(3000, 7, 2), "s");
  size_t missing_c = 0, missing_v = 0;
  for (size_t i = 0; i < syn.num_rows(); ++i) {
    const std::string& c = syn.columns[0][i];
    const std::string& v = syn.columns[1][i];
    ASSERT_TRUE(c.empty() || c == "c1") << c;
    ASSERT_TRUE(v == "NA" || std::stoi(v) <= 4) << v;
    missing_c += c.empty();
    missing_v += v == "NA";
  }
  EXPECT_GT(missing_c, 0u);
  EXPECT_LT(missing_c, syn.num_rows());
  EXPECT_GT(missing_v, 0u);
  EXPECT_LT(missing_v, syn.num_rows());
  auto only = meg::data::parse_csv(ConditionalSampler(m, {"c="}, 1).sample_csv(200, 8, 1), "o");
  for (size_t i = 0; i < only.num_rows(); ++i) ASSERT_EQ(only.columns[0][i], "");
  EXPECT_THROW(ConditionalSampler(m, {"w="}, 1), meg::InvalidArgument);  // w had no missing
}

// A learned order rule (a <= b on every training row) against a condition on b: the
// condition holds on every row, also where the row's a was drawn above the range.
TEST(Conditional, AConditionWinsOverAnOrderRule) {
  meg::core::Rng rng(5);
  std::string text = "a,b,g\n";
  for (int i = 0; i < 3000; ++i) {
    const uint64_t a = rng.below(100);
    text += fmt::format("{},{},g{}\n", a, a + rng.below(5), a % 3);
  }
  const auto t = meg::data::parse_csv(text, "order.csv");
  MegModel m = MegModel::fit(t, meg::data::infer_schema(t), options());
  for (const char* where : {"b=..20", "a=80.."}) {
    auto syn = meg::data::parse_csv(ConditionalSampler(m, {where}, 2).sample_csv(3000, 9, 2), "s");
    for (size_t i = 0; i < syn.num_rows(); ++i) {
      const int a = std::stoi(syn.columns[0][i]), b = std::stoi(syn.columns[1][i]);
      if (where[0] == 'b') {
        ASSERT_LE(b, 20) << where << " a=" << a;
      } else {
        ASSERT_GE(a, 80) << where << " b=" << b;
      }
    }
  }
}
