// Compact storage of numeric arrays inside the JSON model tree: arrays become
// nlohmann::json binary values (little-endian bytes), which the model file's
// CBOR encoding stores as raw bytes. Doubles round-trip bit-exactly.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "meg/error.hpp"

namespace meg::core {

template <class T>
nlohmann::json pack_array(const std::vector<T>& v) {
  static_assert(std::is_trivially_copyable_v<T>);
  std::vector<std::uint8_t> bytes(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(bytes.data(), v.data(), bytes.size());
  return nlohmann::json::binary(std::move(bytes));
}

// Throws ModelFormatError naming `what` if j is not a binary array of T.
template <class T>
std::vector<T> unpack_array(const nlohmann::json& j, const char* what) {
  if (!j.is_binary())
    throw ModelFormatError(std::string("model: field '") + what + "' is not a binary array");
  const auto& bytes = j.get_binary();
  if (bytes.size() % sizeof(T) != 0) {
    throw ModelFormatError(std::string("model: field '") + what + "' has a truncated array");
  }
  std::vector<T> v(bytes.size() / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}

}  // namespace meg::core
