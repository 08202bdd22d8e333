// Adversarial situations of issue 16 that the bad-input catalogue cannot express
// (signals, resource limits, stdout that cannot be written, round trips of values):
// each ends with exit 1 or 2 and one line, or succeeds exactly, and leaves no
// temporary file behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "robustness_util.hpp"

namespace fs = std::filesystem;
using meg::test::RunResult;

namespace {

// Runs a shell command line (meg is $MEG), capturing stdout only when not redirected.
RunResult run_shell(const std::string& line, const fs::path& dir) {
  const std::string err = (dir / ".stderr").string();
  const std::string cmd = "cd '" + dir.string() + "' && MEG='" + meg::test::meg_bin() +
                          "' bash -c '" + line + "' 2>" + err + " </dev/null";
  const int status = std::system(cmd.c_str());
  RunResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.err = meg::test::slurp(err);
  fs::remove(err);
  return r;
}

// The run failed with `code` and one "meg: error: " line holding `fragment`.
void expect_error(const RunResult& r, int code, const std::string& fragment) {
  EXPECT_EQ(r.code, code) << r.err;
  EXPECT_EQ(meg::test::count_lines(r.err), 1u) << r.err;
  EXPECT_EQ(r.err.rfind("meg: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos)
      << "expected '" << fragment << "' in " << r.err;
}

std::set<std::string> column_values(const std::string& csv_text, size_t col) {
  std::set<std::string> out;
  std::istringstream in(csv_text);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    size_t start = 0;
    for (size_t c = 0; c < col; ++c) start = line.find(',', start) + 1;
    out.insert(line.substr(start, line.find(',', start) - start));
  }
  return out;
}

TEST(Hostile, StdoutThatCannotBeWrittenFails) {
  const fs::path dir = meg::test::scratch_dir("hostile_full");
  const std::string model = meg::test::small_model(dir);
  RunResult r = run_shell("$MEG inspect " + model + " >/dev/full", dir);
  expect_error(r, 1, "<stdout>: write error: No space left on device");
  const std::string car = fs::absolute("data/car.csv").string();
  r = run_shell("$MEG evaluate --train " + car + " --test " + car + " --synthetic " + car +
                    " --target class --no-detection --attack-rows 0 >/dev/full",
                dir);
  expect_error(r, 1, "<stdout>: write error: No space left on device");
  r = run_shell("$MEG sample " + model + " -n 10 -o - >/dev/full", dir);
  expect_error(r, 1, "<stdout>: write error");
  fs::remove_all(dir);
}

TEST(Hostile, EveryFatalSignalRemovesTheTemporaryFile) {
  const fs::path dir = meg::test::scratch_dir("hostile_signals");
  const std::string model = meg::test::small_model(dir);
  for (int sig : {SIGHUP, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2, SIGXCPU}) {
    SCOPED_TRACE(::strsignal(sig));
    const fs::path out = dir / "big.csv";
    const std::string err = (dir / "err.txt").string();
    pid_t pid = ::fork();
    if (pid == 0) {
      ::freopen("/dev/null", "w", stdout);
      ::freopen(err.c_str(), "w", stderr);
      std::string bin = meg::test::meg_bin();
      ::execl(bin.c_str(), bin.c_str(), "sample", model.c_str(), "-n", "200000000", "-o",
              out.c_str(), "--threads", "1", "--quiet", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Signal once writing has begun (the temporary file exists).
    bool writing = false;
    for (int i = 0; i < 6000 && !writing; ++i) {
      writing = !meg::test::leftover_temporaries(dir).empty();
      if (!writing) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_TRUE(writing);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ::kill(pid, sig);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 128 + sig);
    const std::string text = meg::test::slurp(err);
    EXPECT_EQ(meg::test::count_lines(text), 1u) << text;
    EXPECT_NE(text.find("meg: interrupted by SIG"), std::string::npos) << text;
    EXPECT_FALSE(fs::exists(out));
    EXPECT_TRUE(meg::test::leftover_temporaries(dir).empty());
  }
  fs::remove_all(dir);
}

TEST(Hostile, FileSizeLimitNamesThePathAndTheCause) {
  const fs::path dir = meg::test::scratch_dir("hostile_xfsz");
  const std::string model = meg::test::small_model(dir);
  RunResult r = run_shell("ulimit -f 100; $MEG sample " + model + " -n 1000000 -o s.csv", dir);
  expect_error(r, 1, "s.csv: write error: File too large");
  EXPECT_FALSE(fs::exists(dir / "s.csv"));
  r = run_shell("ulimit -f 2; $MEG fit small.csv -o m.meg --quiet", dir);
  expect_error(r, 1, "m.meg: write error: File too large");
  EXPECT_FALSE(fs::exists(dir / "m.meg"));
  EXPECT_TRUE(meg::test::leftover_temporaries(dir).empty());
  fs::remove_all(dir);
}

TEST(Hostile, OutputNamesUpTo255BytesAreWritten) {
  const fs::path dir = meg::test::scratch_dir("hostile_names");
  const std::string model = meg::test::small_model(dir);
  for (size_t len : {244u, 250u, 255u}) {
    const std::string name = std::string(len - 4, 'n') + ".csv";
    RunResult r = run_shell("$MEG sample " + model + " -n 5 -o " + name + " --quiet", dir);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(fs::exists(dir / name)) << len;
  }
  EXPECT_TRUE(meg::test::leftover_temporaries(dir).empty());
  fs::remove_all(dir);
}

TEST(Hostile, WhereEscapesEqualsInAColumnName) {
  const fs::path dir = meg::test::scratch_dir("hostile_where");
  std::string text = "a=b,c\n";
  for (int i = 0; i < 40; ++i) text += (i % 2 ? "x," : "y,") + std::to_string(i % 3) + "\n";
  meg::test::write_bytes(dir / "eq.csv", text);
  RunResult r = run_shell("$MEG fit eq.csv -o eq.meg --quiet", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_shell("$MEG sample eq.meg -n 50 -o s.csv --where \"a\\\\=b=x\" --quiet", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(column_values(meg::test::slurp((dir / "s.csv").string()), 0),
            std::set<std::string>{"x"});
  r = run_shell("$MEG sample eq.meg -n 5 -o s2.csv --where a=b=x", dir);
  expect_error(r, 2, "no column named 'a'");
  fs::remove_all(dir);
}

// Values a numeric column could not give back exactly (over 30 decimals, integers over
// 15 digits): the column is text, the model loads, and samples are training values.
TEST(Hostile, ValuesTooPreciseForADoubleComeBackExactly) {
  const fs::path dir = meg::test::scratch_dir("hostile_exact");
  std::string text = "big,dec,c\n";
  std::set<std::string> big, dec;
  for (int i = 0; i < 60; ++i) {
    const std::string b =
        i % 7 == 0 ? "9223372036854775807" : "1000000000000000000000" + std::to_string(100 + i);
    const std::string d = "0.123456789012345678901234567890123" + std::to_string(10 + i);
    big.insert(b);
    dec.insert(d);
    text += b + "," + d + "," + std::to_string(i % 2) + "\n";
  }
  meg::test::write_bytes(dir / "x.csv", text);
  RunResult r = run_shell("$MEG fit x.csv -o x.meg --quiet", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_shell("$MEG inspect x.meg >/dev/null", dir);
  EXPECT_EQ(r.code, 0) << r.err;
  r = run_shell("$MEG sample x.meg -n 300 -o s.csv --quiet", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string sample = meg::test::slurp((dir / "s.csv").string());
  for (const auto& v : column_values(sample, 0)) EXPECT_TRUE(big.count(v)) << v;
  for (const auto& v : column_values(sample, 1)) EXPECT_TRUE(dec.count(v)) << v;
  fs::remove_all(dir);
}

// dpgmm with the documented maximum of components on 200,000 distinct values: the
// variational fit runs on at most 1024 weighted points (was over 2 minutes).
TEST(Hostile, DpgmmWithManyValuesIsBounded) {
  const fs::path dir = meg::test::scratch_dir("hostile_dpgmm");
  std::string text = "v,c\n";
  uint64_t s = 12345;
  for (int i = 0; i < 200000; ++i) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    text += std::to_string(static_cast<double>(s >> 11) / 9007199254740992.0 * 1000.0) + "," +
            std::to_string(i % 2) + "\n";
  }
  meg::test::write_bytes(dir / "v.csv", text);
  meg::test::write_bytes(
      dir / "s.json", R"({"columns": [{"name": "v", "discretizer": "dpgmm", "components": 100}]})");
  const auto start = std::chrono::steady_clock::now();
  RunResult r = run_shell("$MEG fit v.csv --schema s.json -o v.meg --quiet --threads 2", dir);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_LT(seconds, 60.0);  // ~4 s in Release, and well under this with sanitizers
  fs::remove_all(dir);
}

}  // namespace
