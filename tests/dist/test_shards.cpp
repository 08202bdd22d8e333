// Shards (several files of one table): the model is the plain fit's of their
// concatenation for 1, 2 and 3 ranks, whatever shard each rank reads (empty shards,
// quoted newlines, more ranks than shards); a shard with another header, a missing one,
// and the private fit are refused with one line, exit 2. The shard assignment and list.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "dist/byte_ranges.hpp"
#include "dist/shards.hpp"
#include "meg/error.hpp"
#include "mpi_runner.hpp"

namespace meg::test {
namespace {

namespace fs = std::filesystem;

const std::string kQuoted = MEG_SOURCE_DIR "/tests/dist/quoted_newlines.csv";
const std::string kGerman = MEG_SOURCE_DIR "/data/german_credit.csv";

// Cuts `csv` into shards at the row boundaries found from `fractions` of its data bytes
// (quote-aware: dist::find_boundary), each shard with the file's header bytes. Two equal
// fractions make an empty shard (a header only). Returns the shards' paths, in order.
std::vector<std::string> cut(const std::string& csv, const std::vector<double>& fractions,
                             const fs::path& dir) {
  const std::string text = slurp(csv);
  const dist::PreadFile file(csv);
  const dist::HeaderSpan header = dist::find_header(file);
  std::vector<uint64_t> starts{header.end};
  for (double f : fractions) {
    const auto at = static_cast<uint64_t>(static_cast<double>(header.end) +
                                          f * static_cast<double>(text.size() - header.end));
    const bool in_quotes = dist::count_slice(file, 0, at - 1).quotes % 2 == 1;
    starts.push_back(dist::find_boundary(file, at, in_quotes).offset);
  }
  starts.push_back(text.size());
  std::vector<std::string> paths;
  for (size_t i = 0; i + 1 < starts.size(); ++i) {
    const fs::path p = dir / ("shard-" + std::to_string(i) + ".csv");
    write(p, text.substr(0, header.end) + text.substr(starts[i], starts[i + 1] - starts[i]));
    paths.push_back(p.string());
  }
  return paths;
}

std::string joined(const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& p : paths) out += " " + p;
  return out;
}

class DistShards : public ::testing::TestWithParam<std::string> {};

TEST_P(DistShards, SameModelBytesAsThePlainFitOfTheConcatenation) {
  const fs::path dir = scratch_dir("dist_shards");
  const std::string data = GetParam();
  ASSERT_EQ(run_meg("fit " + data + " -q -o " + (dir / "plain.meg").string(), dir).code, 0);
  const std::string plain = slurp((dir / "plain.meg").string());
  // Five shards, the third empty: 3 ranks get unequal runs, 2 ranks split them by bytes.
  const std::vector<std::string> shards = cut(data, {0.1, 0.45, 0.45, 0.8}, dir);
  std::string list = "# the table's shards\n";
  for (const auto& s : shards) list += s + "\n\n";
  write(dir / "list.txt", list);
  // One process (no mpirun) reads every shard itself.
  ASSERT_EQ(run_meg("fit" + joined(shards) + " -q -o " + (dir / "one.meg").string(), dir).code, 0);
  EXPECT_TRUE(slurp((dir / "one.meg").string()) == plain) << "one process: the model differs";
  for (int np : {2, 3, 7}) {
    const fs::path out = dir / ("np" + std::to_string(np) + ".meg");
    const std::string input =
        np == 3 ? " --shard-list " + (dir / "list.txt").string() : joined(shards);
    const RunResult r = run_mpi(np, "fit" + input + " -q -o " + out.string(), dir);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(slurp(out.string()) == plain) << np << " ranks: the model differs";
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Tables, DistShards, ::testing::Values(kQuoted, kGerman),
                         [](const auto& param) { return fs::path(param.param).stem().string(); });

TEST(DistShards, RefusedWithOneLine) {
  const fs::path dir = scratch_dir("dist_shards_bad");
  const std::vector<std::string> shards = cut(kGerman, {0.5}, dir);
  std::string other = slurp(shards[1]);
  other.replace(0, std::string("checking_status").size(), "status");
  write(dir / "other.csv", other);
  const std::string out = " -o " + (dir / "m.meg").string();
  struct Case {
    std::string args, error;
  };
  const std::vector<Case> cases = {
      {"fit " + shards[0] + " " + (dir / "other.csv").string() + out,
       "meg: error: " + (dir / "other.csv").string() +
           ":1: column 1 of the header is 'status', the first shard's (" + shards[0] +
           ") is 'checking_status'"},
      {"fit " + shards[0] + " " + (dir / "none.csv").string() + out,
       "meg: error: " + (dir / "none.csv").string() + ": cannot open: No such file or directory"},
      {"fit" + joined(shards) + " --epsilon 1" + out,
       "meg: error: fit: --epsilon does not read shards (one table file)"},
      {"fit " + shards[0] + " --epsilon 1" + out,
       "meg: error: fit: --epsilon is not supported under mpirun"},
      {"fit " + shards[0] + " --shard-list x.txt" + out,
       "meg: error: fit: give DATA or --shard-list, not both"},
      {"fit --shard-list " + (dir / "list.txt").string() + " -o " + shards[1],
       "meg: error: option -o '" + shards[1] + "': is the input file '" + shards[1] +
           "'; writing it would replace the input (choose another path)"},
  };
  write(dir / "list.txt", shards[0] + "\n" + shards[1] + "\n");
  for (const Case& c : cases) {
    for (int np : {1, 2}) {
      const RunResult r = run_mpi(np, c.args, dir);
      EXPECT_EQ(r.code, 2) << c.args << "\n" << r.err;
      EXPECT_EQ(meg_error(r.err), c.error) << np << " ranks";
      const size_t first = r.err.find("meg: error: ");
      EXPECT_EQ(r.err.find("meg: error: ", first + 1), std::string::npos) << "printed twice";
      EXPECT_FALSE(fs::exists(dir / "m.meg"));
    }
  }
  fs::remove_all(dir);
}

// A cell a schema file's type refuses is found by rank 0 while it builds the table from
// the gathered rows: the message names the shards (first .. last) and the shard's own line.
TEST(DistShards, SchemaRefusalNamesTheShardsAndTheShardsLine) {
  const fs::path dir = scratch_dir("dist_shards_schema");
  const std::vector<std::string> shards = cut(kGerman, {0.5}, dir);
  std::string second = slurp(shards[1]);
  size_t line3 = second.find('\n', second.find('\n') + 1) + 1;  // the shard's line 3
  const size_t comma = second.find(',', line3);
  second.replace(comma + 1, second.find(',', comma + 1) - comma - 1, "6.5");
  write(shards[1], second);
  write(dir / "s.json", R"({"columns": [{"name": "duration_months", "type": "integer"}]})");
  const std::string expected = "meg: error: " + shards[0] + " .. " + shards[1] +
                               ":3:2: column 'duration_months': '6.5' is not an integer "
                               "(schema type integer)";
  for (int np : {1, 2}) {
    const RunResult r = run_mpi(np,
                                "fit" + joined(shards) + " --schema " + (dir / "s.json").string() +
                                    " -q -o " + (dir / "m.meg").string(),
                                dir);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_EQ(meg_error(r.err), expected) << np << " ranks";
    EXPECT_FALSE(fs::exists(dir / "m.meg"));
  }
  fs::remove_all(dir);
}

TEST(ShardAssignment, ContiguousRunsBalancedByBytes) {
  // Equal shards: equal runs, in order.
  EXPECT_EQ(dist::assign_shards({10, 10, 10, 10}, 2), (std::vector<int>{0, 0, 1, 1}));
  // A big shard takes a rank to itself; the small ones share the others.
  EXPECT_EQ(dist::assign_shards({1, 1, 100, 1, 1}, 3), (std::vector<int>{0, 0, 1, 2, 2}));
  // More ranks than shards: some ranks read nothing; every shard empty: by index.
  EXPECT_EQ(dist::assign_shards({5, 5}, 4), (std::vector<int>{1, 3}));  // middles at 1/4, 3/4
  EXPECT_EQ(dist::assign_shards({0, 0, 0}, 3), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(dist::assign_shards({7}, 1), (std::vector<int>{0}));
}

TEST(ShardList, PathsAsWrittenSkippingBlankLinesAndComments) {
  const fs::path dir = scratch_dir("dist_shard_list");
  write(dir / "l.txt", "# shards\n a.csv \r\n\n\tdir/b.csv\n#c.csv\n");
  EXPECT_EQ(dist::read_shard_list((dir / "l.txt").string()),
            (std::vector<std::string>{"a.csv", "dir/b.csv"}));
  write(dir / "e.txt", "# none\n\n");
  EXPECT_THROW(dist::read_shard_list((dir / "e.txt").string()), DataError);
  write(dir / "s.txt", "a.csv\n-\n");
  try {
    dist::read_shard_list((dir / "s.txt").string());
    ADD_FAILURE() << "'-' accepted";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()),
              (dir / "s.txt").string() + ":2: a shard is a file, not standard input ('-')");
  }
  EXPECT_THROW(dist::read_shard_list((dir / "none.txt").string()), IoError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace meg::test
