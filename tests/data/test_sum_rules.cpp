// Learned sums (data/sum_rules.hpp) on generated tables whose right answer is known: found,
// not found when one row breaks them, enforced in every decoded row, old models load.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "core/strings.hpp"
#include "data/row_model.hpp"
#include "data/sum_rules.hpp"
#include "data/table_builder.hpp"
#include "row_codes.hpp"

using namespace meg::data;

namespace {

BuiltTable build(const std::string& text, bool sums,
                 const nlohmann::json& schema = nlohmann::json::object()) {
  BuildOptions o;
  o.seed = 11;
  o.row_model = true;
  o.rows.learn_sums = sums;
  o.declare = [&](const Schema& s, RowModelOptions& r) {
    parse_constraints(schema, s, "s.json", r);
  };
  return build_table(memory_source(text), "t.csv", o);
}

// Columns a, b, c (cents), total = a + b + c, diff = a - b, x unrelated, kind categorical;
// `break_row` >= 0: that row's total is one cent off.
std::string sum_table(size_t n, long break_row = -1) {
  meg::core::Rng rng(5);
  std::string s = "a,b,c,x,kind,total,diff\n";
  for (size_t i = 0; i < n; ++i) {
    const long a = static_cast<long>(rng.below(10000)), b = static_cast<long>(rng.below(5000)),
               c = static_cast<long>(rng.below(2000));
    const long total = a + b + c + (static_cast<long>(i) == break_row ? 1 : 0);
    auto cents = [](long v) {
      return fmt::format("{}{}.{:02d}", v < 0 ? "-" : "", std::labs(v) / 100, std::labs(v) % 100);
    };
    s += fmt::format("{},{},{},{:.3f},{},{},{}\n", cents(a), cents(b), cents(c), rng.uniform() * 50,
                     rng.uniform() < 0.3 ? "p" : "q", cents(total), cents(a - b));
  }
  return s;
}

std::vector<std::string> sums_text(const BuiltTable& t) {
  std::vector<std::string> out;
  for (const auto& line : t.codec.row_model()->describe(t.codec)) {
    if (line.find(" = ") != std::string::npos && line.find("difference") == std::string::npos) {
      out.push_back(line);
    }
  }
  return out;
}

// Decoded rows of random bins (rows no network would make: the rules must hold anyway).
std::vector<std::vector<std::string>> decode_random(const BuiltTable& t, size_t n, uint64_t seed) {
  const std::vector<Code> codes = meg::data::test::random_codes(t, n, seed);
  meg::core::Rng rng(seed + 1);
  std::string out;
  t.codec.decode_rows(codes.data(), n, rng, out);
  std::vector<std::vector<std::string>> rows;
  for (const auto& line : meg::core::split(out, '\n')) {
    if (!line.empty()) rows.push_back(meg::core::split(line, ','));
  }
  return rows;
}

double num(const std::string& s) { return *meg::core::parse_double(s); }

}  // namespace

TEST(SumRules, SumOfThreeAndASignedDifferenceAreLearned) {
  const BuiltTable t = build(sum_table(4000), true);
  ASSERT_NE(t.codec.row_model(), nullptr);
  // diff = a - b is written with the most '+' parts: a = b + diff; total's parts then
  // include a (a total itself, decoded before it).
  const auto lines = sums_text(t);
  ASSERT_EQ(lines.size(), 2u) << fmt::format("{}", fmt::join(lines, "\n"));
  // The sum with the most '+' parts is kept first.
  EXPECT_EQ(lines[0], "total = a + b + c  (learned: every training row, within its rounding)");
  EXPECT_EQ(lines[1], "a = b + diff  (learned: every training row, within its rounding)");
  const BuiltTable off = build(sum_table(4000), false);
  EXPECT_TRUE(off.codec.row_model()->sum_rules().empty());
}

TEST(SumRules, ANearSumThatFailsInOneRowIsNotLearned) {
  // Whether or not the search sample holds the broken row, the check on every row drops it.
  const BuiltTable t = build(sum_table(4000, 3999), true);
  ASSERT_NE(t.codec.row_model(), nullptr);
  const auto lines = sums_text(t);
  ASSERT_EQ(lines.size(), 1u) << fmt::format("{}", fmt::join(lines, "\n"));
  EXPECT_EQ(lines[0].rfind("a = b + diff", 0), 0u);
}

