// meg augment then meg evaluate --augmented (the lift), end to end.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace fs = std::filesystem;
using meg::test::run_meg;
using meg::test::scratch_dir;
using meg::test::slurp;

namespace {

const std::string kSplit =
    " --train data/splits/car_train.csv --test data/splits/car_test.csv --target class"
    " --classifiers logistic_regression --threads 2 --seed 1";

void expect_one_error_line(const meg::test::RunResult& r, const std::string& fragment) {
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
}

class CliLift : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(scratch_dir("lift"));
    aug_ = (*dir_ / "aug.csv").string();
    auto r = run_meg(
        "augment data/splits/car_train.csv --target class --balance --seed 1 "
        "--threads 2 --quiet -o " +
            aug_,
        *dir_);
    ASSERT_EQ(r.code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static fs::path* dir_;
  static std::string aug_;
};
fs::path* CliLift::dir_ = nullptr;
std::string CliLift::aug_;

TEST_F(CliLift, LiftOnlyPrintsTheLiftSectionAndWritesItsJson) {
  const std::string json = (*dir_ / "lift.json").string();
  auto r = run_meg("evaluate" + kSplit + " --augmented " + aug_ + " --json " + json, *dir_);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("meg evaluate: augmented " + aug_), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Lift (trained on real train vs on augmented"), std::string::npos);
  EXPECT_NE(r.out.find("F1 lift"), std::string::npos);
  EXPECT_NE(r.out.find("per class, real -> aug"), std::string::npos);
  // Nothing that needs --synthetic.
  EXPECT_EQ(r.out.find("Utility"), std::string::npos);
  EXPECT_EQ(r.out.find("Fidelity"), std::string::npos);
  EXPECT_EQ(r.out.find("Privacy"), std::string::npos);
  EXPECT_EQ(r.err, "");  // every real train row is in the augmented table: no warning

  nlohmann::json j = nlohmann::json::parse(slurp(json));
  EXPECT_FALSE(j.contains("utility"));
  EXPECT_FALSE(j["inputs"].contains("synthetic"));
  const auto& l = j["lift"];
  const size_t train_rows = j["inputs"]["train"]["rows"].get<size_t>();
  EXPECT_EQ(l["real_rows_included"].get<size_t>(), train_rows);
  // --balance: every class of the augmented table has the majority count.
  const auto& counts = l["class_rows"]["augmented"];
  for (const auto& n : counts) EXPECT_EQ(n, counts[0]);
  const auto& lr = l["classifiers"][0];
  EXPECT_EQ(lr["name"], "logistic_regression");
  for (const char* side : {"real", "augmented"}) {
    for (const char* m : {"precision", "recall", "f1"}) {
      EXPECT_EQ(lr[side][m].size(), l["classes"].size()) << side << " " << m;
    }
  }
  EXPECT_NEAR(lr["difference"]["macro_f1"].get<double>(),
              lr["augmented"]["macro_f1"].get<double>() - lr["real"]["macro_f1"].get<double>(),
              1e-12);
}

TEST_F(CliLift, WithSyntheticTooTheLiftFollowsTheOtherSections) {
  auto r = run_meg("evaluate" + kSplit + " --synthetic " + aug_ + " --augmented " + aug_ +
                       " --no-detection --privacy-rows 100",
                   *dir_);
  ASSERT_EQ(r.code, 0) << r.err;
  const size_t privacy = r.out.find("Privacy"), lift = r.out.find("Lift (");
  ASSERT_NE(privacy, std::string::npos) << r.out;
  ASSERT_NE(lift, std::string::npos) << r.out;
  EXPECT_LT(privacy, lift);
}

TEST_F(CliLift, ReportHasTheLiftSection) {
  const std::string html = (*dir_ / "lift.html").string();
  auto r = run_meg("report" + kSplit + " --augmented " + aug_ + " -o " + html, *dir_);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string page = slurp(html);
  EXPECT_NE(page.find("<h2>Lift: train on real + synthetic rows, test on real</h2>"),
            std::string::npos);
  EXPECT_EQ(page.find("Fidelity"), std::string::npos);
}

TEST_F(CliLift, BadAugmentedInputIsOneLineAndExitCode2) {
  const fs::path bad = *dir_ / "bad.csv";
  // A column missing.
  {
    std::ofstream out(bad);
    out << "buying,maint,doors,persons,lug_boot,class\nvhigh,vhigh,2,2,small,unacc\n";
  }
  expect_one_error_line(run_meg("evaluate" + kSplit + " --augmented " + bad.string(), *dir_),
                        bad.string() + ": column 'safety' of the real train table is missing");
  // A ragged row: file and line.
  {
    std::ofstream out(bad);
    out << "buying,maint,doors,persons,lug_boot,safety,class\nvhigh,vhigh,2,2,small,low,unacc\n"
           "vhigh,vhigh\n";
  }
  expect_one_error_line(run_meg("evaluate" + kSplit + " --augmented " + bad.string(), *dir_),
                        bad.string() + ":3:");
  // No target class of train in the file.
  {
    std::ofstream out(bad);
    out << "buying,maint,doors,persons,lug_boot,safety,class\nvhigh,vhigh,2,2,small,low,zz\n";
  }
  expect_one_error_line(run_meg("evaluate" + kSplit + " --augmented " + bad.string(), *dir_),
                        bad.string() + ": no row has a target class seen in the real train table");
  expect_one_error_line(
      run_meg("evaluate" + kSplit + " --augmented " + (*dir_ / "nope.csv").string(), *dir_),
      "nope.csv");
  expect_one_error_line(run_meg("evaluate" + kSplit, *dir_),
                        "--synthetic) or the augmented table (--augmented) is required");
}

TEST_F(CliLift, AnAugmentedTableWithoutTheRealRowsIsAWarningNotAnError) {
  // Only the synthetic rows of the augmented table (what follows the real rows). Car is all
  // categorical, so a few synthetic rows may equal real train rows: the count is not asserted.
  const std::string text = slurp(aug_), real = slurp("data/splits/car_train.csv");
  ASSERT_EQ(text.compare(0, real.size(), real), 0) << "augment writes the real rows first";
  const std::string header = real.substr(0, real.find('\n') + 1);
  const fs::path added = *dir_ / "added.csv";
  std::ofstream(added) << header << text.substr(real.size());
  auto r = run_meg("evaluate" + kSplit + " --augmented " + added.string(), *dir_);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.rfind("meg: warning: " + added.string() + ": holds ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("real train rows; the lift compares real train with this table as it is"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("note: the augmented table holds only "), std::string::npos);
}

}  // namespace
