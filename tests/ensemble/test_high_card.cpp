// High-cardinality columns keep their dependence (docs/performance.md, "High-cardinality
// columns"): tables drawn from known networks where a 300-level Zipf column depends on a
// 5-level one, and where a 5-level column depends on the 300-level one. The fitted
// units link the two columns, the synthetic conditional frequencies match the real ones,
// the 300-level marginal is kept, and the bytes do not depend on the thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"
#include "ensemble/meg_model.hpp"
#include "ensemble/model_io.hpp"

using meg::ensemble::MegModel;

namespace {

constexpr size_t kLevels = 300;
constexpr size_t kBlocks = 5;  // code c belongs to block c % 5

// Zipf weights 1 / (l + 1) over `levels` codes.
std::vector<double> zipf_cdf(size_t levels) {
  std::vector<double> cdf;
  double total = 0;
  for (size_t l = 0; l < levels; ++l) cdf.push_back(total += 1.0 / static_cast<double>(l + 1));
  return cdf;
}

size_t draw(meg::core::Rng& rng, const std::vector<double>& cdf) {
  const double u = rng.uniform() * cdf.back();
  return static_cast<size_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
}

// Columns: s (5 levels), code (300 levels), a (3 levels, follows s), b (4 levels,
// independent), c (2 levels, follows a). child_code: code | s (with probability 0.8 a
// Zipf code of block s, else any Zipf code); else s | code (s = the code's block with
// probability 0.8, else uniform).
meg::data::CsvTable table(size_t rows, bool child_code, uint64_t seed) {
  meg::core::Rng rng(seed);
  const std::vector<double> cdf = zipf_cdf(kLevels);
  const std::vector<double> block_cdf = zipf_cdf(kLevels / kBlocks);
  std::string text = "s,code,a,b,c\n";
  for (size_t i = 0; i < rows; ++i) {
    size_t s = 0, code = 0;
    if (child_code) {
      s = rng.below(kBlocks);
      code = rng.below(10) < 8 ? draw(rng, block_cdf) * kBlocks + s : draw(rng, cdf);
    } else {
      code = draw(rng, cdf);
      s = rng.below(10) < 8 ? code % kBlocks : rng.below(kBlocks);
    }
    const uint64_t a = rng.below(10) < 7 ? s % 3 : rng.below(3);
    const uint64_t c = rng.below(10) < 7 ? a % 2 : rng.below(2);
    text += fmt::format("s{},k{:03},a{},b{},c{}\n", s, code, a, rng.below(4), c);
  }
  return meg::data::parse_csv(text, "codes.csv");
}

using Freq = std::map<std::string, double>;

double total_variation(const Freq& p, const Freq& q) {
  double tv = 0;
  for (const auto& [k, v] : p) tv += std::abs(v - (q.count(k) ? q.at(k) : 0.0));
  for (const auto& [k, v] : q) {
    if (!p.count(k)) tv += v;
  }
  return tv / 2;
}

// p(block of code | s) per s level, and the largest TV distance between two tables' ones.
std::map<std::string, Freq> block_given_s(const meg::data::CsvTable& t) {
  std::map<std::string, Freq> out;
  std::map<std::string, double> n;
  for (size_t i = 0; i < t.columns[0].size(); ++i) n[t.columns[0][i]] += 1;
  for (size_t i = 0; i < t.columns[0].size(); ++i) {
    const int code = std::stoi(t.columns[1][i].substr(1));
    out[t.columns[0][i]][std::to_string(code % kBlocks)] += 1.0 / n[t.columns[0][i]];
  }
  return out;
}

double worst_conditional_tv(const meg::data::CsvTable& real, const meg::data::CsvTable& syn) {
  const auto p = block_given_s(real), q = block_given_s(syn);
  double worst = 0;
  for (const auto& [s, dist] : p) worst = std::max(worst, total_variation(dist, q.at(s)));
  return worst;
}

// The smallest TV distance between p(block | s) and p(block): what a model that lost the
// dependence would at least miss by, for every s.
double least_dependence(const meg::data::CsvTable& real) {
  Freq blocks;
  const double n = static_cast<double>(real.columns[1].size());
  for (const auto& v : real.columns[1])
    blocks[std::to_string(std::stoi(v.substr(1)) % kBlocks)] += 1 / n;
  double least = 1;
  for (const auto& [s, dist] : block_given_s(real))
    least = std::min(least, total_variation(dist, blocks));
  return least;
}

Freq marginal(const meg::data::CsvTable& t, size_t col) {
  Freq out;
  const double n = static_cast<double>(t.columns[col].size());
  for (const auto& v : t.columns[col]) out[v] += 1.0 / n;
  return out;
}

// Whether a unit (whose class is neither column) has an edge between columns 0 and 1.
bool linked(const meg::bn::KdbStructure& s) {
  const auto has = [&](size_t child, uint32_t parent) {
    return std::count(s.parents[child].begin(), s.parents[child].end(), parent) > 0;
  };
  return has(0, 1) || has(1, 0);
}

void check(bool child_code) {
  const size_t n = 20000;
  const auto real = table(n, child_code, child_code ? 11 : 12);
  const auto schema = meg::data::infer_schema(real);
  meg::FitOptions o;
  o.threads = 2;
  const MegModel m = MegModel::fit(real, schema, o);
  ASSERT_EQ(m.units().size(), 4u);  // code (300 levels) is no class under units=auto
  for (const auto& unit : m.units()) {
    const auto& s = unit.model().structure();
    if (s.class_col != 0) {
      EXPECT_TRUE(linked(s)) << "unit of column " << s.class_col;
    }
  }
  const auto syn = meg::data::parse_csv(m.sample_csv(n, 1, 2), "syn");
  // The dependence: p(block | s) is far from p(block) for every s (a model without the
  // dependence misses by that much), and the synthetic one is close to the real one.
  EXPECT_GT(least_dependence(real), 0.4);
  EXPECT_LT(worst_conditional_tv(real, syn), 0.06);
  // The 300-level marginal: sampling noise of 20,000 rows over 300 Zipf levels is about 0.04.
  const Freq pr = marginal(real, 1), ps = marginal(syn, 1);
  EXPECT_LT(total_variation(pr, ps), 0.07);
  size_t generated = 0;
  for (const auto& [level, p] : pr) generated += ps.count(level) ? 1 : 0;
  EXPECT_GE(generated, 0.9 * static_cast<double>(pr.size()));
  // Same bytes at one thread; the grouped parents make the file format 3.
  o.threads = 1;
  const MegModel one = MegModel::fit(real, schema, o);
  const std::string bytes = meg::ensemble::encode_model_file(m.to_json());
  EXPECT_TRUE(bytes == meg::ensemble::encode_model_file(one.to_json()));
  EXPECT_EQ(meg::ensemble::model_format_version(m.to_json()), 3u);
  // Saved and loaded, the grouped parents give the same rows.
  const MegModel back = MegModel::from_json(meg::ensemble::decode_model_file(bytes, "codes.meg"));
  EXPECT_EQ(back.sample_csv(2000, 7, 2), m.sample_csv(2000, 7, 2));
}

}  // namespace

TEST(HighCard, ManyLevelChildDependsOnSmallParent) { check(true); }

TEST(HighCard, SmallChildDependsOnManyLevelParent) { check(false); }
