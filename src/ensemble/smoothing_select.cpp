#include "ensemble/smoothing_select.hpp"

#include <algorithm>
#include <numeric>

#include "core/count_reducer.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"

namespace meg::ensemble {

const std::vector<double>& distance_grid() {
  static const std::vector<double> grid = {0.25, 0.5, 1, 2, 4, 8, 16, 32, 64};
  return grid;
}

size_t search_strength(double holdout, const std::function<double(size_t i)>& distance_at,
                       nlohmann::json& tried) {
  const std::vector<double>& grid = distance_grid();
  auto passes = [&](size_t i) {
    const double distance = distance_at(i);
    tried.push_back({{"m", grid[i]}, {"distance", distance}});
    return distance >= holdout;
  };
  size_t chosen = grid.size();
  if (passes(0)) {
    chosen = 0;
  } else if (passes(grid.size() - 1)) {
    size_t lo = 0, hi = grid.size() - 1;
    while (hi - lo > 1) {
      const size_t mid = (lo + hi) / 2;
      (passes(mid) ? hi : lo) = mid;
    }
    chosen = hi;
  }
  return chosen;
}

DistanceProbe::DistanceProbe(const data::DatasetView& reference, const data::DatasetView& holdout,
                             size_t max_queries, int threads, size_t max_reference, uint64_t seed)
    : num_cols_(reference.num_cols()), threads_(threads) {
  std::vector<size_t> picked;  // view rows of the reference
  const size_t total = reference.num_rows();
  if (total <= max_reference) {
    picked.resize(total);
    std::iota(picked.begin(), picked.end(), size_t{0});
  } else {
    const double fraction = static_cast<double>(max_reference) / static_cast<double>(total);
    const auto threshold = static_cast<uint64_t>(fraction * 18446744073709551615.0);
    const uint64_t key = core::derive_seed(seed, {});
    for (size_t r = 0; r < total; ++r) {
      if (core::mix64(key + r) < threshold) picked.push_back(r);
    }
  }
  const size_t n = picked.size();
  reference_.resize(n * num_cols_);
  for (size_t c = 0; c < num_cols_; ++c) {
    for (size_t i = 0; i < n; ++i) reference_[i * num_cols_ + c] = reference.code(c, picked[i]);
  }
  const auto& card = reference.cardinality();
  if (std::all_of(card.begin(), card.end(), [](uint32_t r) { return r <= 256; })) {
    words_ = (num_cols_ + 7) / 8;
    packed_.resize(n * words_);
    for (size_t i = 0; i < n; ++i) pack(&reference_[i * num_cols_], &packed_[i * words_]);
  }
  queries_ = std::min(max_queries, holdout.num_rows());
  std::vector<data::Code> rows(queries_ * num_cols_);
  for (size_t c = 0; c < num_cols_; ++c) {
    for (size_t r = 0; r < queries_; ++r) rows[r * num_cols_ + c] = holdout.code(c, r);
  }
  holdout_mean_ = mean_distance(rows.data(), queries_);
}

void DistanceProbe::pack(const data::Code* row, uint64_t* words) const {
  std::fill(words, words + words_, uint64_t{0});
  for (size_t c = 0; c < num_cols_; ++c) words[c / 8] |= uint64_t{row[c] & 0xFFu} << (8 * (c % 8));
}

uint32_t DistanceProbe::differing_bytes(uint64_t x) {
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  const uint64_t high = (((x & kLow7) + kLow7) | x) & ~kLow7;  // a byte's top bit: it is not 0
  // The count of those bits: each moved to its byte's low bit, summed into the top byte
  // by one multiplication (no popcount instruction is assumed).
  return static_cast<uint32_t>(((high >> 7) * 0x0101010101010101ULL) >> 56);
}

double DistanceProbe::mean_distance(const data::Code* rows, size_t n) const {
  if (n == 0 || reference_.empty()) return 0.0;
  // In a distributed fit (core/count_reducer.hpp) every process holds the same rows
  // and reference: each measures its share of the rows and the integer totals are
  // summed, the same total (and mean) as one process measuring every row.
  core::CountReducer* reducer = core::count_reducer();
  if (reducer) {
    const auto share = reducer->share(n);
    uint64_t total = nearest_total(rows + share.first * num_cols_, share.second - share.first);
    reducer->sum(std::span<uint64_t>(&total, 1));
    return static_cast<double>(total) / static_cast<double>(n);
  }
  return static_cast<double>(nearest_total(rows, n)) / static_cast<double>(n);
}

uint64_t DistanceProbe::nearest_total(const data::Code* rows, size_t n) const {
  if (n == 0) return 0;
  const size_t d = num_cols_;
  const size_t m = reference_.size() / d;
  std::vector<uint32_t> nearest(n, 0);
  if (words_ > 0) {
    // Codes below 256: eight to a word, the distance the count of differing bytes.
    core::parallel_for(n, threads_, [&](size_t q) {
      std::vector<uint64_t> a(words_);
      pack(rows + q * d, a.data());
      auto best = static_cast<uint32_t>(d);
      for (size_t r = 0; r < m && best > 0; ++r) {
        const uint64_t* b = &packed_[r * words_];
        uint32_t dist = 0;
        for (size_t w = 0; w < words_; ++w) dist += differing_bytes(a[w] ^ b[w]);
        best = std::min(best, dist);
      }
      nearest[q] = best;
    });
    return std::accumulate(nearest.begin(), nearest.end(), uint64_t{0});
  }
  core::parallel_for(n, threads_, [&](size_t q) {
    const data::Code* a = rows + q * d;
    auto best = static_cast<uint32_t>(d);
    for (size_t r = 0; r < m && best > 0; ++r) {
      const data::Code* b = &reference_[r * d];
      uint32_t dist = 0;
      for (size_t c = 0; c < d && dist < best; ++c) dist += a[c] != b[c];
      best = std::min(best, dist);
    }
    nearest[q] = best;
  });
  return std::accumulate(nearest.begin(), nearest.end(), uint64_t{0});
}

}  // namespace meg::ensemble
