#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/checksum.hpp"
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

// The checksum is taken beside the CBOR check and read: a payload that is both damaged and
// not valid CBOR is reported as a checksum mismatch, as when the checks ran in turn; with a
// matching checksum, the CBOR problem; a large payload reads back.
TEST(ModelIo, ChecksumMismatchIsReportedBeforeTheCborProblem) {
  const nlohmann::json tree = {{"a", 1}, {"b", "text"}};
  const std::string bytes = encode_model_file(tree);
  std::string bad = bytes;
  bad[32] = static_cast<char>(0xbf);  // the payload's map header: indefinite length
  EXPECT_EQ(error_of(bad), "m.meg: corrupt model file (checksum mismatch)");
  // The same payload behind its own checksum (bytes 24..31, little-endian).
  const uint64_t sum = meg::core::fnv1a64(std::string_view(bad).substr(32));
  for (int i = 0; i < 8; ++i) bad[24 + static_cast<size_t>(i)] = static_cast<char>(sum >> (8 * i));
  EXPECT_EQ(error_of(bad), "m.meg: corrupt model file (indefinite-length item)");
  std::vector<uint8_t> big(1 << 20);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 13 + i / 257);
  const nlohmann::json large = {{"big", nlohmann::json::binary(big)}, {"n", 7}};
  EXPECT_EQ(decode_model_file(encode_model_file(large), "m.meg"), large);
}

// A load reads the units from their own CBOR: the split tree is the whole tree without
// "units", each unit's bytes parse to its element; without a single "units" list the whole
// tree is read; a damaged file gives decode_model_file's error.
TEST(ModelIo, SplitUnitsAreTheWholeTreesUnits) {
  nlohmann::json tree = {{"a", 1}, {"units", {{{"x", 1}}, {{"y", {1, 2}}}, "three"}}};
  for (int i = 0; i < 30; ++i) tree["k" + std::to_string(i)] = i;  // a map header of 1 byte more
  const std::string bytes = encode_model_file(tree);
  SplitModel split = decode_model_file_split(bytes, "m.meg");
  ASSERT_TRUE(split.split);
  nlohmann::json rest = tree;
  rest.erase("units");
  EXPECT_EQ(split.tree, rest);
  ASSERT_EQ(split.units.size(), 3u);
  for (size_t u = 0; u < 3; ++u) {
    EXPECT_EQ(nlohmann::json::from_cbor(split.units[u].begin(), split.units[u].end()),
              tree["units"][u]);
  }
  for (const nlohmann::json& other :
       {nlohmann::json{{"a", 1}}, nlohmann::json{{"units", 5}, {"b", "x"}},
        nlohmann::json::array({1, 2})}) {
    const SplitModel s = decode_model_file_split(encode_model_file(other), "m.meg");
    EXPECT_FALSE(s.split);
    EXPECT_EQ(s.tree, other);
  }
  std::string bad = bytes;
  bad[40] = static_cast<char>(bad[40] ^ 0x20);
  try {
    decode_model_file_split(bad, "m.meg");
    FAIL() << "no error";
  } catch (const meg::ModelFormatError& e) {
    EXPECT_EQ(std::string(e.what()), error_of(bad));
  }
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
