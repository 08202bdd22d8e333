// Damaged model files give one clear error line (never a crash or a huge
// allocation), and degenerate but valid tables fit and sample.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/checksum.hpp"
#include "meg/error.hpp"
#include "robustness_util.hpp"

namespace fs = std::filesystem;
using meg::test::run_meg;
using meg::test::RunResult;

namespace {

void expect_model_error(const RunResult& r, const std::string& what) {
  EXPECT_EQ(r.code, 2) << what << ": " << r.err;
  EXPECT_EQ(meg::test::count_lines(r.err), 1u) << what << ": " << r.err;
  EXPECT_EQ(r.err.rfind("meg: error: ", 0), 0u) << what << ": " << r.err;
}

TEST(DamagedModels, TruncatedAtEveryTenthFlippedVersionEmptyCsv) {
  const fs::path dir = meg::test::scratch_dir("damaged_models");
  const std::string bytes = meg::test::slurp(meg::test::small_model(dir));
  ASSERT_GT(bytes.size(), 100u);
  const std::string out = (dir / "out.csv").string();
  const std::string bad = (dir / "bad.meg").string();
  auto sample_bad = [&] { return run_meg("sample " + bad + " -n 5 -o " + out, dir); };
  for (int tenth = 0; tenth < 10; ++tenth) {
    meg::test::write_bytes(bad, bytes.substr(0, bytes.size() * static_cast<size_t>(tenth) / 10));
    RunResult r = sample_bad();
    expect_model_error(r, "truncated at " + std::to_string(tenth) + "/10");
    EXPECT_TRUE(r.err.find(tenth == 0 ? "empty file" : "truncated") != std::string::npos ||
                r.err.find("signature") != std::string::npos)
        << r.err;
  }
  // One flipped byte anywhere: in the header (magic, version, length, checksum) or payload.
  for (size_t at : {size_t{0}, size_t{9}, size_t{13}, size_t{20}, size_t{28}, size_t{40},
                    bytes.size() / 2, bytes.size() - 1}) {
    std::string flipped = bytes;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x01);
    meg::test::write_bytes(bad, flipped);
    expect_model_error(sample_bad(), "byte " + std::to_string(at) + " flipped");
  }
  std::string newer = bytes;
  newer[8] = 4;
  meg::test::write_bytes(bad, newer);
  RunResult r = sample_bad();
  expect_model_error(r, "version 4");
  EXPECT_NE(r.err.find("model format version 4 is not supported"), std::string::npos) << r.err;
  // A length field claiming an enormous payload is refused, not allocated.
  std::string huge = bytes;
  for (int i = 16; i < 24; ++i) huge[static_cast<size_t>(i)] = static_cast<char>(0xff);
  meg::test::write_bytes(bad, huge);
  expect_model_error(sample_bad(), "huge length");
  meg::test::write_bytes(bad, "");
  expect_model_error(run_meg("inspect " + bad, dir), "empty");
  expect_model_error(run_meg("inspect data/car.csv", dir), "csv as model");
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(meg::test::leftover_temporaries(dir).empty());
  fs::remove_all(dir);
}

// A payload with a valid checksum but nested 100,000 levels deep (a crafted file):
// refused before parsing, not a stack overflow (found by fuzz/fuzz_model.cpp).
TEST(DamagedModels, DeeplyNestedPayloadWithValidChecksum) {
  const fs::path dir = meg::test::scratch_dir("deep_model");
  // CBOR: 100,000 one-element arrays around a null.
  const std::string payload = std::string(100000, '\x81') + std::string(1, '\xf6');
  std::string file("MEGMODEL", 8);
  auto put = [&](uint64_t v, int n) {
    for (int i = 0; i < n; ++i) file.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  put(1, 4);
  put(0, 4);
  put(payload.size(), 8);
  put(meg::core::fnv1a64(payload), 8);
  meg::test::write_bytes(dir / "deep.meg", file + payload);
  RunResult r = run_meg("inspect " + (dir / "deep.meg").string(), dir);
  expect_model_error(r, "deep");
  EXPECT_NE(r.err.find("nested deeper than"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

// A column name that is not UTF-8 behind a valid checksum: refused on load, not
// failing later when written to CSV or JSON (found by fuzz/fuzz_model.cpp).
TEST(DamagedModels, InvalidUtf8TextWithValidChecksum) {
  const fs::path dir = meg::test::scratch_dir("utf8_model");
  std::string bytes = meg::test::slurp(meg::test::small_model(dir));
  std::string payload = bytes.substr(32);
  const size_t at = payload.find("buying");
  ASSERT_NE(at, std::string::npos);
  payload[at] = static_cast<char>(0x93);
  std::string file = bytes.substr(0, 24);
  const uint64_t sum = meg::core::fnv1a64(payload);
  for (int i = 0; i < 8; ++i) file.push_back(static_cast<char>((sum >> (8 * i)) & 0xff));
  meg::test::write_bytes(dir / "bad.meg", file + payload);
  RunResult r = run_meg("inspect --json " + (dir / "bad.meg").string(), dir);
  expect_model_error(r, "utf8");
  EXPECT_NE(r.err.find("not valid UTF-8"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

// Valid but degenerate tables: fit and sample succeed and keep the header.
TEST(DegenerateTables, FitAndSample) {
  const fs::path dir = meg::test::scratch_dir("degenerate");
  struct Case {
    const char* name;
    const char* csv;
  };
  const Case cases[] = {
      {"one_row", "a,b,c\n1,x,p\n"},
      {"two_rows", "a,b,c\n1,x,p\n2,y,q\n"},
      {"two_columns", "a,b\n1,x\n2,y\n3,x\n4,y\n5,x\n"},
      {"one_value_class", "f,g,class\n1,a,yes\n2,b,yes\n3,a,yes\n4,b,yes\n"},
      {"all_constant", "a,b,c\n1,x,p\n1,x,p\n1,x,p\n"},
      {"all_missing_column", "a,b\n1,\n2,\n3,NA\n"},
      {"numeric_spread", "x,y\n-0,a\n1e300,b\n-1e300,a\n0.5,b\n2,a\n3,b\n"},
  };
  for (const auto& c : cases) {
    const fs::path csv = dir / (std::string(c.name) + ".csv");
    const fs::path model = dir / (std::string(c.name) + ".meg");
    const fs::path out = dir / (std::string(c.name) + ".out.csv");
    meg::test::write_bytes(csv, c.csv);
    RunResult fit = run_meg("fit " + csv.string() + " -o " + model.string() + " --quiet", dir);
    ASSERT_EQ(fit.code, 0) << c.name << ": " << fit.err;
    RunResult sample = run_meg("sample " + model.string() + " -n 50 -o " + out.string(), dir);
    ASSERT_EQ(sample.code, 0) << c.name << ": " << sample.err;
    const std::string text = meg::test::slurp(out.string());
    EXPECT_EQ(meg::test::count_lines(text), 51u) << c.name;
    const std::string csv_text = c.csv;
    EXPECT_EQ(text.substr(0, text.find('\n')), csv_text.substr(0, csv_text.find('\n'))) << c.name;
  }
  fs::remove_all(dir);
}

// A name with a newline or a NUL (a schema file, a model, the Python API) quoted in an
// error: the message stays one line and what() holds all of it.
TEST(ErrorMessages, ControlCharactersAreEscaped) {
  const std::string name("a\0b\nc\td", 7);
  const meg::DataError e("column '" + name + "': no such column");
  EXPECT_STREQ(e.what(), "column 'a\\x00b\\nc\\td': no such column");
  EXPECT_STREQ(meg::IoError("plain").what(), "plain");
}

}  // namespace
