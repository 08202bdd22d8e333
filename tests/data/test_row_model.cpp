// Joint numeric decoding, learned order rules and declared constraints (data/row_model.hpp),
// on generated tables whose right answer is known.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "core/strings.hpp"
#include "data/row_model.hpp"
#include "data/table_builder.hpp"
#include "meg/error.hpp"
#include "row_codes.hpp"

using namespace meg::data;

namespace {

BuiltTable build(const std::string& text, bool joint, bool rules,
                 const nlohmann::json& schema = nlohmann::json::object()) {
  BuildOptions o;
  o.seed = 7;
  o.row_model = true;
  o.rows.joint = joint;
  o.rows.learn_rules = rules;
  o.declare = [&](const Schema& s, RowModelOptions& r) {
    parse_constraints(schema, s, "s.json", r);
  };
  return build_table(memory_source(text), "t.csv", o);
}

using meg::data::test::own_codes;
using meg::data::test::random_codes;

std::vector<std::vector<double>> decode(const BuiltTable& t, const std::vector<Code>& codes,
                                        uint64_t seed) {
  const size_t d = t.codec.num_cols();
  std::string out;
  meg::core::Rng rng(seed);
  t.codec.decode_rows(codes.data(), codes.size() / d, rng, out);
  std::vector<std::vector<double>> rows;
  for (const auto& line : meg::core::split(out, '\n')) {
    if (line.empty()) continue;
    std::vector<double> row;
    for (const auto& f : meg::core::split(line, ',')) row.push_back(*meg::core::parse_double(f));
    rows.push_back(row);
  }
  return rows;
}

// x uniform, y = x + small noise, z unrelated: y - x is small in the data.
std::string related_table(size_t n) {
  meg::core::Rng rng(1);
  std::string s = "x,y,z\n";
  for (size_t i = 0; i < n; ++i) {
    const double x = rng.uniform() * 100.0;
    const double y = x + (rng.uniform() - 0.5);
    s += fmt::format("{:.3f},{:.3f},{:.3f}\n", x, y, rng.uniform() * 10.0);
  }
  return s;
}

double mean_abs_gap(const std::vector<std::vector<double>>& rows) {
  double s = 0;
  for (const auto& r : rows) s += std::fabs(r[1] - r[0]);
  return s / static_cast<double>(rows.size());
}

}  // namespace

TEST(RowModel, JointDecodingKeepsTheRelationInsideBins) {
  const std::string text = related_table(20000);
  const BuiltTable joint = build(text, true, false), alone = build(text, false, false);
  ASSERT_NE(joint.codec.row_model(), nullptr);
  EXPECT_EQ(alone.codec.row_model(), nullptr);
  EXPECT_EQ(joint.codec.row_model()->donors(), 20000u);
  const double gap_joint = mean_abs_gap(decode(joint, own_codes(joint), 3));
  const double gap_alone = mean_abs_gap(decode(alone, own_codes(alone), 3));
  // In the data |y - x| averages 0.25; bins are 5 wide, so drawing y alone in its bin
  // gives ~1.7; joint positions keep it near the data's.
  EXPECT_LT(gap_joint, 0.6);
  EXPECT_GT(gap_alone, 1.2);
}

TEST(RowModel, LearnedOrderHoldsInEverySampledRow) {
  meg::core::Rng rng(2);
  std::string text = "start,end,other\n";
  for (int i = 0; i < 5000; ++i) {
    const double a = std::floor(rng.uniform() * 1000);
    text += fmt::format("{},{},{:.2f}\n", a, a + std::floor(rng.uniform() * 50), rng.uniform());
  }
  const BuiltTable t = build(text, true, true);
  ASSERT_NE(t.codec.row_model(), nullptr);
  const auto& rules = t.codec.row_model()->order_rules();
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].low, 0u);
  EXPECT_EQ(rules[0].high, 1u);
  // Random bins: most rows' bins contradict the rule, and it holds anyway.
  const auto rows = decode(t, random_codes(t, 5000, 4), 5);
  for (const auto& r : rows) ASSERT_LE(r[0], r[1]);
  // Off: no rule, and random bins break the order.
  const BuiltTable off = build(text, true, false);
  EXPECT_TRUE(off.codec.row_model()->order_rules().empty());
  size_t broken = 0;
  for (const auto& r : decode(off, random_codes(off, 5000, 4), 5)) broken += r[0] > r[1];
  EXPECT_GT(broken, 1000u);
}

