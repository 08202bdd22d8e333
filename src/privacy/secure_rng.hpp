// The random source of the differential-privacy mechanisms: a ChaCha20 key stream
// (RFC 8439), keyed either from the operating system (getrandom(2)) or from a user seed.
//
// A seed makes the noise reproducible, by anyone who knows the seed: whoever holds it can
// regenerate every noise draw of a fit and subtract it from the released counts. A model
// meant for release must therefore be fitted with a secret seed, or with none (OS entropy,
// the default). A 64-bit seed also caps the key's entropy at 64 bits.
//
// core::Rng (pcg64) stays the generator of everything that is not privacy noise; it is
// fast and reproducible, but predictable from its output, so it never draws noise.
#pragma once
#include <array>
#include <cstdint>
#include <initializer_list>

#include "privacy/chacha20.hpp"

namespace meg::privacy {

using u128 = __uint128_t;

class SecureRng {
 public:
  // A fresh 256-bit key from the operating system (getrandom(2), /dev/urandom as fallback).
  // Throws meg::Error when no entropy source can be read.
  static SecureRng from_os();
  // A key derived from a 64-bit seed: reproducible by anyone who knows the seed.
  static SecureRng from_seed(uint64_t seed);
  // A caller-provided 256-bit key (e.g. read from a key file kept secret).
  static SecureRng from_key(const ChaChaKey& key);

  // An independent stream keyed by ChaCha20(key, path) (a PRF on distinct inputs), so
  // parallel or per-step draws are deterministic whatever the thread count.
  SecureRng derive(std::initializer_list<uint64_t> path) const;

  // Copying would replay the same noise twice: streams are moved or derived, never copied.
  SecureRng(const SecureRng&) = delete;
  SecureRng& operator=(const SecureRng&) = delete;
  SecureRng(SecureRng&& other) noexcept;
  SecureRng& operator=(SecureRng&& other) noexcept;
  ~SecureRng();

  uint32_t next_u32();
  uint64_t next_u64();
  u128 next_u128();
  // Uniform integer in [0, n), n > 0, exactly (rejection of the top partial range).
  uint64_t below(uint64_t n);
  u128 below(u128 n);
  // True if the key came from the operating system (false for a seed or a given key).
  bool from_entropy() const { return from_entropy_; }

 private:
  SecureRng() = default;
  void refill();
  void wipe();

  std::array<uint32_t, 8> key_{};
  uint64_t counter_ = 0;  // 64-bit block counter (state words 12 and 13)
  ChaChaBlock buffer_{};
  int used_ = 16;  // words of buffer_ consumed
  bool from_entropy_ = false;
};

}  // namespace meg::privacy
