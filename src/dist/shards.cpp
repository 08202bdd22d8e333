#include "dist/shards.hpp"

#include <fstream>

#include <fmt/format.h>

#include "meg/error.hpp"

namespace meg::dist {

std::vector<std::string> read_shard_list(const std::string& list_path) {
  std::ifstream in(list_path);
  if (!in) throw IoError(list_path + ": cannot open the shard list");
  std::vector<std::string> out;
  std::string line;
  for (uint64_t number = 1; std::getline(in, line); ++number) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.pop_back();
    }
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    line.erase(0, start);
    if (line == "-") {
      throw DataError(
          fmt::format("{}:{}: a shard is a file, not standard input ('-')", list_path, number));
    }
    out.push_back(line);
  }
  if (in.bad()) throw IoError(list_path + ": read error");
  if (out.empty()) throw DataError(list_path + ": the shard list names no file");
  return out;
}

std::vector<int> assign_shards(const std::vector<uint64_t>& sizes, int ranks) {
  const size_t n = sizes.size();
  std::vector<int> owner(n, 0);
  long double total = 0;
  for (uint64_t s : sizes) total += static_cast<long double>(s);
  long double before = 0;
  for (size_t i = 0; i < n; ++i) {
    const long double s = static_cast<long double>(sizes[i]);
    // The shard's middle, as a fraction of all bytes (by index when every shard is empty).
    const long double at = total > 0
                               ? (before + s / 2) / total
                               : (static_cast<long double>(i) + 0.5L) / static_cast<long double>(n);
    owner[i] = std::min(ranks - 1, static_cast<int>(at * static_cast<long double>(ranks)));
    before += s;
  }
  return owner;
}

std::string header_mismatch(const std::string& shard, const std::vector<std::string>& header,
                            const std::string& reference_shard,
                            const std::vector<std::string>& reference) {
  if (header == reference) return {};
  if (header.size() != reference.size()) {
    return fmt::format("{}:1: the header has {} columns, the first shard's ({}) has {}", shard,
                       header.size(), reference_shard, reference.size());
  }
  size_t c = 0;
  while (header[c] == reference[c]) ++c;
  return fmt::format("{}:1: column {} of the header is '{}', the first shard's ({}) is '{}'", shard,
                     c + 1, header[c], reference_shard, reference[c]);
}

}  // namespace meg::dist
