#include "dist/mpi_reducer.hpp"

#include <cstdint>

#include "dist/comm.hpp"

namespace meg::dist {

std::pair<size_t, size_t> rank_share(size_t rows, int r, int p) {
  // rows < 2^32 (data::RowIndex) and r <= p < 2^31: the product fits 64 bits.
  const auto at = [&](int q) {
    return static_cast<size_t>(uint64_t{rows} * static_cast<uint64_t>(q) /
                               static_cast<uint64_t>(p));
  };
  return {at(r), at(r + 1)};
}

std::pair<size_t, size_t> MpiCountReducer::share(size_t rows) const {
  return rank_share(rows, rank(), size());
}

void MpiCountReducer::sum(std::span<uint32_t> counts) { allreduce_sum(counts); }

void MpiCountReducer::sum(std::span<uint64_t> counts) { allreduce_sum(counts); }

std::vector<std::vector<uint8_t>> MpiCountReducer::allgather(std::span<const uint8_t> bytes) {
  const std::vector<char> mine(bytes.begin(), bytes.end());
  std::vector<std::vector<uint8_t>> out;
  for (const auto& part : allgather_bytes(mine)) out.emplace_back(part.begin(), part.end());
  return out;
}

}  // namespace meg::dist
