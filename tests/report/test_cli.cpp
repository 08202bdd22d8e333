// End-to-end: `meg evaluate` and `meg report` through the built CLI (MEG_BIN).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "data/csv.hpp"
#include "eval/eval_fixtures.hpp"

namespace meg {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int run(const std::string& cmd) {
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("MEG_BIN");
    if (!bin || !fs::exists(bin)) GTEST_SKIP() << "MEG_BIN not set (run through ctest)";
    bin_ = bin;
    dir_ = fs::temp_directory_path() / ("meg_eval_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    auto write = [&](const char* name, const data::CsvTable& t) {
      std::ofstream(dir_ / name) << data::format_csv(t);
    };
    write("train.csv", eval::testing::make_table(500, 1));
    write("test.csv", eval::testing::make_table(250, 2));
    write("syn.csv", eval::testing::make_table(500, 3));
    data::CsvTable bad = eval::testing::make_table(100, 4);
    bad.header.erase(bad.header.begin() + 3);
    bad.columns.erase(bad.columns.begin() + 3);
    write("bad.csv", bad);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::string inputs(const char* syn = "syn.csv") const {
    return fmt::format(
        " --train {} --test {} --synthetic {} --target label --threads 2 "
        "--gbt-rounds 20 --rf-trees 10",
        (dir_ / "train.csv").string(), (dir_ / "test.csv").string(), (dir_ / syn).string());
  }
  std::string bin_;
  fs::path dir_;
};

TEST_F(Cli, EvaluatePrintsATableAndWritesJson) {
  fs::path json = dir_ / "out.json", out = dir_ / "stdout.txt";
  ASSERT_EQ(run(bin_ + " evaluate" + inputs() + " --json " + json.string() + " > " + out.string()),
            0);
  std::string text = slurp(out);
  EXPECT_NE(text.find("TSTR acc"), std::string::npos);
  EXPECT_NE(text.find("detection ROC-AUC"), std::string::npos);
  nlohmann::json r = nlohmann::json::parse(slurp(json));
  EXPECT_EQ(r["format"], "meg-evaluation");
  EXPECT_EQ(r["inputs"]["synthetic"]["rows"].get<size_t>(), 500u);
}

TEST_F(Cli, ReportWritesOneHtmlFile) {
  fs::path html = dir_ / "r.html";
  ASSERT_EQ(run(bin_ + " report" + inputs() + " -o " + html.string() + " --label gen 2>/dev/null"),
            0);
  std::string page = slurp(html);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("</html>"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
}

TEST_F(Cli, AMissingColumnIsExitCode2NamingFileAndColumn) {
  fs::path err = dir_ / "err.txt";
  EXPECT_EQ(run(bin_ + " evaluate" + inputs("bad.csv") + " 2> " + err.string() + " >/dev/null"), 2);
  std::string msg = slurp(err);
  EXPECT_NE(msg.find("bad.csv"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'shape'"), std::string::npos) << msg;
  EXPECT_EQ(run(bin_ + " evaluate" + inputs() + " --classifiers svm 2>/dev/null >/dev/null"), 2);
  // Options out of range or of an unknown task: one line naming the option, exit 2.
  for (const char* bad : {" --task clustering", " --attack-rows -1", " --max-levels 0"}) {
    EXPECT_EQ(run(bin_ + " evaluate" + inputs() + bad + " 2> " + err.string() + " >/dev/null"), 2)
        << bad;
    msg = slurp(err);
    EXPECT_NE(msg.find(std::string(bad).substr(1, std::string(bad).find(' ', 1) - 1)),
              std::string::npos)
        << msg;
    EXPECT_EQ(std::count(msg.begin(), msg.end(), '\n'), 1) << msg;
  }
}

TEST_F(Cli, ANumericTargetIsARegressionWithAttacksInTheJson) {
  fs::path json = dir_ / "reg.json", out = dir_ / "reg.txt";
  // 'size' is continuous in make_table: R2 / MAE of the three regressors.
  std::string args = inputs();
  args.replace(args.find("--target label"), 14, "--target size");
  ASSERT_EQ(run(bin_ + " evaluate" + args + " --attack-rows 100 --json " + json.string() + " > " +
                out.string()),
            0);
  const std::string text = slurp(out);
  EXPECT_NE(text.find("TSTR R2"), std::string::npos) << text;
  EXPECT_NE(text.find("membership inference (100 real train rows"), std::string::npos) << text;
  nlohmann::json r = nlohmann::json::parse(slurp(json));
  EXPECT_EQ(r["format_version"], 2);
  EXPECT_EQ(r["inputs"]["task"], "regression");
  EXPECT_EQ(r["utility"]["regressors"].size(), 3u);
  EXPECT_TRUE(r["utility"]["regressors"][0]["tstr"]["r2"].is_number());
  EXPECT_EQ(r["privacy"]["attacks"].size(), 2u);
  // --task classification reads a numeric column ('count', integers 0..99) as classes.
  args.replace(args.find("--target size"), 13, "--target count");
  ASSERT_EQ(run(bin_ + " evaluate" + args +
                " --task classification --classifiers logistic_regression --no-detection "
                "--attack-rows 0 --json " +
                json.string() + " >/dev/null"),
            0);
  r = nlohmann::json::parse(slurp(json));
  EXPECT_EQ(r["inputs"]["task"], "classification");
  EXPECT_GT(r["utility"]["classes"].size(), 90u);
}

}  // namespace
}  // namespace meg
