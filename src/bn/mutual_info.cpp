#include "bn/mutual_info.hpp"

#include <algorithm>
#include <cmath>

#include "core/parallel.hpp"

namespace meg::bn {
namespace {

// Sum over non-zero counts of c * log(c), and how many counts are non-zero.
template <class Count>
double sum_clogc(const std::vector<Count>& counts, uint64_t& nonzero) {
  double s = 0.0;
  for (Count c : counts) {
    if (c > 0) {
      s += static_cast<double>(c) * std::log(static_cast<double>(c));
      ++nonzero;
    }
  }
  return s;
}

}  // namespace

double joint_entropy(const std::vector<const std::vector<data::Code>*>& columns,
                     const std::vector<uint32_t>& cards) {
  return joint_entropy_cells(columns, cards).h;
}

JointEntropy joint_entropy_cells(const std::vector<const std::vector<data::Code>*>& columns,
                                 const std::vector<uint32_t>& cards) {
  JointEntropy out;
  if (columns.empty() || columns[0]->empty()) return out;
  const size_t n = columns[0]->size();
  uint64_t cells = 1;
  bool overflow = false;
  for (uint32_t r : cards) {
    uint64_t r64 = std::max<uint32_t>(r, 1);
    if (cells > (uint64_t{1} << 62) / r64) overflow = true;
    cells *= r64;
  }
  const double log_n = std::log(static_cast<double>(n));
  auto key_of = [&](size_t row) {
    uint64_t key = 0;
    for (size_t k = 0; k < columns.size(); ++k) key = key * cards[k] + (*columns[k])[row];
    return key;
  };
  if (!overflow && cells <= std::max<uint64_t>(4 * n, 1 << 12) && cells <= (uint64_t{1} << 26)) {
    std::vector<uint32_t> counts(cells, 0);
    for (size_t row = 0; row < n; ++row) ++counts[key_of(row)];
    out.h = log_n - sum_clogc(counts, out.cells) / static_cast<double>(n);
    return out;
  }
  // Sparse: sort the joint keys and count runs (keys fit when cells < 2^62).
  std::vector<uint64_t> keys(n);
  for (size_t row = 0; row < n; ++row) keys[row] = key_of(row);
  std::sort(keys.begin(), keys.end());
  double s = 0.0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && keys[j] == keys[i]) ++j;
    double c = static_cast<double>(j - i);
    s += c * std::log(c);
    ++out.cells;
    i = j;
  }
  out.h = log_n - s / static_cast<double>(n);
  return out;
}

std::vector<double> mutual_info_with_class(const data::EncodedDataset& data, size_t class_col) {
  const size_t num_cols = data.num_cols();
  std::vector<double> mi(num_cols, 0.0);
  const auto* y = &data.columns[class_col];
  const uint32_t ry = data.cardinality[class_col];
  const double h_y = joint_entropy({y}, {ry});
  for (size_t c = 0; c < num_cols; ++c) {
    if (c == class_col) continue;
    const auto* x = &data.columns[c];
    const uint32_t rx = data.cardinality[c];
    mi[c] = std::max(0.0, joint_entropy({x}, {rx}) + h_y - joint_entropy({x, y}, {rx, ry}));
  }
  return mi;
}

std::vector<double> conditional_mutual_info(const data::EncodedDataset& data, size_t class_col,
                                            int threads) {
  const size_t num_cols = data.num_cols();
  std::vector<double> cmi(num_cols * num_cols, 0.0);
  const auto* y = &data.columns[class_col];
  const uint32_t ry = data.cardinality[class_col];
  const double h_y = joint_entropy({y}, {ry});
  std::vector<double> h_xy(num_cols, 0.0);
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  for (size_t i = 0; i < num_cols; ++i) {
    if (i == class_col) continue;
    h_xy[i] = joint_entropy({&data.columns[i], y}, {data.cardinality[i], ry});
    for (size_t j = i + 1; j < num_cols; ++j) {
      if (j != class_col) pairs.emplace_back(static_cast<uint32_t>(i), static_cast<uint32_t>(j));
    }
  }
  std::vector<double> values(pairs.size(), 0.0);
  core::parallel_for(pairs.size(), threads, [&](size_t p) {
    auto [i, j] = pairs[p];
    double h_xxy = joint_entropy({&data.columns[i], &data.columns[j], y},
                                 {data.cardinality[i], data.cardinality[j], ry});
    // Plug-in CMI is non-negative; clamp rounding noise.
    values[p] = std::max(0.0, h_xy[i] + h_xy[j] - h_xxy - h_y);
  });
  for (size_t p = 0; p < pairs.size(); ++p) {
    auto [i, j] = pairs[p];
    cmi[i * num_cols + j] = cmi[j * num_cols + i] = values[p];
  }
  return cmi;
}

}  // namespace meg::bn
