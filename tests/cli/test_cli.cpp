// End-to-end tests of the meg command line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace fs = std::filesystem;
using meg::test::count_lines;
using meg::test::run_meg;
using meg::test::scratch_dir;
using meg::test::slurp;
using meg::test::write_bytes;

namespace {

// Exactly one line on stderr, starting "meg: error: ".
void expect_one_error_line(const meg::test::RunResult& r, const std::string& fragment) {
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  EXPECT_EQ(r.err.rfind("meg: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
}

}  // namespace

TEST(Cli, VersionHelpAndUsage) {
  auto dir = scratch_dir("usage");
  auto v = run_meg("--version", dir);
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out, "meg 0.1.0\n");
  for (const char* args :
       {"--help", "schema --help", "fit --help", "sample --help", "inspect --help"}) {
    auto h = run_meg(args, dir);
    EXPECT_EQ(h.code, 0) << args;
    EXPECT_NE(h.out.find("Usage"), std::string::npos) << args;
  }
  EXPECT_EQ(run_meg("", dir).code, 2);
  EXPECT_EQ(run_meg("frobnicate", dir).code, 2);
  EXPECT_EQ(run_meg("schema", dir).code, 2);
  fs::remove_all(dir);
}

TEST(Cli, SchemaOfAdult) {
  auto dir = scratch_dir("schema");
  auto r = run_meg("schema data/adult_train.csv -o " + (dir / "s.json").string(), dir);
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(slurp((dir / "s.json").string()));
  std::map<std::string, nlohmann::json> cols;
  for (const auto& c : j["columns"]) cols[c["name"].get<std::string>()] = c;
  EXPECT_EQ(j["rows"], 32561);
  for (const char* n : {"age", "fnlwgt", "capital_gain", "capital_loss", "hours_per_week"}) {
    EXPECT_EQ(cols[n]["type"], "integer") << n;
  }
  for (const char* n : {"workclass", "education", "marital_status", "occupation", "relationship",
                        "race", "sex", "native_country", "income", "education_num"}) {
    EXPECT_EQ(cols[n]["type"], "categorical") << n;
  }
  EXPECT_EQ(cols["education_num"]["levels"], 16);
  EXPECT_EQ(cols["workclass"]["missing"], 1836);
  EXPECT_EQ(cols["workclass"]["levels"], 9);  // 8 levels + missing
  EXPECT_EQ(cols["occupation"]["missing"], 1843);
  EXPECT_EQ(cols["native_country"]["missing"], 583);
  EXPECT_EQ(cols["capital_gain"]["codes"].get<int>() <= 21, true);
  // The printed schema is accepted back as an override file, unchanged.
  auto again = run_meg("schema data/adult_train.csv --schema " + (dir / "s.json").string(), dir);
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out), j);
  fs::remove_all(dir);
}

TEST(Cli, BadInputGivesOneLineExitTwoAndNoOutput) {
  auto dir = scratch_dir("bad");
  struct Case {
    const char* name;
    std::string content;
    std::string fragment;
  };
  const Case cases[] = {
      {"empty.csv", "", "empty.csv:1: empty file"},
      {"header.csv", "a,b\n", "header.csv:2: no data rows"},
      {"ragged.csv", "a,b\n1,2\n3\n", "ragged.csv:3: row has 1 field, the header has 2"},
      {"quote.csv", "a,b\n1,\"x\n", "quote.csv:2:3: unterminated quoted field"},
      {"dup.csv", "a,a\n1,2\n", "dup.csv:1: duplicate column name 'a'"},
      {"noname.csv", "a,\n1,2\n", "noname.csv:1: empty column name"},
      {"utf8.csv", "a,b\n1,\xfe\n", "utf8.csv:2:3: invalid UTF-8"},
  };
  for (const auto& c : cases) {
    write_bytes(dir / c.name, c.content);
    auto out = dir / (std::string(c.name) + ".json");
    auto r = run_meg("schema " + (dir / c.name).string() + " -o " + out.string(), dir);
    expect_one_error_line(r, c.fragment);
    EXPECT_FALSE(fs::exists(out)) << c.name;
  }
  write_bytes(dir / "s.json", R"({"columns": [{"name": "salary", "type": "integer"}]})");
  auto r = run_meg("schema data/car.csv --schema " + (dir / "s.json").string(), dir);
  expect_one_error_line(r, "s.json: column 'salary': no such column in the data");
  expect_one_error_line(run_meg("schema " + (dir / "missing.csv").string(), dir),
                        "missing.csv: cannot open");
  expect_one_error_line(run_meg("schema " + dir.string(), dir), "is a directory");
  // Nothing but the inputs is left in the directory (no temporaries).
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    EXPECT_TRUE(name.find(".csv") != std::string::npos || name == "s.json") << name;
  }
  fs::remove_all(dir);
}

