#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/file_io.hpp"
#include "ensemble/model_io.hpp"
#include "meg/error.hpp"

using namespace meg::ensemble;

namespace {
std::string error_of(const std::string& bytes) {
  try {
    decode_model_file(bytes, "m.meg");
  } catch (const meg::ModelFormatError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(ModelIo, RoundTripAndEveryCorruptionIsDetected) {
  nlohmann::json tree = {{"a", 1}, {"b", nlohmann::json::binary({1, 2, 3, 4})}, {"c", "text"}};
  std::string bytes = encode_model_file(tree);
  EXPECT_EQ(decode_model_file(bytes, "m.meg"), tree);
  EXPECT_EQ(error_of(""), "m.meg: empty file, not a meg model");
  EXPECT_EQ(error_of("age,income\n1,2\n"), "m.meg: not a meg model file (no MEGMODEL signature)");
  // Truncation anywhere is reported, never a crash.
  for (size_t len = 1; len < bytes.size(); ++len) {
    EXPECT_FALSE(error_of(bytes.substr(0, len)).empty()) << len;
  }
  // Any flipped byte after the signature is caught (version, length or checksum).
  for (size_t i = 8; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    EXPECT_FALSE(error_of(bad).empty()) << i;
  }
  std::string newer = bytes;
  newer[8] = 9;
  EXPECT_NE(error_of(newer).find("model format version 9 is not supported"), std::string::npos);
  EXPECT_NE(error_of(bytes + "x").find("payload"), std::string::npos);
}

// The streamed writer (used by save) writes exactly encode_model_file's bytes, also for a
// payload many times its 64 KB buffer.
TEST(ModelIo, StreamedFileEqualsEncodedBytes) {
  std::vector<uint8_t> big(300000);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 7 + i / 251);
  const nlohmann::json tree = {{"a", 1}, {"big", nlohmann::json::binary(big)}, {"z", "end"}};
  const std::string path = ::testing::TempDir() + "meg_stream_test.meg";
  {
    meg::core::AtomicFile file(path);
    write_model_file(tree, file);
    file.commit();
  }
  const std::string written = meg::core::read_file(path);
  EXPECT_EQ(written, encode_model_file(tree));
  EXPECT_EQ(decode_model_file(written, path), tree);
  std::remove(path.c_str());
}
