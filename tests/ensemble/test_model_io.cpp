#include <gtest/gtest.h>

#include <string>

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
