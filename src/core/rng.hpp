// Reproducible randomness: pcg64 streams derived from a master seed, and our
// own draws (never std::*_distribution, whose output differs across libraries).
#pragma once
#include <cmath>
#include <cstdint>
#include <initializer_list>

#include <pcg_random.hpp>

namespace meg::core {

// SplitMix64 finaliser: a good 64-bit mixer.
constexpr uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Derives an independent seed from a master seed and a path of integers,
// e.g. derive_seed(seed, {unit, block}).
inline uint64_t derive_seed(uint64_t seed, std::initializer_list<uint64_t> path) {
  uint64_t h = mix64(seed ^ 0x6d65672d73656564ULL);
  for (uint64_t p : path) h = mix64(h ^ mix64(p + 0x632be59bd9b4e019ULL));
  return h;
}

class Rng {
 public:
  explicit Rng(uint64_t seed)
      : engine_(pcg_extras::pcg128_t(mix64(seed)) << 64 | mix64(~seed),
                pcg_extras::pcg128_t(mix64(seed ^ 0xda3e39cb94b95bdbULL))) {}

  uint64_t next() { return engine_(); }
  // Uniform double in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n), n > 0 (Lemire's nearly-divisionless method).
  uint64_t below(uint64_t n) {
    __uint128_t m = static_cast<__uint128_t>(next()) * n;
    auto low = static_cast<uint64_t>(m);
    if (low < n) {
      uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<__uint128_t>(next()) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }
  // Standard normal (Marsaglia polar method; deterministic, no caching of the second value).
  double normal();

 private:
  pcg64 engine_;
};

inline double Rng::normal() {
  while (true) {
    double u = 2.0 * uniform() - 1.0, v = 2.0 * uniform() - 1.0;
    double s = u * u + v * v;
    if (s > 0.0 && s < 1.0) {
      return u * std::sqrt(-2.0 * std::log(s) / s);
    }
  }
}

}  // namespace meg::core
