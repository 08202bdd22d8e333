#include "privacy/chacha20.hpp"

#include "meg/error.hpp"

namespace meg::privacy {
namespace {

constexpr uint32_t rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

uint32_t load_le(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

// "expand 32-byte k", the constants of RFC 8439 section 2.3.
constexpr std::array<uint32_t, 4> kSigma = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};

}  // namespace

void chacha20_quarter_round(uint32_t& a, uint32_t& b, uint32_t& c, uint32_t& d) {
  // x += y; z ^= x; z <<<= r, four times (RFC 8439 section 2.1).
  auto step = [](uint32_t& x, uint32_t y, uint32_t& z, int r) {
    x += y;
    z = rotl(z ^ x, r);
  };
  step(a, b, d, 16);
  step(c, d, b, 12);
  step(a, b, d, 8);
  step(c, d, b, 7);
}

ChaChaBlock chacha20_block_words(const std::array<uint32_t, 8>& key,
                                 const std::array<uint32_t, 4>& tail) {
  ChaChaBlock init;
  for (int i = 0; i < 4; ++i) init[i] = kSigma[i];
  for (int i = 0; i < 8; ++i) init[4 + i] = key[i];
  for (int i = 0; i < 4; ++i) init[12 + i] = tail[i];
  ChaChaBlock x = init;
  for (int round = 0; round < 10; ++round) {  // 10 double rounds: column then diagonal
    chacha20_quarter_round(x[0], x[4], x[8], x[12]);
    chacha20_quarter_round(x[1], x[5], x[9], x[13]);
    chacha20_quarter_round(x[2], x[6], x[10], x[14]);
    chacha20_quarter_round(x[3], x[7], x[11], x[15]);
    chacha20_quarter_round(x[0], x[5], x[10], x[15]);
    chacha20_quarter_round(x[1], x[6], x[11], x[12]);
    chacha20_quarter_round(x[2], x[7], x[8], x[13]);
    chacha20_quarter_round(x[3], x[4], x[9], x[14]);
  }
  for (int i = 0; i < 16; ++i) x[i] += init[i];
  return x;
}

std::array<uint32_t, 8> chacha20_key_words(const ChaChaKey& key) {
  std::array<uint32_t, 8> w;
  for (int i = 0; i < 8; ++i) w[i] = load_le(&key[4 * i]);
  return w;
}

ChaChaBlock chacha20_block(const ChaChaKey& key, uint32_t counter, const ChaChaNonce& nonce) {
  return chacha20_block_words(chacha20_key_words(key), {counter, load_le(&nonce[0]),
                                                        load_le(&nonce[4]), load_le(&nonce[8])});
}

std::array<uint8_t, 64> chacha20_serialize(const ChaChaBlock& block) {
  std::array<uint8_t, 64> out;
  for (int i = 0; i < 16; ++i) {
    for (int b = 0; b < 4; ++b) out[4 * i + b] = static_cast<uint8_t>(block[i] >> (8 * b));
  }
  return out;
}

std::vector<uint8_t> chacha20_xor(const ChaChaKey& key, uint32_t counter, const ChaChaNonce& nonce,
                                  const std::vector<uint8_t>& data) {
  const size_t blocks = (data.size() + 63) / 64;
  if (blocks > 0 && uint64_t{counter} + blocks - 1 > UINT32_MAX) {
    throw InvalidArgument("chacha20: the 32-bit block counter would wrap");
  }
  std::vector<uint8_t> out(data.size());
  for (size_t j = 0; j < blocks; ++j) {
    const auto stream =
        chacha20_serialize(chacha20_block(key, counter + static_cast<uint32_t>(j), nonce));
    for (size_t i = 64 * j; i < data.size() && i < 64 * (j + 1); ++i) {
      out[i] = data[i] ^ stream[i - 64 * j];
    }
  }
  return out;
}

}  // namespace meg::privacy
