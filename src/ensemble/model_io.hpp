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
#include <vector>

#include <nlohmann/json.hpp>

#include "core/file_io.hpp"

namespace meg::ensemble {

// 2: a counted unit's counts saved as varints, values as gaps (bn/count_store.hpp); files
// of version 1 still load.
// 3: a unit's structure may hold parent groups (a column of more than max_parent_levels
// levels as a parent, bn/parent_groups.hpp). Only a model with such a unit is written as
// version 3 (others stay version 2, byte for byte), so that a meg reading version 2 refuses
// it naming the version instead of reading its grouped parents as full ones.
inline constexpr uint32_t kModelFormatVersion = 3;
inline constexpr uint32_t kModelFormatUngrouped = 2;

// The version a tree is written as: 3 when a unit's structure has "groups", else 2.
uint32_t model_format_version(const nlohmann::json& tree);

// Serialises the tree into the container bytes.
std::string encode_model_file(const nlohmann::json& tree);
// Writes the same bytes to `file` without holding them: the tree is serialised twice,
// first only to measure and checksum the payload the header announces.
void write_model_file(const nlohmann::json& tree, core::AtomicFile& file);
// Parses container bytes; throws ModelFormatError naming `path` when the file is
// not a meg model, of a newer format version, truncated or corrupt.
nlohmann::json decode_model_file(const std::string& bytes, const std::string& path);

// A model file read with its units left as CBOR, for a load that reads and builds them in
// parallel (each unit's tree freed once it is built). With `split`: `tree` holds every
// field but "units", and `units` each unit's CBOR (views into `bytes`, checked as the whole
// payload was); without (no single "units" list): `tree` is the whole tree.
struct SplitModel {
  std::string bytes;
  nlohmann::json tree;
  std::vector<std::string_view> units;
  bool split = false;
};
// The same checks and errors as decode_model_file.
SplitModel decode_model_file_split(std::string bytes, const std::string& path);

// For core::read_file: true once `so_far` cannot be the start of a model file (no
// signature) or holds more than the length its header declares; decode_model_file
// then reports the problem.
bool model_file_complete(std::string_view so_far);

}  // namespace meg::ensemble
