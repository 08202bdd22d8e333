#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace meg::core {

// 64-bit FNV-1a over bytes (model file integrity check, not cryptographic).
inline uint64_t fnv1a64(std::string_view bytes, uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace meg::core
