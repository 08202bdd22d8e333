// Fits of wide tables and of a many-level column through the whole ensemble: the units
// units=auto chooses and the restricted structure search give the same model bytes at 1
// and 2 threads, and a 300-level Zipf column, which is no parent and no class, is
// generated with every level at its frequency.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"
#include "ensemble/meg_model.hpp"
#include "ensemble/model_io.hpp"

using meg::ensemble::MegModel;

namespace {

// `cols` 3-level columns driven by a hidden factor and the previous column.
meg::data::CsvTable wide_table(size_t rows, size_t cols, uint64_t seed) {
  meg::core::Rng rng(seed);
  std::string text;
  for (size_t c = 0; c < cols; ++c) text += fmt::format("{}x{}", c ? "," : "", c);
  text += "\n";
  for (size_t i = 0; i < rows; ++i) {
    const uint64_t h = rng.below(3);
    uint64_t prev = h;
    for (size_t c = 0; c < cols; ++c) {
      const uint64_t v = rng.below(10) < 5 ? prev : (rng.below(2) ? h : rng.below(3));
      text += fmt::format("{}{}", c ? "," : "", static_cast<char>('a' + v));
      prev = v;
    }
    text += "\n";
  }
  return meg::data::parse_csv(text, "wide.csv");
}

}  // namespace

TEST(WideFit, SameBytesAtOneAndTwoThreads) {
  const auto table = wide_table(400, 60, 3);
  const auto schema = meg::data::infer_schema(table);
  meg::FitOptions o;
  o.threads = 1;
  const MegModel one = MegModel::fit(table, schema, o);
  o.threads = 2;
  const MegModel two = MegModel::fit(table, schema, o);
  EXPECT_EQ(one.units().size(), 34u);  // units=auto: 65,536 / (59 * 32)
  EXPECT_TRUE(meg::ensemble::encode_model_file(one.to_json()) ==
              meg::ensemble::encode_model_file(two.to_json()));
  // No column above max_parent_levels: no groups, the file stays format 2.
  EXPECT_EQ(meg::ensemble::model_format_version(one.to_json()), 2u);
}

TEST(WideFit, ManyLevelColumnKeepsItsFrequencies) {
  // code: 300 Zipf-distributed levels whose group (level % 3) follows dept.
  meg::core::Rng rng(8);
  std::vector<double> cdf;
  double total = 0;
  for (int l = 1; l <= 300; ++l) cdf.push_back(total += 1.0 / l);
  std::string text = "dept,code,size,flag\n";
  const size_t n = 20000;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t dept = rng.below(4);
    const double u = rng.uniform() * total;
    const size_t level =
        static_cast<size_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
    const uint64_t size = (dept + rng.below(2)) % 5;
    text += fmt::format("d{},c{:03},{},{}\n", dept, level, size, rng.below(3) == 0 ? "y" : "n");
  }
  const auto table = meg::data::parse_csv(text, "codes.csv");
  const auto schema = meg::data::infer_schema(table);
  meg::FitOptions o;
  o.threads = 2;
  const MegModel m = MegModel::fit(table, schema, o);
  EXPECT_EQ(m.units().size(), 3u);  // code (300 levels) is no class under units=auto
  for (const auto& unit : m.units()) {
    for (const auto& parents : unit.model().structure().parents) {
      EXPECT_EQ(std::count(parents.begin(), parents.end(), 1u), 0);  // nor a parent
    }
  }
  const auto syn = meg::data::parse_csv(m.sample_csv(n, 1, 2), "s");
  std::map<std::string, double> real, fake;
  for (size_t i = 0; i < n; ++i) {
    real[table.columns[1][i]] += 1.0 / n;
    fake[syn.columns[1][i]] += 1.0 / n;
  }
  double tv = 0;
  for (const auto& [level, p] : real) tv += std::abs(p - fake[level]);
  for (const auto& [level, p] : fake) {
    if (!real.count(level)) tv += p;
  }
  tv /= 2;
  EXPECT_LT(tv, 0.06);  // sampling noise of 20,000 rows over 300 levels: about 0.04
  size_t generated = 0;
  for (const auto& [level, p] : real) generated += fake[level] > 0;
  EXPECT_GE(generated, 0.95 * static_cast<double>(real.size()));
}
