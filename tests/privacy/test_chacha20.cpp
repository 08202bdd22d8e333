// ChaCha20 against the test vectors of RFC 8439 (sections 2.1.1, 2.3.2, 2.4.2, A.1, A.2).
#include <gtest/gtest.h>

#include <string>

#include "privacy/chacha20.hpp"

using namespace meg::privacy;

namespace {

std::string hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

ChaChaKey key_0_to_31() {
  ChaChaKey k;
  for (int i = 0; i < 32; ++i) k[i] = static_cast<uint8_t>(i);
  return k;
}

}  // namespace

TEST(ChaCha20, QuarterRoundRfc8439_2_1_1) {
  uint32_t a = 0x11111111, b = 0x01020304, c = 0x9b8d6f43, d = 0x01234567;
  chacha20_quarter_round(a, b, c, d);
  EXPECT_EQ(a, 0xea2a92f4u);
  EXPECT_EQ(b, 0xcb1cf8ceu);
  EXPECT_EQ(c, 0x4581472eu);
  EXPECT_EQ(d, 0x5881c4bbu);
}

TEST(ChaCha20, BlockFunctionRfc8439_2_3_2) {
  const ChaChaNonce nonce = {0, 0, 0, 0x09, 0, 0, 0, 0x4a, 0, 0, 0, 0};
  const ChaChaBlock out = chacha20_block(key_0_to_31(), 1, nonce);
  const ChaChaBlock want = {0xe4e7f110, 0x15593bd1, 0x1fdd0f50, 0xc47120a3, 0xc7f4d1c7, 0x0368c033,
                            0x9aaa2204, 0x4e6cd4c3, 0x466482d2, 0x09aa9f07, 0x05d7c214, 0xa2028bd9,
                            0xd19c12b5, 0xb94e16de, 0xe883d0cb, 0x4e3c50a2};
  EXPECT_EQ(out, want);
  const auto bytes = chacha20_serialize(out);
  EXPECT_EQ(hex(bytes.data(), 16), "10f1e7e4d13b5915500fdd1fa32071c4");
}

TEST(ChaCha20, EncryptionRfc8439_2_4_2) {
  const ChaChaNonce nonce = {0, 0, 0, 0, 0, 0, 0, 0x4a, 0, 0, 0, 0};
  const std::string text =
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
      "future, sunscreen would be it.";
  const std::vector<uint8_t> plain(text.begin(), text.end());
  const auto cipher = chacha20_xor(key_0_to_31(), 1, nonce, plain);
  EXPECT_EQ(hex(cipher.data(), cipher.size()),
            "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
            "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
            "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
            "5af90bbf74a35be6b40b8eedf2785e42874d");
  EXPECT_EQ(chacha20_xor(key_0_to_31(), 1, nonce, cipher), plain);  // its own inverse
}

TEST(ChaCha20, KeystreamVectorsRfc8439_A_1) {
  const ChaChaKey zero{};
  const ChaChaNonce nonce{};
  auto b0 = chacha20_serialize(chacha20_block(zero, 0, nonce));
  EXPECT_EQ(hex(b0.data(), 64),
            "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
            "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586");
  auto b1 = chacha20_serialize(chacha20_block(zero, 1, nonce));
  EXPECT_EQ(hex(b1.data(), 64),
            "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed"
            "29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f");
}

TEST(ChaCha20, EncryptionVectorRfc8439_A_2_2) {
  ChaChaKey key{};
  key[31] = 1;
  const ChaChaNonce nonce = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  const std::string text =
      "Any submission to the IETF intended by the Contributor for publication as all or part "
      "of an IETF Internet-Draft or RFC and any statement made within the context of an IETF "
      "activity is considered an \"IETF Contribution\". Such statements include oral "
      "statements in IETF sessions, as well as written and electronic communications made at "
      "any time or place, which are addressed to";
  const std::vector<uint8_t> plain(text.begin(), text.end());
  const auto cipher = chacha20_xor(key, 1, nonce, plain);
  EXPECT_EQ(hex(cipher.data(), 32),
            "a3fbf07df3fa2fde4f376ca23e82737041605d9f4f4f57bd8cff2c1d4b7955ec");
  EXPECT_EQ(chacha20_xor(key, 1, nonce, cipher), plain);
}
