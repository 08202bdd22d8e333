// The bad-input catalogue (tests/data/bad/<case>/case.json, described in
// docs/robustness.md): every case runs the CLI and checks the exit code, that a
// failure prints exactly one "meg: error: " line holding the expected fragment,
// that a failed run leaves no output and no temporary file behind, and that a
// successful run wrote its output.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "robustness_util.hpp"

namespace fs = std::filesystem;
using meg::test::RunResult;

namespace {

const fs::path kCatalogue = fs::path(MEG_SOURCE_DIR) / "tests" / "data" / "bad";

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kCatalogue)) {
    if (e.is_directory() && fs::exists(e.path() / "case.json")) {
      names.push_back(e.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

// Inputs too large to commit (or that must not be the committed files: links, inputs a
// failing case could overwrite) are generated at run time into `tmp`.
void generate(const std::string& kind, const fs::path& dir, const fs::path& tmp) {
  std::string text;
  if (kind.rfind("deep_schema_100k", 0) == 0) {
    // A field's value nested 100,000 arrays deep (a stack overflow when printed).
    const std::string field = kind == "deep_schema_100k" ? "type" : "decode";
    const size_t depth = 100000;
    text = "{\"columns\": [{\"name\": \"buying\", \"" + field + "\": ";
    text.append(depth, '[');
    text.append(depth, ']');
    text += "}]}\n";
    meg::test::write_bytes(tmp / "deep.json", text);
    return;
  } else if (kind == "copy_in_csv" || kind == "copy_in_csv_and_link") {
    fs::copy_file(dir / "in.csv", tmp / "in.csv");
    if (kind == "copy_in_csv_and_link") fs::create_symlink("in.csv", tmp / "link.csv");
    return;
  } else if (kind == "out_symlink" || kind == "out_dangling_symlink") {
    // {out} is a link to target.csv (existing or not): the output is written through
    // to the target.
    if (kind == "out_symlink") meg::test::write_bytes(tmp / "target.csv", "old\n");
    fs::create_symlink("target.csv", tmp / "out");
    return;
  } else if (kind == "distinct_100k") {
    text = "id,group\n";
    for (int i = 0; i < 100000; ++i) {
      text.append("k").append(std::to_string(i)).append(",").append(std::to_string(i % 7));
      text.push_back('\n');
    }
  } else if (kind == "long_field_10mb") {
    text = "a,b\n";
    text.append(size_t{10} << 20, 'x');
    text += ",1\ny,2\nz,1\n";
  } else if (kind == "two_id_columns") {
    text = "id1,id2,class\n";
    for (int i = 0; i < 3000; ++i) {
      text.append("u").append(std::to_string(i)).append(",v");
      text.append(std::to_string(i * 7 % 3001)).append(",").append(std::to_string(i % 2));
      text.push_back('\n');
    }
  } else if (kind == "model_version_99") {
    std::string bytes = meg::test::slurp(meg::test::small_model(tmp));
    bytes[8] = 99;
    meg::test::write_bytes(tmp / "in.meg", bytes);
    return;
  } else {
    FAIL() << "unknown generator '" << kind << "'";
  }
  meg::test::write_bytes(tmp / "in.csv", text);
}

class Catalogue : public ::testing::TestWithParam<std::string> {};

TEST_P(Catalogue, Case) {
  const std::string name = GetParam();
  const fs::path dir = kCatalogue / name;
  const auto spec = nlohmann::json::parse(meg::test::slurp((dir / "case.json").string()));
  const fs::path tmp = meg::test::scratch_dir("bad_" + name);
  if (spec.contains("generate")) generate(spec["generate"].get<std::string>(), dir, tmp);
  const fs::path out = tmp / "out";
  std::string args = spec.at("args").get<std::string>();
  if (args.find("{model}") != std::string::npos) {
    replace_all(args, "{model}", meg::test::small_model(tmp));
  }
  replace_all(args, "{dir}", dir.string());
  replace_all(args, "{out}", out.string());
  replace_all(args, "{tmp}", tmp.string());
  const int expected = spec.at("exit").get<int>();
  // "unchanged": an input the run must not touch (an output path that is an input).
  std::string unchanged, unchanged_bytes;
  if (spec.contains("unchanged")) {
    unchanged = spec["unchanged"].get<std::string>();
    replace_all(unchanged, "{model}", meg::test::small_model(tmp));
    replace_all(unchanged, "{dir}", dir.string());
    replace_all(unchanged, "{tmp}", tmp.string());
    unchanged_bytes = meg::test::slurp(unchanged);
    ASSERT_FALSE(unchanged_bytes.empty()) << unchanged;
  }

  const RunResult r = meg::test::run_meg(args, tmp);
  if (!unchanged.empty()) {
    EXPECT_EQ(meg::test::slurp(unchanged), unchanged_bytes) << unchanged << " was changed";
  }
  EXPECT_EQ(r.code, expected) << "meg " << args << "\nstderr: " << r.err;
  if (expected != 0) {
    EXPECT_EQ(meg::test::count_lines(r.err), 1u) << r.err;
    EXPECT_EQ(r.err.rfind("meg: error: ", 0), 0u) << r.err;
    const std::string fragment = spec.at("stderr").get<std::string>();
    EXPECT_NE(r.err.find(fragment), std::string::npos)
        << "expected '" << fragment << "' in: " << r.err;
    EXPECT_FALSE(fs::exists(out)) << "a failed run left " << out;
  } else {
    ASSERT_TRUE(fs::exists(out)) << "no output written; stderr: " << r.err;
    if (spec.value("out_is_symlink", false)) {
      EXPECT_TRUE(fs::is_symlink(out)) << "the link was replaced by a file";
      EXPECT_NE(meg::test::slurp((tmp / "target.csv").string()), "old\n");
    }
    if (spec.contains("output_contains")) {
      const std::string fragment = spec["output_contains"].get<std::string>();
      EXPECT_NE(meg::test::slurp(out.string()).find(fragment), std::string::npos) << fragment;
    }
  }
  EXPECT_TRUE(meg::test::leftover_temporaries(tmp).empty());
  fs::remove_all(tmp);
}

INSTANTIATE_TEST_SUITE_P(Bad, Catalogue, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(CatalogueSize, AtLeastThirtyCases) { EXPECT_GE(case_names().size(), 30u); }

}  // namespace
