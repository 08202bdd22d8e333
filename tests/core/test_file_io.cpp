#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/file_io.hpp"
#include "meg/error.hpp"

namespace fs = std::filesystem;
using meg::core::AtomicFile;

namespace {
fs::path temp_dir() {
  fs::path dir = fs::temp_directory_path() / ("meg_test_file_io_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}
size_t entries(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}
}  // namespace

TEST(AtomicFile, CommitLandsTheFile) {
  fs::path dir = temp_dir();
  std::string path = (dir / "out.txt").string();
  meg::core::write_file_atomic(path, "hello\n");
  EXPECT_EQ(meg::core::read_file(path), "hello\n");
  EXPECT_EQ(entries(dir), 1u);  // no temporary left behind
  fs::remove_all(dir);
}

TEST(AtomicFile, NoCommitLeavesNothing) {
  fs::path dir = temp_dir();
  std::string path = (dir / "out.txt").string();
  {
    AtomicFile f(path);
    f.write("partial");
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(entries(dir), 0u);
  fs::remove_all(dir);
}

TEST(AtomicFile, ExistingFileSurvivesAFailedWrite) {
  fs::path dir = temp_dir();
  std::string path = (dir / "out.txt").string();
  meg::core::write_file_atomic(path, "old\n");
  {
    AtomicFile f(path);
    f.write("new but abandoned");
  }
  EXPECT_EQ(meg::core::read_file(path), "old\n");
  fs::remove_all(dir);
}

TEST(ReadFile, ErrorsNameThePath) {
  try {
    meg::core::read_file("/nonexistent/dir/x.csv");
    FAIL();
  } catch (const meg::IoError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/x.csv"), std::string::npos);
  }
  EXPECT_THROW(meg::core::read_file("/tmp"), meg::IoError);
  EXPECT_THROW(AtomicFile("/nonexistent/dir/out.csv"), meg::IoError);
}

TEST(AtomicFile, DevicesAreWrittenInPlaceNotReplaced) {
  // Renaming a temporary over /dev/null would turn it into a regular file.
  meg::core::write_file_atomic("/dev/null", "discarded\n");
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(meg::core::read_file("/dev/null"), "");
}
