#include "privacy/secure_rng.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <sys/random.h>

#include "meg/error.hpp"

namespace meg::privacy {
namespace {

// State word 14 tells a key-stream block (0) from a key-derivation block, so no block
// of a stream is ever computed as a derivation and vice versa.
constexpr uint32_t kStreamDomain = 0;
constexpr uint32_t kDeriveDomain = 0x76697264;  // "driv"
constexpr uint32_t kSeedDomain = 0x64656573;    // "seed"

// The public starting key of seeded streams ("meg privacy seeded stream, v1", padded).
constexpr std::array<uint32_t, 8> kSeedBaseKey = {0x2067656d, 0x76697270, 0x20796361, 0x64656573,
                                                  0x73206465, 0x61657274, 0x76202c6d, 0x00000031};

std::array<uint32_t, 8> prf_key(const std::array<uint32_t, 8>& key, uint64_t input,
                                uint32_t domain) {
  const ChaChaBlock b = chacha20_block_words(
      key, {static_cast<uint32_t>(input), static_cast<uint32_t>(input >> 32), domain, 0});
  std::array<uint32_t, 8> out;
  for (int i = 0; i < 8; ++i) out[i] = b[i];
  return out;
}

void read_os_entropy(uint8_t* out, size_t n) {
  size_t got = 0;
  while (got < n) {
    const ssize_t r = getrandom(out + got, n - got, 0);
    if (r > 0) {
      got += static_cast<size_t>(r);
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  if (got == n) return;
  FILE* f = std::fopen("/dev/urandom", "rb");
  if (f) {
    got = std::fread(out, 1, n, f);
    std::fclose(f);
  }
  if (got != n) {
    throw Error(
        "privacy: cannot read operating-system entropy (getrandom and /dev/urandom failed)");
  }
}

}  // namespace

SecureRng SecureRng::from_os() {
  ChaChaKey bytes{};
  read_os_entropy(bytes.data(), bytes.size());
  SecureRng r;
  r.key_ = chacha20_key_words(bytes);
  volatile uint8_t* p = bytes.data();
  for (size_t i = 0; i < bytes.size(); ++i) p[i] = 0;
  r.from_entropy_ = true;
  return r;
}

SecureRng SecureRng::from_seed(uint64_t seed) {
  SecureRng r;
  r.key_ = prf_key(kSeedBaseKey, seed, kSeedDomain);
  return r;
}

SecureRng SecureRng::from_key(const ChaChaKey& key) {
  SecureRng r;
  r.key_ = chacha20_key_words(key);
  return r;
}

SecureRng SecureRng::derive(std::initializer_list<uint64_t> path) const {
  SecureRng r;
  r.key_ = key_;
  for (uint64_t p : path) r.key_ = prf_key(r.key_, p, kDeriveDomain);
  r.from_entropy_ = from_entropy_;
  return r;
}

SecureRng::SecureRng(SecureRng&& other) noexcept
    : key_(other.key_),
      counter_(other.counter_),
      buffer_(other.buffer_),
      used_(other.used_),
      from_entropy_(other.from_entropy_) {
  other.wipe();
}

SecureRng& SecureRng::operator=(SecureRng&& other) noexcept {
  if (this != &other) {
    key_ = other.key_;
    counter_ = other.counter_;
    buffer_ = other.buffer_;
    used_ = other.used_;
    from_entropy_ = other.from_entropy_;
    other.wipe();
  }
  return *this;
}

SecureRng::~SecureRng() { wipe(); }

void SecureRng::wipe() {
  // A moved-from or destroyed stream keeps no key material in memory.
  volatile uint32_t* k = key_.data();
  for (size_t i = 0; i < key_.size(); ++i) k[i] = 0;
  volatile uint32_t* b = buffer_.data();
  for (size_t i = 0; i < buffer_.size(); ++i) b[i] = 0;
  used_ = 16;
}

void SecureRng::refill() {
  buffer_ = chacha20_block_words(key_, {static_cast<uint32_t>(counter_),
                                        static_cast<uint32_t>(counter_ >> 32), kStreamDomain, 0});
  ++counter_;  // 2^64 blocks: never wraps in practice
  used_ = 0;
}

uint32_t SecureRng::next_u32() {
  if (used_ == 16) refill();
  return buffer_[used_++];
}

uint64_t SecureRng::next_u64() {
  const uint64_t lo = next_u32();
  return lo | uint64_t{next_u32()} << 32;
}

u128 SecureRng::next_u128() {
  const u128 lo = next_u64();
  return lo | u128{next_u64()} << 64;
}

uint64_t SecureRng::below(uint64_t n) {
  if (n == 0) throw InvalidArgument("privacy: uniform draw below 0");
  if (n == 1) return 0;
  // Accept x < limit, a multiple of n: exactly uniform (acceptance > 1/2).
  const uint64_t limit = n * (UINT64_MAX / n);
  while (true) {
    const uint64_t x = next_u64();
    if (x < limit) return x % n;
  }
}

u128 SecureRng::below(u128 n) {
  if (n == 0) throw InvalidArgument("privacy: uniform draw below 0");
  if (n == 1) return 0;
  // Draw as many bits as n - 1 needs and reject values >= n (acceptance > 1/2).
  int bits = 0;
  for (u128 v = n - 1; v != 0; v >>= 1) ++bits;
  const u128 mask = bits == 128 ? ~u128{0} : (u128{1} << bits) - 1;
  while (true) {
    const u128 x = (bits <= 64 ? u128{next_u64()} : next_u128()) & mask;
    if (x < n) return x;
  }
}

}  // namespace meg::privacy