TEST(RowModel, DeclaredSumHoldsWithinRounding) {
  meg::core::Rng rng(3);
  std::string text = "a,b,c,total\n";
  for (int i = 0; i < 3000; ++i) {
    const double a = rng.uniform() * 10, b = rng.uniform() * 20, c = rng.uniform() * 5;
    text += fmt::format("{:.2f},{:.2f},{:.2f},{:.2f}\n", a, b, c, a + b + c);
  }
  const nlohmann::json schema = {{"constraints", {"total = a + b + c", "a <= b"}}};
  const BuiltTable t = build(text, true, false, schema);
  ASSERT_NE(t.codec.row_model(), nullptr);
  ASSERT_EQ(t.codec.row_model()->sum_rules().size(), 1u);
  for (const auto& r : decode(t, random_codes(t, 4000, 6), 7)) {
    ASSERT_NEAR(r[3], r[0] + r[1] + r[2], 0.005 + 1e-9);
    ASSERT_LE(r[0], r[1]);
  }
}

TEST(RowModel, BadConstraintsNameTheFileAndTheConstraint) {
  std::string text = "a,b,kind\n";  // 30 distinct numbers: a and b are numeric
  for (int i = 0; i < 30; ++i) text += fmt::format("{},{},{}\n", i, i + 1, i % 2 ? "x" : "y");
  auto error = [&](const nlohmann::json& constraints) {
    try {
      build(text, true, true, {{"constraints", constraints}});
    } catch (const meg::DataError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error({"a <= q"}), "s.json: constraint 'a <= q': no column named 'q'");
  EXPECT_EQ(error({"a <= kind"}),
            "s.json: constraint 'a <= kind': column 'kind' is categorical; constraints take "
            "numeric columns");
  EXPECT_NE(error({"a < b"}).find("s.json: constraint 'a < b': expected"), std::string::npos);
  EXPECT_NE(error({"a = a + b"}).find("the total is also one of its parts"), std::string::npos);
  EXPECT_NE(error({"a <= b <= a"}).find("use one"), std::string::npos);
  EXPECT_NE(error({1}).find("is not a string"), std::string::npos);
  EXPECT_NE(error("a <= b").find("must be an array"), std::string::npos);
  EXPECT_EQ(error({"a <= b", "b = a"}), "no error");
}

TEST(RowModel, RoundTripAndSameSeedSameBytes) {
  const BuiltTable t = build(related_table(3000), true, true);
  const TableCodec back = TableCodec::from_json(t.codec.to_json());
  ASSERT_NE(back.row_model(), nullptr);
  const auto codes = random_codes(t, 2000, 8);
  std::string a, b, c;
  meg::core::Rng r1(9), r2(9), r3(10);
  t.codec.decode_rows(codes.data(), 2000, r1, a);
  back.decode_rows(codes.data(), 2000, r2, b);
  t.codec.decode_rows(codes.data(), 2000, r3, c);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // A tampered tree is refused.
  nlohmann::json j = t.codec.to_json();
  j["rows"]["key_columns"] = {0, 0};
  EXPECT_THROW(TableCodec::from_json(j), meg::ModelFormatError);
}

TEST(RowModel, CategoricalColumnsJoinTheKey) {
  // y - x is +0.5 for kind a and -0.5 for kind b: only a key holding `kind` keeps the sign.
  meg::core::Rng rng(11);
  std::string text = "kind,x,y\n";
  for (int i = 0; i < 20000; ++i) {
    const bool a = rng.uniform() < 0.5;
    const double x = rng.uniform() * 100.0;
    text += fmt::format("{},{:.3f},{:.3f}\n", a ? "a" : "b", x,
                        x + (a ? 0.5 : -0.5) + 0.05 * (rng.uniform() - 0.5));
  }
  const BuiltTable t = build(text, true, false);
  ASSERT_NE(t.codec.row_model(), nullptr);
  const auto& key = t.codec.row_model()->key_columns();
  EXPECT_NE(std::find(key.begin(), key.end(), 0u), key.end());
  const auto codes = own_codes(t);
  std::string out;
  meg::core::Rng decode_rng(12);
  t.codec.decode_rows(codes.data(), t.rows, decode_rng, out);
  double gap[2] = {0, 0};
  size_t count[2] = {0, 0};
  for (const auto& line : meg::core::split(out, '\n')) {
    if (line.empty()) continue;
    const auto f = meg::core::split(line, ',');
    const int b = f[0] == "b";
    gap[b] += *meg::core::parse_double(f[2]) - *meg::core::parse_double(f[1]);
    ++count[b];
  }
  EXPECT_GT(gap[0] / count[0], 0.25);
  EXPECT_LT(gap[1] / count[1], -0.25);
}

TEST(RowModel, DeclaredConstraintWithoutJointColumnsStillLoads) {
  // Numeric columns past the exact bound take no part in joint decoding: a declared order
  // on them still gives a model that round-trips and keeps the order.
  meg::core::Rng rng(13);
  std::string text = "a,b\n";
  for (int i = 0; i < 400; ++i) {
    const double a = rng.uniform() * 100;
    text += fmt::format("{:.4f},{:.4f}\n", a, a + rng.uniform());
  }
  BuildOptions o;
  o.row_model = true;
  o.limits.exact_distinct = 16;  // both columns sampled: no values for the row model
  o.limits.sample_rows = 64;
  o.declare = [](const Schema& s, RowModelOptions& r) {
    parse_constraints({{"constraints", {"a <= b"}}}, s, "s.json", r);
  };
  const BuiltTable t = build_table(memory_source(text), "t.csv", o);
  ASSERT_NE(t.codec.row_model(), nullptr);
  EXPECT_EQ(t.codec.row_model()->donors(), 0u);
  const TableCodec back = TableCodec::from_json(t.codec.to_json());
  for (const auto& r : decode(t, random_codes(t, 2000, 14), 15)) ASSERT_LE(r[0], r[1]);
}

// start uniform over 10,000 minutes; duration 2 + 3 * distance + noise: the end is linked to
// the start and keeps the duration's distribution and its relation to the distance.
TEST(RowModel, TightOrderPairIsDecodedAsBasePlusADonorsDifference) {
  meg::core::Rng rng(11);
  std::string text = "start,end,distance\n";
  for (int i = 0; i < 6000; ++i) {
    const double start = std::floor(rng.uniform() * 10000), distance = 1 + rng.uniform() * 9;
    const double duration = std::round(2 + 3 * distance + 2 * rng.uniform());
    text += fmt::format("{},{},{:.2f}\n", start, start + duration, distance);
  }
  const BuiltTable t = build(text, true, true);
  ASSERT_NE(t.codec.row_model(), nullptr);
  const auto& links = t.codec.row_model()->link_rules();
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].later, 1u);
  EXPECT_EQ(links[0].base, 0u);
  // Decoding the table's own bins: every duration positive and as long as the data's on
  // average; it still follows the distance (correlation near the data's ~0.97).
  const auto rows = decode(t, own_codes(t), 12);
  double sum = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (const auto& r : rows) {
    const double dur = r[1] - r[0];
    ASSERT_GT(dur, 0);
    sum += dur;
    sx += r[2], sy += dur, sxx += r[2] * r[2], syy += dur * dur, sxy += r[2] * dur;
  }
  const double n = static_cast<double>(rows.size());
  EXPECT_NEAR(sum / n, 2 + 3 * 5.5 + 1, 1.0);
  const double corr = (sxy - sx * sy / n) / std::sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
  EXPECT_GT(corr, 0.8);
  // Without the link (joint decoding off) the end is drawn inside its own bin: durations
  // are far from the data's.
  const auto apart = decode(build(text, false, true), own_codes(t), 12);
  double far = 0;
  for (const auto& r : apart) far += std::fabs(r[1] - r[0] - (2 + 3 * r[2] + 1)) > 10;
  EXPECT_GT(far, 0.3 * n);
  // The link survives the model file; a link whose base comes after it is refused.
  const TableCodec back = TableCodec::from_json(t.codec.to_json());
  ASSERT_EQ(back.row_model()->link_rules().size(), 1u);
  nlohmann::json j = t.codec.to_json();
  j["rows"]["links"] = {{0, 1}};
  EXPECT_THROW(TableCodec::from_json(j), meg::ModelFormatError);
}

TEST(RowModel, LooseOrderPairIsNotLinked) {
  meg::core::Rng rng(13);
  std::string text = "start,end\n";
  for (int i = 0; i < 4000; ++i) {
    const double start = std::floor(rng.uniform() * 1000);
    text += fmt::format("{},{}\n", start, start + std::floor(rng.uniform() * 1000));
  }
  const BuiltTable t = build(text, true, true);
  ASSERT_EQ(t.codec.row_model()->order_rules().size(), 1u);
  EXPECT_TRUE(t.codec.row_model()->link_rules().empty());
}