TEST(Cli, FitSampleInspectEndToEnd) {
  auto dir = scratch_dir("e2e");
  const std::string model = (dir / "car.meg").string();
  const std::string fit_args =
      "fit data/car.csv -o " + model + " --epochs 1 --warmup-epochs 1 --seed 3";
  auto fit = run_meg(fit_args + " --threads 1 --quiet", dir);
  ASSERT_EQ(fit.code, 0) << fit.err;
  EXPECT_TRUE(fit.err.empty()) << fit.err;
  // Same seed, other thread count: byte-identical model.
  const std::string model2 = (dir / "car2.meg").string();
  auto fit2 = run_meg(
      "fit data/car.csv -o " + model2 + " --epochs 1 --warmup-epochs 1 --seed 3 --threads 2", dir);
  ASSERT_EQ(fit2.code, 0) << fit2.err;
  EXPECT_NE(fit2.err.find("unit 'class' done"), std::string::npos) << fit2.err;  // progress lines
  EXPECT_TRUE(slurp(model) == slurp(model2));

  const std::string out1 = (dir / "s1.csv").string(), out2 = (dir / "s2.csv").string();
  auto s1 = run_meg("sample " + model + " -n 3000 -o " + out1 + " --seed 7 --threads 1", dir);
  auto s2 = run_meg("sample " + model2 + " -n 3000 -o " + out2 + " --seed 7 --threads 2", dir);
  ASSERT_EQ(s1.code, 0) << s1.err;
  ASSERT_EQ(s2.code, 0) << s2.err;
  std::string text = slurp(out1);
  EXPECT_TRUE(text == slurp(out2));
  EXPECT_EQ(count_lines(text), 3001u);
  EXPECT_EQ(text.substr(0, text.find('\n')), "buying,maint,doors,persons,lug_boot,safety,class");
  // Every value is a level of the real column.
  std::set<std::string> classes;
  size_t pos = text.find('\n') + 1;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string line = text.substr(pos, end - pos);
    classes.insert(line.substr(line.rfind(',') + 1));
    pos = end + 1;
  }
  EXPECT_TRUE(classes.size() >= 3 && classes.size() <= 4);
  for (const auto& c : classes)
    EXPECT_TRUE(c == "unacc" || c == "acc" || c == "good" || c == "vgood") << c;

  auto to_stdout = run_meg("sample " + model + " -n 3000 -o - --seed 7", dir);
  EXPECT_TRUE(to_stdout.out == text);

  auto inspect = run_meg("inspect " + model, dir);
  ASSERT_EQ(inspect.code, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("unit class"), std::string::npos);
  EXPECT_NE(inspect.out.find("weight"), std::string::npos);
  auto dot = run_meg("inspect --dot " + model, dir);
  EXPECT_EQ(dot.out.rfind("digraph meg {", 0), 0u);
  auto json = run_meg("inspect --json " + model, dir);
  auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["units"].size(), 7u);
  EXPECT_EQ(j["options"]["k"], "2");
  fs::remove_all(dir);
}

TEST(Cli, CorruptModelsAndBadSampleOptions) {
  auto dir = scratch_dir("corrupt");
  const std::string model = (dir / "m.meg").string();
  ASSERT_EQ(
      run_meg("fit data/car.csv -o " + model + " --epochs 0 --warmup-epochs 0 --quiet", dir).code,
      0);
  std::string bytes = slurp(model);
  const std::string out = (dir / "out.csv").string();
  write_bytes(dir / "trunc.meg", bytes.substr(0, bytes.size() / 2));
  expect_one_error_line(run_meg("sample " + (dir / "trunc.meg").string() + " -n 5 -o " + out, dir),
                        "truncated");
  std::string flipped = bytes;
  flipped[bytes.size() / 3] ^= 0x10;
  write_bytes(dir / "flip.meg", flipped);
  expect_one_error_line(run_meg("sample " + (dir / "flip.meg").string() + " -n 5 -o " + out, dir),
                        "checksum");
  expect_one_error_line(run_meg("sample data/car.csv -n 5 -o " + out, dir), "not a meg model file");
  write_bytes(dir / "empty.meg", "");
  expect_one_error_line(run_meg("inspect " + (dir / "empty.meg").string(), dir), "empty file");
  expect_one_error_line(run_meg("sample " + model + " -n 0 -o " + out, dir), "-n");
  expect_one_error_line(run_meg("sample " + model + " -n abc -o " + out, dir), "-n");
  expect_one_error_line(run_meg("fit data/car.csv -o " + out + " --k 99", dir), "option 'k'");
  expect_one_error_line(run_meg("fit data/car.csv -o " + out + " --units nope", dir),
                        "no column named 'nope'");
  expect_one_error_line(run_meg("fit data/car.csv -o " + out + " --weighting best", dir),
                        "option 'weighting'");
  EXPECT_FALSE(fs::exists(out));
  fs::remove_all(dir);
}

TEST(Cli, EvaluateOptionsComeFromTheLibraryTable) {
  auto dir = scratch_dir("evaluate_options");
  for (const std::string command : {"evaluate", "report"}) {
    const auto list = run_meg(command + " --list-options", dir);
    ASSERT_EQ(list.code, 0) << list.err;
    for (const char* flag : {"--seed", "--threads", "--gbt-rounds", "--detection-rounds",
                             "--attack-rows", "--max-levels", "--max-features"}) {
      EXPECT_NE(list.out.find(flag), std::string::npos) << command << " " << flag;
    }
  }
  const std::string tables =
      "evaluate --train data/car.csv --test data/car.csv --synthetic data/car.csv --target class ";
  expect_one_error_line(run_meg(tables + "--gbt-rounds 0", dir),
                        "option --gbt-rounds: expected an integer in [1, 100000], got '0'");
  expect_one_error_line(run_meg(tables + "--classifiers svm", dir), "unknown model 'svm'");
  expect_one_error_line(run_meg(tables + "--threads 2000", dir), "option --threads");
  expect_one_error_line(run_meg("report --train data/car.csv --test data/car.csv", dir),
                        "--output is required");
  // sample's seed and threads are the fit table's options (same help, default, range).
  const auto list = run_meg("sample --list-options", dir);
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_NE(list.out.find("[1, 10000000000]"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("worker threads (0 = all cores)"), std::string::npos) << list.out;
  expect_one_error_line(run_meg("sample", dir), "MODEL is required");
  const auto augment = run_meg("augment --list-options", dir);
  ASSERT_EQ(augment.code, 0) << augment.err;
  EXPECT_NE(augment.out.find("kDB parents per feature"), std::string::npos) << augment.out;
  expect_one_error_line(run_meg("augment data/car.csv -o x.csv", dir), "--target is required");
}
