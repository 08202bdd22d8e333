// Rules end to end: declared constraints in a schema file, learned orders listed by
// `meg inspect` and kept by `meg sample` at any thread count, bad constraints refused.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_runner.hpp"

namespace fs = std::filesystem;
using meg::test::run_meg;
using meg::test::scratch_dir;
using meg::test::slurp;

namespace {

// start <= end in every row; total = fare + tip exactly (two decimals).
void write_table(const fs::path& path) {
  std::ofstream out(path);
  out << "start,end,fare,tip,total,kind\n";
  uint64_t x = 12345;
  auto next = [&]() {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(x >> 11) * 0x1.0p-53;
  };
  for (int i = 0; i < 3000; ++i) {
    const int start = static_cast<int>(next() * 5000);
    const int end = start + static_cast<int>(next() * 300);
    const int fare = 250 + static_cast<int>(next() * 5000), tip = static_cast<int>(next() * 900);
    char line[160];
    std::snprintf(line, sizeof line, "%d,%d,%d.%02d,%d.%02d,%d.%02d,%s\n", start, end, fare / 100,
                  fare % 100, tip / 100, tip % 100, (fare + tip) / 100, (fare + tip) % 100,
                  next() < 0.5 ? "a" : "b");
    out << line;
  }
}

std::vector<std::vector<double>> numeric_rows(const std::string& text) {
  std::vector<std::vector<double>> rows;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<double> f;
    std::istringstream ls(line);
    std::string cell;
    for (int c = 0; c < 5 && std::getline(ls, cell, ','); ++c) f.push_back(std::stod(cell));
    rows.push_back(f);
  }
  return rows;
}

// `meg sample` of dir/m.meg at 1 and 2 threads: the same bytes (checked), returned.
std::string sample_at_1_and_2_threads(const fs::path& dir, int n, int seed) {
  std::string bytes[2];
  for (int threads : {1, 2}) {
    auto sample = run_meg("sample " + (dir / "m.meg").string() + " -n " + std::to_string(n) +
                              " --seed " + std::to_string(seed) + " --threads " +
                              std::to_string(threads) + " -o " + (dir / "s.csv").string(),
                          dir);
    EXPECT_EQ(sample.code, 0) << sample.err;
    bytes[threads - 1] = slurp((dir / "s.csv").string());
  }
  EXPECT_EQ(bytes[0], bytes[1]);  // same seed, same bytes at any thread count
  return bytes[0];
}

}  // namespace

TEST(CliRules, DeclaredAndLearnedRulesHoldInSampledRows) {
  const fs::path dir = scratch_dir("rules");
  write_table(dir / "t.csv");
  std::ofstream(dir / "s.json") << R"({"constraints": ["total = fare + tip"]})";
  auto fit = run_meg("fit " + (dir / "t.csv").string() + " --schema " + (dir / "s.json").string() +
                         " -o " + (dir / "m.meg").string() + " --quiet --threads 2",
                     dir);
  ASSERT_EQ(fit.code, 0) << fit.err;
  auto inspect = run_meg("inspect " + (dir / "m.meg").string(), dir);
  ASSERT_EQ(inspect.code, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("start <= end  (learned"), std::string::npos) << inspect.out;
  EXPECT_NE(inspect.out.find("total = fare + tip  (declared)"), std::string::npos);
  // The same sum is also learned: listed once, as declared.
  EXPECT_EQ(inspect.out.find("total = fare + tip  (learned"), std::string::npos) << inspect.out;
  const auto rows = numeric_rows(sample_at_1_and_2_threads(dir, 40000, 5));
  ASSERT_EQ(rows.size(), 40000u);
  for (const auto& r : rows) {
    ASSERT_LE(r[0], r[1]);
    ASSERT_NEAR(r[4], r[2] + r[3], 0.005 + 1e-9);
  }
  // Learning off: the order is no longer listed (declared constraints still are).
  fit = run_meg("fit " + (dir / "t.csv").string() + " --schema " + (dir / "s.json").string() +
                    " -o " + (dir / "off.meg").string() +
                    " --quiet --option learn_rules=false --option joint_decode=false",
                dir);
  ASSERT_EQ(fit.code, 0) << fit.err;
  inspect = run_meg("inspect " + (dir / "off.meg").string(), dir);
  EXPECT_EQ(inspect.out.find("start <= end"), std::string::npos);
  EXPECT_NE(inspect.out.find("total = fare + tip  (declared)"), std::string::npos);
  fs::remove_all(dir);
}

