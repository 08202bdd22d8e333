// meg sample --where and meg augment, end to end.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli_runner.hpp"

namespace fs = std::filesystem;
using meg::test::rows_of;
using meg::test::run_meg;
using meg::test::scratch_dir;
using meg::test::slurp;

namespace {

void expect_one_error_line(const meg::test::RunResult& r, const std::string& fragment) {
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
}

// A table with a numeric column: x = 10 * g + (row mod 10).
fs::path numeric_table(const fs::path& dir) {
  std::ofstream out(dir / "num.csv");
  out << "g,h,x\n";
  for (int i = 0; i < 600; ++i)
    out << "g" << i % 3 << ",h" << (i / 3) % 2 << "," << 10 * (i % 3) + i % 10 << "\n";
  return dir / "num.csv";
}

}  // namespace

TEST(CliConditional, WhereRangesAndErrors) {
  auto dir = scratch_dir("where");
  const std::string model = (dir / "num.meg").string();
  auto fit = run_meg("fit " + numeric_table(dir).string() + " -o " + model +
                         " --epochs 1 --warmup-epochs 1 --quiet",
                     dir);
  ASSERT_EQ(fit.code, 0) << fit.err;
  const std::string out = (dir / "s.csv").string();
  auto s =
      run_meg("sample " + model + " -n 2000 -o " + out + " --where g=g1 --where x=12..15", dir);
  ASSERT_EQ(s.code, 0) << s.err;
  auto rows = rows_of(slurp(out));
  ASSERT_EQ(rows.size(), 2000u);
  for (const auto& r : rows) {
    ASSERT_EQ(r[0], "g1");
    const int x = std::stoi(r[2]);
    ASSERT_TRUE(x >= 12 && x <= 15) << x;
  }
  s = run_meg("sample " + model + " -n 50 -o " + out + " --where x=..3", dir);
  ASSERT_EQ(s.code, 0) << s.err;
  for (const auto& r : rows_of(slurp(out))) ASSERT_LE(std::stoi(r[2]), 3);
  // Several conditions on one column: any of their values (the same rows whatever the order).
  s = run_meg("sample " + model + " -n 600 -o " + out +
                  " --where g=g0 --where x=..3 --where g=g2 --where x=25..",
              dir);
  ASSERT_EQ(s.code, 0) << s.err;
  const std::string both = slurp(out);
  std::map<std::string, int> groups;
  for (const auto& r : rows_of(both)) {
    ASSERT_TRUE(r[0] == "g0" || r[0] == "g2") << r[0];
    const int x = std::stoi(r[2]);
    ASSERT_TRUE(x <= 3 || x >= 25) << x;
    ++groups[r[0]];
  }
  EXPECT_EQ(groups.size(), 2u);
  s = run_meg("sample " + model + " -n 600 -o " + out +
                  " --where x=25.. --where g=g2 --where x=..3 --where g=g0",
              dir);
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_EQ(slurp(out), both);
  expect_one_error_line(run_meg("sample " + model + " -n 5 -o - --where g=g0 --where g=zz", dir),
                        "condition 'g=zz': 'zz' is not a value of column 'g'");
  expect_one_error_line(run_meg("sample " + model + " -n 5 -o - --where g=zz", dir),
                        "'zz' is not a value of column 'g' (levels: g0, g1, g2)");
  expect_one_error_line(run_meg("sample " + model + " -n 5 -o - --where x=100..", dir),
                        "no training value of column 'x'");
  expect_one_error_line(run_meg("sample " + model + " -n 5 -o - --where nope=1", dir),
                        "no column named 'nope'");
  expect_one_error_line(run_meg("sample " + model + " -n 5 -o - --where g", dir),
                        "expected COL=VALUE");
}

TEST(CliConditional, AugmentBalanceKeepsRealRowsAndEqualisesClasses) {
  auto dir = scratch_dir("augment");
  const std::string out = (dir / "aug.csv").string();
  auto r = run_meg(
      "augment data/car.csv --target class --balance -o " + out + " --seed 2 --threads 2", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("vgood"), std::string::npos) << r.err;  // summary table
  const std::string real = slurp("data/car.csv"), aug = slurp(out);
  ASSERT_EQ(aug.compare(0, real.size(), real), 0) << "the real rows come first, verbatim";
  std::map<std::string, int> counts;
  for (const auto& row : rows_of(aug)) ++counts[row.back()];
  ASSERT_EQ(counts.size(), 4u);
  for (const auto& [k, n] : counts) EXPECT_EQ(n, 1210) << k;
  auto ratio = run_meg(
      "augment data/car.csv --target class --ratio good=2 --ratio vgood=3 -o " + out + " --quiet",
      dir);
  ASSERT_EQ(ratio.code, 0) << ratio.err;
  counts.clear();
  for (const auto& row : rows_of(slurp(out))) ++counts[row.back()];
  EXPECT_EQ(counts["good"], 138);
  EXPECT_EQ(counts["vgood"], 195);
  EXPECT_EQ(counts["unacc"], 1210);
  expect_one_error_line(run_meg("augment data/car.csv --target class -o " + out, dir),
                        "either --balance or");
  expect_one_error_line(run_meg("augment data/car.csv --target class --ratio zz=2 -o " + out, dir),
                        "'zz' is not a class");
  expect_one_error_line(run_meg("augment data/car.csv --target nope --balance -o " + out, dir),
                        "no column named 'nope'");
}
