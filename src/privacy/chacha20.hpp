// ChaCha20 as specified in RFC 8439 (20 rounds, 256-bit key, 32-bit block counter,
// 96-bit nonce), written from the RFC's text. It is the core of SecureRng, the random
// source of every differential-privacy mechanism (secure_rng.hpp).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace meg::privacy {

using ChaChaKey = std::array<uint8_t, 32>;
using ChaChaNonce = std::array<uint8_t, 12>;
using ChaChaBlock = std::array<uint32_t, 16>;

// The quarter round of RFC 8439 section 2.1, in place.
void chacha20_quarter_round(uint32_t& a, uint32_t& b, uint32_t& c, uint32_t& d);

// The block function on a key (8 little-endian words) and the last four state words
// (RFC 8439: counter, nonce[0..3); SecureRng uses them as a 64-bit counter and a domain).
// Returns the 16 output words (state after 20 rounds plus the input state).
ChaChaBlock chacha20_block_words(const std::array<uint32_t, 8>& key,
                                 const std::array<uint32_t, 4>& tail);

// The block function of RFC 8439 section 2.3: key, block counter, nonce.
ChaChaBlock chacha20_block(const ChaChaKey& key, uint32_t counter, const ChaChaNonce& nonce);

// Serialises a block little-endian (64 bytes), as RFC 8439 does.
std::array<uint8_t, 64> chacha20_serialize(const ChaChaBlock& block);

// Encryption (and decryption) of RFC 8439 section 2.4: data XOR the key stream that
// starts at block `counter`.
std::vector<uint8_t> chacha20_xor(const ChaChaKey& key, uint32_t counter, const ChaChaNonce& nonce,
                                  const std::vector<uint8_t>& data);

// Little-endian words of a 32-byte key.
std::array<uint32_t, 8> chacha20_key_words(const ChaChaKey& key);

}  // namespace meg::privacy
