#include "bn/candidates.hpp"

#include <algorithm>
#include <cmath>

#include "bn/mutual_info.hpp"
#include "bn/parent_groups.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"

namespace meg::bn {

namespace {
constexpr size_t kScreenRows = size_t{1} << 14;
}  // namespace

std::unique_ptr<data::EncodedDataset> row_subset(const data::DatasetView& data, size_t limit) {
  const size_t n = data.num_rows();
  if (n <= limit && data.is_whole()) return nullptr;
  std::vector<data::RowIndex> rows;
  if (n <= limit) {
    rows.reserve(n);
    for (size_t i = 0; i < n; ++i) rows.push_back(static_cast<data::RowIndex>(data.row(i)));
  } else {
    rows = subset_rows(data, limit, 0, n);
  }
  return std::make_unique<data::EncodedDataset>(data::DatasetView(data.data(), rows).materialize());
}

std::vector<data::RowIndex> subset_rows(const data::DatasetView& data, size_t limit, size_t begin,
                                        size_t end) {
  const size_t n = data.num_rows();
  const double fraction = static_cast<double>(limit) / static_cast<double>(n);
  const auto threshold = static_cast<uint64_t>(fraction * 18446744073709551615.0);
  std::vector<data::RowIndex> rows;
  rows.reserve(static_cast<size_t>(fraction * static_cast<double>(end - begin) * 1.125) + 16);
  for (size_t i = begin; i < end; ++i) {
    if (core::mix64(i ^ 0x6b64622d726f7773ULL) < threshold) {
      rows.push_back(static_cast<data::RowIndex>(data.row(i)));
    }
  }
  return rows;
}

std::vector<double> pairwise_mutual_info(const data::DatasetView& rows, int threads,
                                         const std::vector<std::vector<uint32_t>>* groups) {
  std::unique_ptr<data::EncodedDataset> copy = row_subset(rows, kScreenRows);
  if (groups && any_groups(*groups)) {
    if (!copy) copy = std::make_unique<data::EncodedDataset>(rows.materialize());
    apply_groups(*copy, *groups, SIZE_MAX);
  }
  const data::DatasetView data = copy ? data::DatasetView(*copy) : rows;
  const size_t d = data.num_cols();
  const auto& card = data.cardinality();
  const double n = static_cast<double>(std::max<size_t>(data.num_rows(), 1));
  std::vector<double> h(d);
  for (uint32_t i = 0; i < d; ++i) h[i] = joint_entropy(data, {i}, {card[i]});
  std::vector<double> out(d * d, 0.0);
  // Row i's pairs (i, j > i) as one task: rows of the matrix are written by one task each.
  core::parallel_for(d, threads, [&](size_t i) {
    for (size_t j = i + 1; j < d; ++j) {
      const auto a = static_cast<uint32_t>(i), b = static_cast<uint32_t>(j);
      const double hij = joint_entropy(data, {a, b}, {card[a], card[b]});
      const double bias = (std::max<double>(card[a], 1) - 1) * (std::max<double>(card[b], 1) - 1);
      out[i * d + j] = h[i] + h[j] - hij - bias / (2 * n);
    }
  });
  for (size_t i = 0; i < d; ++i) {
    for (size_t j = 0; j < i; ++j) out[i * d + j] = out[j * d + i];
  }
  return out;
}

SearchHints make_search_hints(const std::vector<double>& mi,
                              const std::vector<uint32_t>& cardinality, size_t m,
                              uint64_t max_parent_levels) {
  const size_t d = cardinality.size();
  SearchHints hints;
  hints.max_parent_levels = max_parent_levels;
  if (m == 0 || d < 3 || m >= d - 2) return hints;
  hints.candidates.resize(d);
  std::vector<uint32_t> others;
  for (size_t i = 0; i < d; ++i) {
    others.clear();
    for (uint32_t j = 0; j < d; ++j) {
      if (j != i && std::max<uint64_t>(cardinality[j], 1) <= max_parent_levels) {
        others.push_back(j);
      }
    }
    const size_t keep = std::min(m, others.size());
    std::partial_sort(others.begin(), others.begin() + static_cast<long>(keep), others.end(),
                      [&](uint32_t a, uint32_t b) {
                        const double va = mi[i * d + a], vb = mi[i * d + b];
                        return va != vb ? va > vb : a < b;
                      });
    others.resize(keep);
    std::sort(others.begin(), others.end());
    hints.candidates[i] = others;
  }
  return hints;
}

}  // namespace meg::bn
