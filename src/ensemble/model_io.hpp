// The model file container: one file holding a JSON tree as CBOR, behind a
// fixed header that identifies, versions and checksums it.
//
//   offset  size  field
//   0       8     magic "MEGMODEL"
//   8       4     format version (little endian)
//   12      4     reserved, 0
//   16      8     payload length in bytes (little endian)
//   24      8     FNV-1a 64 checksum of the payload (little endian)
//   32      n     payload: the model tree in CBOR
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/file_io.hpp"

namespace meg::ensemble {

// 2: a counted unit's counts saved as varints, values as gaps (bn/count_store.hpp); files
// of version 1 still load.
inline constexpr uint32_t kModelFormatVersion = 2;

// Serialises the tree into the container bytes.
std::string encode_model_file(const nlohmann::json& tree);
// Writes the same bytes to `file` without holding them: the tree is serialised twice,
// first only to measure and checksum the payload the header announces.
void write_model_file(const nlohmann::json& tree, core::AtomicFile& file);
// Parses container bytes; throws ModelFormatError naming `path` when the file is
// not a meg model, of a newer format version, truncated or corrupt.
nlohmann::json decode_model_file(const std::string& bytes, const std::string& path);

// For core::read_file: true once `so_far` cannot be the start of a model file (no
// signature) or holds more than the length its header declares; decode_model_file
// then reports the problem.
bool model_file_complete(std::string_view so_far);

}  // namespace meg::ensemble
