// core::CountReducer on MPI (core/count_reducer.hpp): rank r counts the rows
// [n r / p, n (r + 1) / p) of every count the fit makes, and the counts are summed with
// an allreduce (exact integer sums). Installed by the distributed fit around the fit
// that every rank runs on the same table (dist_fit.cpp).
#pragma once
#include "core/count_reducer.hpp"

namespace meg::dist {

class MpiCountReducer final : public core::CountReducer {
 public:
  std::pair<size_t, size_t> share(size_t rows) const override;
  void sum(std::span<uint32_t> counts) override;
  void sum(std::span<uint64_t> counts) override;
  std::vector<std::vector<uint8_t>> allgather(std::span<const uint8_t> bytes) override;
};

// The share [n r / p, n (r + 1) / p) of `rows` rows of rank r of p.
std::pair<size_t, size_t> rank_share(size_t rows, int r, int p);

}  // namespace meg::dist
