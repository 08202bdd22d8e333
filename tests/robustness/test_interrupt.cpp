// SIGINT / SIGTERM during a run: the process exits with 128 + signal, the
// output file does not exist and no temporary file is left behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "robustness_util.hpp"

namespace fs = std::filesystem;

namespace {

// Starts `meg ARGS...` with stdout/stderr to /dev/null; returns its pid.
pid_t spawn_meg(const std::vector<std::string>& args) {
  pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<std::string> all = {meg::test::meg_bin()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::freopen("/dev/null", "w", stdout);
    ::freopen("/dev/null", "w", stderr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// Exit code (or 128 + signal) of `pid`, waiting at most `seconds`; -1 on timeout.
int wait_exit(pid_t pid, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t got = ::waitpid(pid, &status, WNOHANG);
    if (got == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

// Waits (bounded) until the output's temporary file exists, i.e. writing has begun.
bool wait_for_temporary(const fs::path& dir, pid_t pid, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!meg::test::leftover_temporaries(dir).empty()) return true;
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;  // ended before writing
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

TEST(Interrupt, SigintDuringSampleLeavesNoFile) {
  const fs::path dir = meg::test::scratch_dir("interrupt_sample");
  const std::string model = meg::test::small_model(dir);
  const fs::path out = dir / "big.csv";
  pid_t pid = spawn_meg({"sample", model, "-n", "200000000", "-o", out.string(), "--threads", "1"});
  ASSERT_TRUE(wait_for_temporary(dir, pid, 60)) << "sample never started writing";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // mid-write
  ::kill(pid, SIGINT);
  EXPECT_EQ(wait_exit(pid, 30), 128 + SIGINT);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(meg::test::leftover_temporaries(dir).empty());
  fs::remove_all(dir);
}

TEST(Interrupt, SigtermDuringFitLeavesNoFile) {
  const fs::path dir = meg::test::scratch_dir("interrupt_fit");
  // Gradient epochs on the Adult table: a fit far longer than the delay below.
  const fs::path model = dir / "adult.meg";
  pid_t pid = spawn_meg({"fit", "data/adult_train.csv", "-o", model.string(), "--epochs", "500",
                         "--warmup-epochs", "500", "--threads", "1"});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_exit(pid, 30), 128 + SIGTERM);
  EXPECT_FALSE(fs::exists(model));
  EXPECT_TRUE(meg::test::leftover_temporaries(dir).empty());
  fs::remove_all(dir);
}

}  // namespace
