// Any table: identifier columns are left out and the one-hot width stays bounded whatever the
// number of distinct values.
#include <gtest/gtest.h>

#include "eval/features.hpp"
#include "eval/fidelity.hpp"
#include "eval/prepared.hpp"
#include "eval_fixtures.hpp"

namespace meg::eval {
namespace {

// make_table's columns plus "key" (a unique id per row, text) and "code" (half the rows one of
// 10 frequent levels, the other half any of `levels` levels: about n / 2 distinct values).
data::CsvTable with_keys(size_t n, uint64_t seed, size_t levels, const std::string& source) {
  data::CsvTable t = testing::make_table(n, seed, source);
  core::Rng rng(seed + 100);
  t.header.insert(t.header.begin(), "key");
  t.columns.insert(t.columns.begin(), std::vector<std::string>());
  t.header.push_back("code");
  t.columns.emplace_back();
  for (size_t r = 0; r < n; ++r) {
    t.columns[0].push_back(fmt::format("K{:08d}", seed * 1000000 + r));
    t.columns.back().push_back(
        fmt::format("c{}", rng.uniform() < 0.5 ? rng.below(10) : rng.below(levels)));
  }
  return t;
}

TEST(AnyTable, KeptLevelsFitBothCaps) {
  EXPECT_EQ(kept_levels({3, 50, 1000}, {100, 1000}), (std::vector<size_t>{3, 50, 100}));
  // Total cap 60: the common per-column cap is lowered to 28 (3 + 28 + 28 = 59 <= 60).
  EXPECT_EQ(kept_levels({3, 50, 1000}, {100, 60}), (std::vector<size_t>{3, 28, 28}));
  // More columns than the total cap: one level each, never zero.
  EXPECT_EQ(kept_levels({5, 5, 5}, {100, 2}), (std::vector<size_t>{1, 1, 1}));
}

TEST(AnyTable, IdentifiersAreDetectedFromTheTrainTable) {
  const data::CsvTable t = with_keys(400, 1, 5000, "t.csv");
  const data::Schema schema = data::infer_schema(t);
  EXPECT_TRUE(is_identifier_column(schema.columns[0], t.columns[0]));   // key
  EXPECT_FALSE(is_identifier_column(schema.columns[6], t.columns[6]));  // code: repeats
  EXPECT_FALSE(is_identifier_column(schema.columns[2], t.columns[2]));  // size: continuous
  // Too few rows to tell a key from a small table.
  const data::CsvTable small = with_keys(30, 1, 10, "s.csv");
  EXPECT_FALSE(is_identifier_column(data::infer_schema(small).columns[0], small.columns[0]));
  // An integer key needs 1000 rows, all distinct.
  data::ColumnSchema integer;
  integer.type = data::ColumnType::Integer;
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back(std::to_string(7 * i + 3));
  EXPECT_TRUE(is_identifier_column(integer, ids));
  ids[999] = ids[0];
  EXPECT_FALSE(is_identifier_column(integer, ids));
  // The target is never left out.
  const Preprocessor pre(t, schema, "key");
  EXPECT_GE(pre.column_index("key"), 0);
}

TEST(AnyTable, OneHotWidthIsBoundedByTheCapsNotTheLevels) {
  const data::CsvTable train = with_keys(3000, 1, 100000, "train.csv");
  const data::Schema schema = data::infer_schema(train);
  const Preprocessor pre(train, schema, "label");
  EXPECT_LT(pre.column_index("key"), 0);  // left out
  const PreparedTable t = pre.prepare(train);
  const size_t code = static_cast<size_t>(pre.column_index("code"));
  ASSERT_GT(pre.levels(code).size(), 1000u);  // many distinct codes
  // Without caps the width would exceed the levels of "code".
  const EncoderLimits limits{20, 25};
  const FeatureEncoder enc(pre, t, pre.column_index("label"), limits);
  // Levels kept: color 3, shape 3, code 19 (3 + 3 + 19 = 25). Features: color 3, size 1 + a
  // missing indicator, count 1, shape 3 + missing, code 19 + "other".
  EXPECT_EQ(enc.num_features(), 3u + 2u + 1u + 4u + 20u);
  // The one-hot of a row sums to one per categorical column, whatever its level.
  const Matrix x = enc.encode(t);
  // Stored sparse: at most one entry per column (two for a numeric column with a missing
  // cell), whatever the width, in increasing column order.
  EXPECT_LE(x.entries(), 6 * x.rows);
  for (size_t r = 0; r < x.rows; ++r) {
    for (size_t e = x.begin(r); e < x.end(r); ++e) {
      ASSERT_LT(x.index[e], x.cols);
      if (e > x.begin(r)) {
        ASSERT_LT(x.index[e - 1], x.index[e]);
      }
    }
  }
  for (size_t r = 0; r < x.rows; ++r) {
    float ones = 0;
    for (size_t e = x.begin(r); e < x.end(r); ++e) ones += x.value[e] == 1.0f ? 1.0f : 0.0f;
    EXPECT_GE(ones, 3.0f);  // color, shape (or missing), code (or other)
  }
  // The dependence of a many-level column is computed on the capped codes.
  const auto dep = dependence_matrix(pre, t, 20);
  EXPECT_EQ(dep.size(), pre.num_columns());
}

TEST(AnyTable, EvaluationLeavesIdentifiersOutEverywhere) {
  const data::CsvTable train = with_keys(1500, 1, 100000, "train.csv");
  const data::CsvTable test = with_keys(600, 2, 100000, "test.csv");
  // The train rows with fresh keys: still copies of train rows, as far as privacy goes.
  data::CsvTable syn = with_keys(1500, 1, 100000, "syn.csv");
  for (size_t r = 0; r < syn.num_rows(); ++r) syn.columns[0][r] = fmt::format("S{:08d}", r);
  EvalConfig c = testing::test_config();
  c.limits = {20, 40};
  const EvaluationResult r =
      evaluate_tables(train, test, &syn, nullptr, data::infer_schema(train), c);
  ASSERT_EQ(r.columns.size(), 7u);
  EXPECT_EQ(r.columns[0].name, "key");
  EXPECT_EQ(r.columns[0].use, "id");
  EXPECT_EQ(r.columns[0].levels, 1500u);
  EXPECT_EQ(r.columns[5].use, "target");
  EXPECT_EQ(r.fidelity->columns.size(), 6u);  // every column but the key
  EXPECT_EQ(r.fidelity->pairwise_columns.size(), 6u);
  EXPECT_EQ(r.privacy->exact_copy_synthetic, 1.0);
  EXPECT_EQ(r.privacy->dcr_synthetic.median, 0.0);
  EXPECT_LE(r.utility->num_features, 40u + 10u);
  EXPECT_LT(r.fidelity->detection->roc_auc, 0.6);  // same rows: the fresh keys are not seen
  EXPECT_NE(report::format_text(r).find("left out as identifiers (about one value per row): "
                                        "'key'"),
            std::string::npos);
  // A synthetic table without the key column (a generator that drops keys) is evaluated too.
  data::CsvTable no_key = syn;
  no_key.header.erase(no_key.header.begin());
  no_key.columns.erase(no_key.columns.begin());
  const EvaluationResult r2 =
      evaluate_tables(train, test, &no_key, nullptr, data::infer_schema(train), c);
  EXPECT_EQ(r2.fidelity->mean_distance_synthetic, r.fidelity->mean_distance_synthetic);
}

TEST(AnyTable, DeclaredRolesDecideIdsAndDatesAreNumbers) {
  // 30 rows: too few for the shape test, but a column declared `id` is one; a date/time
  // column is a numeric feature read by its format (seconds).
  std::string csv = "ref,when,y\n";
  for (int i = 0; i < 30; ++i) {
    csv += "R" + std::to_string(100 + i) + ",2020-01-" + (i < 9 ? "0" : "") +
           std::to_string(i + 1) + " 06:00," + (i % 2 ? "a" : "b") + "\n";
  }
  const data::CsvTable t = data::parse_csv(csv, "t.csv");
  data::Schema schema = data::infer_schema(t);
  EXPECT_FALSE(is_identifier_column(schema.columns[0], t.columns[0]));
  schema.columns[0].type = data::ColumnType::Id;
  EXPECT_TRUE(is_identifier_column(schema.columns[0], t.columns[0]));
  ASSERT_EQ(schema.columns[1].type, data::ColumnType::Datetime);
  EXPECT_FALSE(is_identifier_column(schema.columns[1], t.columns[1]));
  const Preprocessor pre(t, schema, "y");
  EXPECT_LT(pre.column_index("ref"), 0);
  const int when = pre.column_index("when");
  ASSERT_GE(when, 0);
  const PreparedTable p = pre.prepare(t);
  EXPECT_EQ(p.columns[static_cast<size_t>(when)].kind, Kind::Numeric);
  EXPECT_EQ(p.columns[static_cast<size_t>(when)].values[1] -
                p.columns[static_cast<size_t>(when)].values[0],
            86400.0);
}

}  // namespace
}  // namespace meg::eval
