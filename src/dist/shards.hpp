// A table given as shards: several CSV files with the same header, whose rows in the
// listed order are the table (the plain fit of their concatenation, one header kept).
// Under mpirun each rank reads whole shards: a contiguous run of the list, so that the
// ranks' rows in rank order are the shards' rows in list order, balanced by bytes
// (shard i goes to rank floor(p * (bytes before i + size_i / 2) / total bytes)).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace meg::dist {

// The paths of a shard list file: one a line, as written (relative paths are relative
// to the working directory); blank lines and lines starting with '#' are skipped.
// Throws IoError naming the file, DataError (file:line) for a listed "-".
std::vector<std::string> read_shard_list(const std::string& list_path);

// Per shard, the rank that reads it (non-decreasing in the shard's index; a rank may
// get none). `sizes`: the shards' sizes in bytes.
std::vector<int> assign_shards(const std::vector<uint64_t>& sizes, int ranks);

// The first line of `shards[i]` that differs between `header` and `reference` (the
// first shard's header), as the one-line message a shard with another header gets;
// empty when they are equal.
std::string header_mismatch(const std::string& shard, const std::vector<std::string>& header,
                            const std::string& reference_shard,
                            const std::vector<std::string>& reference);

}  // namespace meg::dist
