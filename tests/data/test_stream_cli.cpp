// Streamed input through the command line: standard input gives the same model as
// the file, also when a second pass is needed (it is spooled to $TMPDIR, and the
// copy is gone afterwards); bad bytes on standard input stop the reading at once.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/cli_runner.hpp"

namespace fs = std::filesystem;

namespace {

// Runs a shell command line with $MEG standing for the meg binary and TMPDIR set to
// `tmp`; returns the exit code.
int shell(const std::string& line, const fs::path& tmp) {
  const std::string cmd = "TMPDIR='" + tmp.string() + "' MEG='" + meg::test::meg_bin() +
                          "' sh -c '" + line + "' 2>'" + (tmp / ".stderr").string() + "'";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

TEST(StreamCli, StandardInputGivesTheSameModelAsTheFile) {
  const fs::path dir = meg::test::scratch_dir("stream_stdin");
  const fs::path spool = dir / "spool";
  fs::create_directories(spool);
  // A numeric column that turns out to be categorical (its last value is a text).
  std::string text = "n,k,c\n";
  for (int r = 0; r < 3000; ++r) {
    text +=
        std::to_string(r % 300) + "," + std::to_string(r % 3) + "," + (r % 7 ? "x" : "y") + "\n";
  }
  text += "text,1,x\n";
  std::ofstream((dir / "in.csv").string(), std::ios::binary) << text;
  const std::string in = (dir / "in.csv").string();
  ASSERT_EQ(shell("$MEG fit " + in + " -o " + (dir / "file.meg").string() + " --quiet", spool), 0)
      << meg::test::slurp((spool / ".stderr").string());
  ASSERT_EQ(
      shell("cat " + in + " | $MEG fit - -o " + (dir / "stdin.meg").string() + " --quiet", spool),
      0)
      << meg::test::slurp((spool / ".stderr").string());
  EXPECT_TRUE(meg::test::slurp((dir / "file.meg").string()) ==
              meg::test::slurp((dir / "stdin.meg").string()));
  // The spooled copy was unlinked at once: nothing is left in TMPDIR.
  size_t left = 0;
  for (const auto& e : fs::directory_iterator(spool)) left += e.path().filename() != ".stderr";
  EXPECT_EQ(left, 0u);
  fs::remove_all(dir);
}

TEST(StreamCli, StandardInputIsSpooledForASecondPass) {
  // 300,000 distinct numbers, then a text: past the exact bound the column drops its
  // texts, then must be read again as categorical, from the spooled copy of stdin.
  const fs::path dir = meg::test::scratch_dir("stream_reread");
  const fs::path spool = dir / "spool";
  fs::create_directories(spool);
  std::string text = "id,k\n";
  for (int r = 0; r < 300000; ++r) text += std::to_string(r) + "," + std::to_string(r % 5) + "\n";
  text += "last,1\n";
  const std::string in = (dir / "in.csv").string();
  std::ofstream(in, std::ios::binary) << text;
  ASSERT_EQ(shell("$MEG schema " + in + " -o " + (dir / "file.json").string() + " -q", spool), 0);
  ASSERT_EQ(
      shell("cat " + in + " | $MEG schema - -o " + (dir / "stdin.json").string() + " -q", spool), 0)
      << meg::test::slurp((spool / ".stderr").string());
  auto file = nlohmann::json::parse(meg::test::slurp((dir / "file.json").string()));
  auto piped = nlohmann::json::parse(meg::test::slurp((dir / "stdin.json").string()));
  EXPECT_EQ(piped["source"], "<stdin>");
  piped["source"] = file["source"];
  EXPECT_EQ(piped, file);
  EXPECT_EQ(file["columns"][0]["type"], "categorical");
  EXPECT_EQ(file["columns"][0]["levels"], 300001);
  size_t left = 0;
  for (const auto& e : fs::directory_iterator(spool)) left += e.path().filename() != ".stderr";
  EXPECT_EQ(left, 0u);
  fs::remove_all(dir);
}

TEST(StreamCli, BadBytesOnStandardInputStopTheReadingAtOnce) {
  const fs::path dir = meg::test::scratch_dir("stream_zero");
  // An endless stream of NUL bytes: `schema -` must stop, not read on.
  const int code = shell("timeout 20 $MEG schema - < /dev/zero", dir);
  EXPECT_EQ(code, 2);
  const std::string err = meg::test::slurp((dir / ".stderr").string());
  EXPECT_NE(err.find("<stdin>:1:1: NUL byte in input"), std::string::npos) << err;
  // Random bytes (invalid UTF-8 early) too.
  EXPECT_EQ(shell("timeout 20 $MEG fit - -o " + (dir / "m.meg").string() + " < /dev/urandom", dir),
            2);
  EXPECT_FALSE(fs::exists(dir / "m.meg"));
  fs::remove_all(dir);
}