TEST(SumRules, EveryDecodedRowObeysTheSumsRangesAndOrders) {
  const BuiltTable t = build(sum_table(4000), true);
  const RowModel* model = t.codec.row_model();
  ASSERT_EQ(model->sum_rules().size(), 2u);
  // Random bins: rows no network would make (a near its top, b near its top, ...).
  const auto rows = decode_random(t, 20000, 9);
  ASSERT_EQ(rows.size(), 20000u);
  const auto names = t.codec.column_names();
  size_t out_of_range = 0;
  for (const auto& r : rows) {
    const double a = num(r[0]), b = num(r[1]), c = num(r[2]), total = num(r[5]), diff = num(r[6]);
    ASSERT_NEAR(total, a + b + c, 0.005 + 1e-9);
    ASSERT_NEAR(a, b + diff, 0.005 + 1e-9);
    for (size_t col : {0u, 1u, 2u, 5u, 6u}) {
      const NumericView* v = t.codec.column(col).numeric_view();
      // Parts stay in their ranges; a total only leaves its range when no free part
      // (here c) can bring it back: the sum wins.
      const bool in = num(r[col]) >= v->min_value() - 1e-9 && num(r[col]) <= v->max_value() + 1e-9;
      if (col != 0 && col != 5) {
        ASSERT_TRUE(in) << names[col] << " " << r[col];
      }
      out_of_range += !in;
    }
    for (const auto& rule : model->order_rules()) {
      ASSERT_LE(num(r[rule.low]), num(r[rule.high]))
          << names[rule.low] << " <= " << names[rule.high];
    }
    // Written in the column's own cents.
    ASSERT_EQ(r[5].size() - r[5].find('.'), 3u) << r[5];
  }
  EXPECT_LT(out_of_range, rows.size() / 100);
  // The training rows' own bins: every total in its range too.
  const std::vector<Code> codes = meg::data::test::own_codes(t);
  std::string out;
  meg::core::Rng rng(4);
  t.codec.decode_rows(codes.data(), t.rows, rng, out);
  for (const auto& line : meg::core::split(out, '\n')) {
    if (line.empty()) continue;
    const auto r = meg::core::split(line, ',');
    for (size_t col : {0u, 5u}) {
      const NumericView* v = t.codec.column(col).numeric_view();
      ASSERT_GE(num(r[col]), v->min_value() - 1e-9) << line;
      ASSERT_LE(num(r[col]), v->max_value() + 1e-9) << line;
    }
  }
}

TEST(SumRules, ADeclaredSumWinsAndIsNotListedTwice) {
  const nlohmann::json schema = {{"constraints", {"total = c + b + a"}}};
  const BuiltTable t = build(sum_table(3000), true, schema);
  const auto lines = sums_text(t);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "total = c + b + a  (declared)");
  EXPECT_EQ(lines[1].rfind("a = b + diff", 0), 0u);
}