TEST(CliRules, BadConstraintIsOneLineNamingFileAndConstraint) {
  const fs::path dir = scratch_dir("rules_bad");
  write_table(dir / "t.csv");
  std::ofstream(dir / "s.json") << R"({"constraints": ["start <= finish"]})";
  auto r = run_meg("fit " + (dir / "t.csv").string() + " --schema " + (dir / "s.json").string() +
                       " -o " + (dir / "m.meg").string() + " --quiet",
                   dir);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("s.json: constraint 'start <= finish': no column named 'finish'"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir / "m.meg"));
  fs::remove_all(dir);
}

TEST(CliRules, LearnedSumIsListedKeptAtAnyThreadCountAndCanBeTurnedOff) {
  // The same table without a schema: total = fare + tip is learned, not declared.
  const fs::path dir = scratch_dir("rules_sum");
  write_table(dir / "t.csv");
  auto fit = run_meg("fit " + (dir / "t.csv").string() + " -o " + (dir / "m.meg").string() +
                         " --quiet --threads 2",
                     dir);
  ASSERT_EQ(fit.code, 0) << fit.err;
  // The same model file at one thread.
  fit = run_meg("fit " + (dir / "t.csv").string() + " -o " + (dir / "m1.meg").string() +
                    " --quiet --threads 1",
                dir);
  ASSERT_EQ(fit.code, 0) << fit.err;
  EXPECT_EQ(slurp((dir / "m.meg").string()), slurp((dir / "m1.meg").string()));
  auto inspect = run_meg("inspect " + (dir / "m.meg").string(), dir);
  ASSERT_EQ(inspect.code, 0) << inspect.err;
  EXPECT_NE(
      inspect.out.find("total = fare + tip  (learned: every training row, within its rounding)"),
      std::string::npos)
      << inspect.out;
  EXPECT_NE(inspect.out.find("learn_sums             true"), std::string::npos) << inspect.out;
  const auto rows = numeric_rows(sample_at_1_and_2_threads(dir, 20000, 3));
  ASSERT_EQ(rows.size(), 20000u);
  for (const auto& r : rows) {
    ASSERT_LE(r[0], r[1]);
    ASSERT_NEAR(r[4], r[2] + r[3], 0.005 + 1e-9);
  }
  // A condition on the total: the parts are moved so that the sum meets it.
  auto where =
      run_meg("sample " + (dir / "m.meg").string() +
                  " -n 2000 --seed 4 --where total=20..21.5 -o " + (dir / "w.csv").string(),
              dir);
  ASSERT_EQ(where.code, 0) << where.err;
  const auto kept = numeric_rows(slurp((dir / "w.csv").string()));
  ASSERT_EQ(kept.size(), 2000u);
  for (const auto& r : kept) {
    ASSERT_GE(r[4], 20.0);
    ASSERT_LE(r[4], 21.5);
    ASSERT_NEAR(r[4], r[2] + r[3], 0.005 + 1e-9);
  }
  fit = run_meg("fit " + (dir / "t.csv").string() + " -o " + (dir / "off.meg").string() +
                    " --quiet --option learn_sums=false",
                dir);
  ASSERT_EQ(fit.code, 0) << fit.err;
  inspect = run_meg("inspect " + (dir / "off.meg").string(), dir);
  EXPECT_EQ(inspect.out.find("total = "), std::string::npos) << inspect.out;
  EXPECT_NE(inspect.out.find("start <= end  (learned"), std::string::npos);
  fs::remove_all(dir);
}
