// `meg fit` and `meg sample` under mpirun give the bytes of the single-process
// commands, for 2 and 3 ranks; a bad input on any rank stops every rank with the
// plain reader's message; byte ranges start at row boundaries whatever the quotes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "dist/byte_ranges.hpp"
#include "mpi_runner.hpp"

namespace meg::test {
namespace {

namespace fs = std::filesystem;

const std::string kQuoted = MEG_SOURCE_DIR "/tests/dist/quoted_newlines.csv";
const std::string kGerman = MEG_SOURCE_DIR "/data/german_credit.csv";
const std::string kCar = MEG_SOURCE_DIR "/data/car.csv";

class DistFit : public ::testing::TestWithParam<std::string> {};

TEST_P(DistFit, SameModelBytesFor2And3Ranks) {
  const fs::path dir = scratch_dir("dist_fit");
  const std::string data = GetParam();
  ASSERT_EQ(run_meg("fit " + data + " -o " + (dir / "plain.meg").string() + " -q", dir).code, 0);
  const std::string plain = slurp((dir / "plain.meg").string());
  for (int np : {2, 3}) {
    const fs::path out = dir / ("np" + std::to_string(np) + ".meg");
    const RunResult r = run_mpi(np, "fit " + data + " -o " + out.string() + " -q", dir);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(slurp(out.string()) == plain) << np << " ranks: the model differs";
  }
  fs::remove_all(dir);
}

// A BOM and no final newline; quoted fields with CRLF line ends; house_16h, whose
// resampler keeps its second stage (the stages' tasks shared among the ranks).
INSTANTIATE_TEST_SUITE_P(Tables, DistFit,
                         ::testing::Values(kQuoted, kGerman, MEG_SOURCE_DIR "/data/house_16h.csv",
                                           MEG_SOURCE_DIR
                                           "/tests/data/fixtures/bom_no_final_newline.csv",
                                           MEG_SOURCE_DIR "/tests/data/fixtures/quoted_crlf.csv"),
                         [](const auto& param) { return fs::path(param.param).stem().string(); });

// More ranks than rows: most ranges are empty.
TEST(DistFit, MoreRanksThanRows) {
  const fs::path dir = scratch_dir("dist_tiny");
  write(dir / "t.csv", "a,b\n1,x\n2,y\n3,x\n");
  ASSERT_EQ(
      run_meg("fit " + (dir / "t.csv").string() + " -q -o " + (dir / "p.meg").string(), dir).code,
      0);
  // With the watchdog of MEG_MPI_TIMEOUT running (no wait comes near a minute).
  const RunResult r =
      run_mpi(5, "fit " + (dir / "t.csv").string() + " -q -o " + (dir / "m.meg").string(), dir,
              "MEG_MPI_TIMEOUT=60");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(slurp((dir / "m.meg").string()) == slurp((dir / "p.meg").string()));
  const RunResult bad =
      run_mpi(2, "fit " + (dir / "t.csv").string() + " -q -o " + (dir / "b.meg").string(), dir,
              "MEG_MPI_TIMEOUT=soon");
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(meg_error(bad.err), "meg: error: MEG_MPI_TIMEOUT: expected seconds > 0, got 'soon'");
  EXPECT_EQ(bad.err.find("meg: error:", bad.err.find("meg: error:") + 1), std::string::npos);
  fs::remove_all(dir);
}

TEST(DistSample, PartsInRankOrderAreTheSingleProcessSample) {
  const fs::path dir = scratch_dir("dist_sample");
  const std::string model = (dir / "car.meg").string();
  ASSERT_EQ(run_meg("fit " + kCar + " -o " + model + " -q", dir).code, 0);
  // 100,000 rows: 4 chunks of 32,768 (3 ranks make 1, 1 and 2); 1,000 rows: one chunk,
  // so ranks 0 and 1 of 3 write the header only.
  for (const char* n : {"100000", "1000"}) {
    const std::string plain = (dir / "plain.csv").string();
    ASSERT_EQ(run_meg("sample " + model + " -n " + n + " --seed 5 -q -o " + plain, dir).code, 0);
    const std::string expected = slurp(plain);
    const std::string header = expected.substr(0, expected.find('\n') + 1);
    for (int np : {2, 3}) {
      const fs::path parts = dir / ("parts" + std::to_string(np) + "_" + n);
      const RunResult r = run_mpi(
          np, "sample " + model + " -n " + n + " --seed 5 -q -o " + parts.string() + "/", dir);
      ASSERT_EQ(r.code, 0) << r.err;
      std::string joined = header;
      for (int p = 0; p < np; ++p) {
        char name[32];
        std::snprintf(name, sizeof name, "part-%05d.csv", p);
        const std::string part = slurp((parts / name).string());
        ASSERT_EQ(part.substr(0, header.size()), header) << name;
        joined += part.substr(header.size());
      }
      EXPECT_TRUE(joined == expected) << np << " ranks, " << n << " rows";
      EXPECT_FALSE(fs::exists(parts / "part-00003.csv"));
    }
  }
  // Conditional sampling is one process's: refused under mpirun with one line, exit 2.
  const RunResult where = run_mpi(
      2, "sample " + model + " -n 10 --where class=acc -q -o " + (dir / "w").string() + "/", dir);
  EXPECT_EQ(where.code, 2);
  EXPECT_EQ(meg_error(where.err), "meg: error: option --where: not supported under mpirun");
  EXPECT_FALSE(fs::exists(dir / "w" / "part-00000.csv"));
  // One process: DIR/ is part 0, the whole sample.
  ASSERT_EQ(
      run_meg("sample " + model + " -n 1000 --seed 5 -q -o " + (dir / "one").string() + "/", dir)
          .code,
      0);
  EXPECT_EQ(slurp((dir / "one" / "part-00000.csv").string()), slurp((dir / "plain.csv").string()));
  fs::remove_all(dir);
}

// A bad row late in the file (the last rank's range), a stray quote in the middle (it
// breaks the quote parity of every later offset) and a bad byte at the end: every rank
// stops, exit 2, the plain reader's message once, no model.
TEST(DistFit, BadInputOnAnyRankStopsEveryRankWithThePlainMessage) {
  const fs::path dir = scratch_dir("dist_bad");
  const std::string text = slurp(kQuoted);
  const size_t middle = text.find("\nb,plain,", text.size() / 2);
  ASSERT_NE(middle, std::string::npos);
  const std::string cases[] = {
      text + "a,plain,3\n",
      text.substr(0, middle) + "\nb,pl\"ain,3,4,red" + text.substr(middle),
      text +
          "a,plain,3,4,r\xff"
          "d\n",
  };
  for (const std::string& bad : cases) {
    const fs::path csv = dir / "bad.csv";
    write(csv, bad);
    const RunResult plain = run_meg("fit " + csv.string() + " -o " + (dir / "p.meg").string(), dir);
    ASSERT_EQ(plain.code, 2);
    for (int np : {2, 3}) {
      const fs::path out = dir / "m.meg";
      const RunResult r = run_mpi(np, "fit " + csv.string() + " -o " + out.string(), dir);
      EXPECT_EQ(r.code, 2) << r.err;
      EXPECT_EQ(meg_error(r.err), meg_error(plain.err)) << np << " ranks";
      const size_t first = r.err.find("meg: error: ");
      EXPECT_EQ(r.err.find("meg: error: ", first + 1), std::string::npos) << "printed twice";
      EXPECT_FALSE(fs::exists(out));
    }
  }
  // A cell a schema file's type refuses, late in the file: found by rank 0 while it builds
  // the table from the gathered rows, named with the file's line (kept through the gather).
  write(dir / "s.json", R"({"columns": [{"name": "age", "type": "integer"}]})");
  write(dir / "bad.csv", text + "a,plain,3.5,4,red\n");
  const std::string schema = " --schema " + (dir / "s.json").string();
  const RunResult plain = run_meg(
      "fit " + (dir / "bad.csv").string() + schema + " -o " + (dir / "p.meg").string(), dir);
  ASSERT_EQ(plain.code, 2);
  ASSERT_NE(meg_error(plain.err).find(":1335:"), std::string::npos) << plain.err;
  const RunResult cell = run_mpi(
      3, "fit " + (dir / "bad.csv").string() + schema + " -o " + (dir / "m.meg").string(), dir);
  EXPECT_EQ(cell.code, 2);
  EXPECT_EQ(meg_error(cell.err), meg_error(plain.err));
  EXPECT_FALSE(fs::exists(dir / "m.meg"));
  const RunResult missing = run_mpi(2, "fit " + (dir / "none.csv").string() + " -o x.meg", dir);
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(meg_error(missing.err).find("none.csv: cannot open"), std::string::npos);
  fs::remove_all(dir);
}

TEST(ByteRanges, HeaderEndSkipsBomBlankLinesAndQuotedNewlines) {
  const fs::path dir = scratch_dir("dist_header");
  const std::string text = "\xEF\xBB\xBF\n\r\n\"a\nb\",c\r\n1,2\n";
  write(dir / "h.csv", text);
  const dist::PreadFile file((dir / "h.csv").string());
  const dist::HeaderSpan h = dist::find_header(file);
  EXPECT_EQ(h.end, text.find("1,2"));
  EXPECT_EQ(h.lines, 4u);
  fs::remove_all(dir);
}

TEST(ByteRanges, BoundaryIsTheFirstLineFeedOutsideQuotes) {
  const fs::path dir = scratch_dir("dist_boundary");
  const std::string text = "x,y\n1,\"p\nq,\"\"r\"\"\n\"\n2,3\n";
  write(dir / "b.csv", text);
  const dist::PreadFile file((dir / "b.csv").string());
  const uint64_t row2 = text.find("2,3");
  // From every offset inside the quoted field of row 1, the next boundary is row 2's start.
  const uint64_t open = text.find('"'), close = text.rfind('"');
  for (uint64_t at = open + 1; at <= close; ++at) {
    uint64_t quotes = 0;
    for (uint64_t i = 0; i + 1 < at; ++i) quotes += text[i] == '"';
    const dist::Boundary b = dist::find_boundary(file, at, quotes % 2 == 1);
    EXPECT_EQ(b.offset, row2) << "from " << at;
  }
  // An offset just after a line feed outside quotes is a boundary itself.
  EXPECT_EQ(dist::find_boundary(file, row2, false).offset, row2);
  EXPECT_EQ(dist::count_slice(file, 0, text.size()).quotes, 6u);
  fs::remove_all(dir);
}

// The slice counts in one pass: every quote and line feed of any range, across the reading
// blocks (1 MiB) and the counters' runs, wherever the range starts and ends.
TEST(ByteRanges, SliceCountsEveryQuoteAndLineFeed) {
  const fs::path dir = scratch_dir("dist_counts");
  std::string text;
  uint64_t state = 7;
  while (text.size() < (size_t{5} << 19)) {  // 2.5 MiB, runs of one character among others
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const char c = "ab\"\n,"[(state >> 33) % 5];
    text.append(1 + (state >> 40) % 300, c);
  }
  write(dir / "c.csv", text);
  const dist::PreadFile file((dir / "c.csv").string());
  for (const auto& [begin, end] :
       std::vector<std::pair<uint64_t, uint64_t>>{{0, text.size()},
                                                  {1, text.size() - 1},
                                                  {8159, 8161},
                                                  {12345, (size_t{1} << 20) + 7},
                                                  {(size_t{1} << 20) - 3, text.size()},
                                                  {500, 500}}) {
    const dist::SliceCounts got = dist::count_slice(file, begin, end);
    const auto first = text.begin() + static_cast<std::ptrdiff_t>(begin);
    const auto last = text.begin() + static_cast<std::ptrdiff_t>(end);
    EXPECT_EQ(got.quotes, static_cast<uint64_t>(std::count(first, last, '"'))) << begin;
    EXPECT_EQ(got.newlines, static_cast<uint64_t>(std::count(first, last, '\n'))) << begin;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace meg::test