TEST(SumRules, DeclaredSignedSumIsKeptAndCyclesAreRefused) {
  // A declared "diff = a - b": kept as written; the same relation learned is not listed again.
  const BuiltTable t = build(sum_table(3000), true, {{"constraints", {"diff = a - b"}}});
  const auto lines = sums_text(t);
  ASSERT_EQ(lines.size(), 2u) << fmt::format("{}", fmt::join(lines, "\n"));
  EXPECT_EQ(lines[0], "diff = a - b  (declared)");
  EXPECT_EQ(lines[1].rfind("total = a + b + c  (learned", 0), 0u) << lines[1];
  for (const auto& r : decode_random(t, 3000, 5)) {
    ASSERT_NEAR(num(r[6]), num(r[0]) - num(r[1]), 0.005 + 1e-9);
  }
  auto error = [&](const nlohmann::json& constraints) {
    try {
      build(sum_table(100), true, {{"constraints", constraints}});
    } catch (const meg::DataError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(error({"total = a + b + c", "a = total - b - c"}),
            "s.json: the declared sums form a cycle (a total is among the parts of its own parts)");
  EXPECT_EQ(error({"total = a - q"}), "s.json: constraint 'total = a - q': no column named 'q'");
  EXPECT_EQ(error({"total = a - a"}),
            "s.json: constraint 'total = a - a': column 'a' is a part twice");
}

TEST(SumRules, ModelFileRoundTripsAndVersionOneLoads) {
  const BuiltTable t = build(sum_table(2000), true);
  const RowModel& model = *t.codec.row_model();
  nlohmann::json j = model.to_json();
  EXPECT_EQ(j.at("rules_version").get<int>(), kRulesVersion);
  const auto back = RowModel::from_json(j, t.codec);
  EXPECT_EQ(back->sum_rules().size(), model.sum_rules().size());
  EXPECT_EQ(back->describe(t.codec), model.describe(t.codec));
  // A version-1 rules section (before learned sums): declared '+' sums, no signs.
  j.erase("rules_version");
  j["sums"] = nlohmann::json::array({{{"total", 5}, {"parts", {0, 1, 2}}}});
  const auto old = RowModel::from_json(j, t.codec);
  ASSERT_EQ(old->sum_rules().size(), 1u);
  EXPECT_EQ(old->sum_rules()[0].signs, std::vector<int>({1, 1, 1}));
  EXPECT_FALSE(old->sum_rules()[0].learned);
  j["rules_version"] = kRulesVersion + 1;
  EXPECT_THROW(RowModel::from_json(j, t.codec), meg::ModelFormatError);
  // Bad signs, a sign list of the wrong length, a column the total of two sums: refused.
  j["rules_version"] = kRulesVersion;
  for (const auto& sums :
       {nlohmann::json::array(
            {{{"total", 5}, {"parts", {0, 1}}, {"signs", {1, 2}}, {"learned", true}}}),
        nlohmann::json::array(
            {{{"total", 5}, {"parts", {0, 1}}, {"signs", {1}}, {"learned", true}}}),
        nlohmann::json::array(
            {{{"total", 5}, {"parts", {0}}, {"signs", {1}}, {"learned", true}},
             {{"total", 5}, {"parts", {1}}, {"signs", {1}}, {"learned", true}}})}) {
    j["sums"] = sums;
    EXPECT_THROW(RowModel::from_json(j, t.codec), meg::ModelFormatError) << sums.dump();
  }
}

TEST(SumRules, ColumnsThatMerelyCorrelateGiveNoSum) {
  // y ~ x1 + x2 + noise of a few cents: close, never exact.
  meg::core::Rng rng(8);
  std::string text = "x1,x2,y,z\n";
  for (int i = 0; i < 3000; ++i) {
    const double x1 = rng.uniform() * 100, x2 = rng.uniform() * 100;
    text += fmt::format("{:.2f},{:.2f},{:.2f},{:.2f}\n", x1, x2, x1 + x2 + rng.uniform() * 0.2,
                        rng.uniform());
  }
  const BuiltTable t = build(text, true);
  EXPECT_TRUE(t.codec.row_model() == nullptr || t.codec.row_model()->sum_rules().empty());
}

TEST(SumRules, TwoSumsSharingATotalAreBothKept) {
  // total = a + b + c + shipping (4 parts) and net = total - discount: the sum with the most
  // '+' parts takes `total`; the other is written with `net` as its total.
  meg::core::Rng rng(12);
  std::string text = "a,b,c,shipping,total,discount,net\n";
  auto cents = [](long v) { return fmt::format("{}.{:02d}", v / 100, v % 100); };
  for (int i = 0; i < 3000; ++i) {
    const long a = static_cast<long>(rng.below(5000)), b = static_cast<long>(rng.below(3000)),
               c = static_cast<long>(rng.below(1500)), ship = static_cast<long>(rng.below(999));
    const long total = a + b + c + ship, discount = static_cast<long>(rng.below(400));
    text += fmt::format("{},{},{},{},{},{},{}\n", cents(a), cents(b), cents(c), cents(ship),
                        cents(total), cents(discount), cents(total - discount));
  }
  const BuiltTable t = build(text, true);
  const auto lines = sums_text(t);
  ASSERT_EQ(lines.size(), 2u) << fmt::format("{}", fmt::join(lines, "\n"));
  EXPECT_EQ(lines[0].rfind("total = a + b + c + shipping  (learned", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1].rfind("net = total - discount  (learned", 0), 0u) << lines[1];
  for (const auto& r : decode_random(t, 5000, 3)) {
    ASSERT_NEAR(num(r[4]), num(r[0]) + num(r[1]) + num(r[2]) + num(r[3]), 0.005 + 1e-9);
    ASSERT_NEAR(num(r[6]), num(r[4]) - num(r[5]), 0.005 + 1e-9);
  }
}

TEST(SumRules, ManyRelatedColumnsGiveTheSimplestSums) {
  // b0..b3 and their six pairwise sums: every 4-part combination (s01 = b0 + b2 - s12 + s01
  // ...) also holds; the six plain sums are kept and nothing else.
  meg::core::Rng rng(21);
  std::string text = "b0,b1,b2,b3,s01,s02,s03,s12,s13,s23\n";
  for (int i = 0; i < 3000; ++i) {
    long b[4];
    for (long& v : b) v = static_cast<long>(rng.below(100000));
    std::string line;
    for (long v : b) line += fmt::format("{}.{:02d},", v / 100, v % 100);
    for (int x = 0; x < 4; ++x) {
      for (int y = x + 1; y < 4; ++y) {
        line += fmt::format("{}.{:02d},", (b[x] + b[y]) / 100, (b[x] + b[y]) % 100);
      }
    }
    line.back() = '\n';
    text += line;
  }
  const BuiltTable t = build(text, true);
  auto lines = sums_text(t);
  std::sort(lines.begin(), lines.end());
  std::vector<std::string> want;
  for (int x = 0; x < 4; ++x) {
    for (int y = x + 1; y < 4; ++y) {
      want.push_back(fmt::format(
          "s{}{} = b{} + b{}  (learned: every training row, within its rounding)", x, y, x, y));
    }
  }
  EXPECT_EQ(lines, want);
}
