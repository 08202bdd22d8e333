#include "bn/mutual_info.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "bn/row_keys.hpp"
#include "core/parallel.hpp"
#include "meg/error.hpp"

namespace meg::bn {
namespace {

// c log c of a count: from a table for the small counts that most cells have, else
// computed. The table holds the very expression, so the value is the same either way.
constexpr uint64_t kClogcTable = 4096;
double clogc(uint64_t c) {
  static const std::vector<double> table = [] {
    std::vector<double> t(kClogcTable, 0.0);
    for (uint64_t k = 1; k < kClogcTable; ++k) {
      t[k] = static_cast<double>(k) * std::log(static_cast<double>(k));
    }
    return t;
  }();
  return c < kClogcTable ? table[c] : static_cast<double>(c) * std::log(static_cast<double>(c));
}

// Sum over non-zero counts of c * log(c), and how many counts are non-zero.
template <class Count>
double sum_clogc(const std::vector<Count>& counts, uint64_t& nonzero) {
  double s = 0.0;
  for (Count c : counts) {
    if (c > 0) {
      s += clogc(c);
      ++nonzero;
    }
  }
  return s;
}

}  // namespace

double joint_entropy(const data::DatasetView& data, const std::vector<uint32_t>& columns,
                     const std::vector<uint32_t>& cards) {
  return joint_entropy_cells(data, columns, cards).h;
}

JointEntropy joint_entropy_cells(const data::DatasetView& data,
                                 const std::vector<uint32_t>& columns,
                                 const std::vector<uint32_t>& cards) {
  JointEntropy out;
  const size_t n = data.num_rows();
  if (columns.empty() || n == 0) return out;
  uint64_t cells = 1;
  bool overflow = false;
  std::vector<uint64_t> radix;
  for (uint32_t r : cards) {
    uint64_t r64 = std::max<uint32_t>(r, 1);
    if (cells > (uint64_t{1} << 62) / r64) overflow = true;
    cells *= r64;
    radix.push_back(r);
  }
  const double log_n = std::log(static_cast<double>(n));
  if (!overflow && cells <= std::max<uint64_t>(4 * n, 1 << 12) && cells <= (uint64_t{1} << 26)) {
    std::vector<uint32_t> counts(cells, 0);
    for_each_key_block(data, columns, radix, [&](size_t, std::span<const uint64_t> keys) {
      for (uint64_t key : keys) ++counts[key];
    });
    out.h = log_n - sum_clogc(counts, out.cells) / static_cast<double>(n);
    return out;
  }
  // Sparse: sort the joint keys and count runs (keys fit when cells < 2^62).
  std::vector<uint64_t> keys(n);
  for_each_key_block(data, columns, radix, [&](size_t begin, std::span<const uint64_t> block) {
    std::copy(block.begin(), block.end(), keys.begin() + static_cast<long>(begin));
  });
  std::sort(keys.begin(), keys.end());
  double s = 0.0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && keys[j] == keys[i]) ++j;
    s += clogc(j - i);
    ++out.cells;
    i = j;
  }
  out.h = log_n - s / static_cast<double>(n);
  return out;
}

JointCounts joint_counts(const data::DatasetView& data, const std::vector<uint32_t>& columns) {
  JointCounts out;
  out.columns = columns;
  const size_t n = data.num_rows();
  uint64_t cells = 1;
  bool overflow = false;
  for (uint32_t c : columns) {
    const uint64_t r = std::max<uint32_t>(data.cardinality()[c], 1);
    if (cells > (uint64_t{1} << 62) / r) overflow = true;
    cells *= r;
    out.radix.push_back(r);
  }
  if (overflow) throw InvalidArgument("joint counts: the key space is too large");
  if (cells <= std::max<uint64_t>(4 * n, 1 << 12) && cells <= (uint64_t{1} << 26)) {
    std::vector<uint32_t> counts(cells, 0);
    for_each_key_block(data, columns, out.radix, [&](size_t, std::span<const uint64_t> keys) {
      for (uint64_t key : keys) ++counts[key];
    });
    for (uint64_t key = 0; key < cells; ++key) {
      if (counts[key] > 0) {
        out.key.push_back(key);
        out.count.push_back(counts[key]);
      }
    }
    return out;
  }
  std::vector<uint64_t> keys(n);
  for_each_key_block(data, columns, out.radix, [&](size_t begin, std::span<const uint64_t> block) {
    std::copy(block.begin(), block.end(), keys.begin() + static_cast<long>(begin));
  });
  std::sort(keys.begin(), keys.end());
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && keys[j] == keys[i]) ++j;
    out.key.push_back(keys[i]);
    out.count.push_back(static_cast<uint32_t>(j - i));
    i = j;
  }
  return out;
}

JointEntropy entropy_in_order(const JointCounts& counts, const std::vector<uint32_t>& order,
                              size_t n) {
  JointEntropy out;
  if (order.empty() || n == 0) return out;
  const size_t w = counts.columns.size();
  std::vector<size_t> from(order.size());  // position in counts.columns of order[q]
  bool same = order.size() == w;
  for (size_t q = 0; q < order.size(); ++q) {
    const auto it = std::find(counts.columns.begin(), counts.columns.end(), order[q]);
    if (it == counts.columns.end() || order.size() != w) {
      throw InvalidArgument("entropy_in_order: not a permutation of the counted columns");
    }
    from[q] = static_cast<size_t>(it - counts.columns.begin());
    same = same && from[q] == q;
  }
  double s = 0.0;
  auto add = [&](uint32_t c) { s += clogc(c); };
  if (same) {
    for (uint32_t c : counts.count) add(c);
  } else {
    // The cells in the order of `order`'s keys: a least-significant-digit counting sort
    // on each column's digit (stable, so the result is the ascending permuted key), or a
    // comparison sort when a radix is large next to the cells.
    const size_t m = counts.key.size();
    std::vector<uint32_t> digits(m * w);
    for (size_t i = 0; i < m; ++i) {
      uint64_t key = counts.key[i];
      for (size_t p = w; p-- > 0;) {
        digits[i * w + p] = static_cast<uint32_t>(key % counts.radix[p]);
        key /= counts.radix[p];
      }
    }
    bool small = true;
    for (size_t p = 0; p < w; ++p) small = small && counts.radix[p] <= 4 * m + 64;
    std::vector<uint32_t> idx(m), next(m);
    std::iota(idx.begin(), idx.end(), 0u);
    if (small) {
      std::vector<uint32_t> start;
      for (size_t q = w; q-- > 0;) {
        const size_t p = from[q];
        start.assign(counts.radix[p] + 1, 0);
        for (uint32_t i : idx) ++start[digits[i * w + p] + 1];
        for (size_t v = 1; v < start.size(); ++v) start[v] += start[v - 1];
        for (uint32_t i : idx) next[start[digits[i * w + p]]++] = i;
        idx.swap(next);
      }
    } else {
      std::sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) {
        for (size_t q = 0; q < w; ++q) {
          const uint32_t da = digits[a * w + from[q]], db = digits[b * w + from[q]];
          if (da != db) return da < db;
        }
        return false;
      });
    }
    for (uint32_t i : idx) add(counts.count[i]);
  }
  out.cells = counts.count.size();
  out.h = std::log(static_cast<double>(n)) - s / static_cast<double>(n);
  return out;
}

RowGroups::RowGroups(const data::DatasetView& data, const std::vector<uint32_t>& columns)
    : data_(data) {
  const size_t n = data.num_rows();
  std::vector<uint64_t> radix;
  for (uint32_t c : columns) radix.push_back(std::max<uint32_t>(data.cardinality()[c], 1));
  uint64_t space = 1;
  for (uint64_t r : radix)
    space = space > (uint64_t{1} << 40) / r ? (uint64_t{1} << 41) : space * r;
  rows_.resize(n);
  if (space <= std::max<uint64_t>(4 * n, 4096)) {
    // A counting sort on the keys.
    std::vector<uint32_t> keys(n), start(space + 1, 0);
    for_each_key_block(data, columns, radix, [&](size_t begin, std::span<const uint64_t> block) {
      for (size_t i = 0; i < block.size(); ++i) {
        keys[begin + i] = static_cast<uint32_t>(block[i]);
        ++start[block[i] + 1];
      }
    });
    for (uint64_t k = 0; k < space; ++k) {
      if (start[k + 1] > 0) bounds_.push_back(start[k]);
      start[k + 1] += start[k];
    }
    for (size_t i = 0; i < n; ++i) rows_[start[keys[i]]++] = static_cast<uint32_t>(i);
    bounds_.push_back(static_cast<uint32_t>(n));
    return;
  }
  std::vector<std::pair<uint64_t, uint32_t>> keyed(n);
  for_each_key_block(data, columns, radix, [&](size_t begin, std::span<const uint64_t> keys) {
    for (size_t i = 0; i < keys.size(); ++i) {
      keyed[begin + i] = {keys[i], static_cast<uint32_t>(begin + i)};
    }
  });
  std::sort(keyed.begin(), keyed.end());
  for (size_t i = 0; i < n; ++i) {
    rows_[i] = keyed[i].second;
    if (i == 0 || keyed[i].first != keyed[i - 1].first) bounds_.push_back(static_cast<uint32_t>(i));
  }
  bounds_.push_back(static_cast<uint32_t>(n));
}

JointEntropy RowGroups::entropy_with(uint32_t c) const {
  JointEntropy out;
  const size_t n = data_.num_rows();
  if (n == 0) return out;
  std::vector<uint32_t> codes(n), scratch;
  gather_codes(data_, c, 0, n, scratch, codes.data());
  // A group of at least r / 4 rows is counted in a table of the column's r values, a
  // smaller one sorted: either way its values come in ascending order.
  const uint32_t r = std::max<uint32_t>(data_.cardinality()[c], 1);
  std::vector<uint32_t> group, table(r, 0);
  double s = 0.0;
  auto add = [&](uint32_t count) {
    s += clogc(count);
    ++out.cells;
  };
  for (size_t g = 0; g + 1 < bounds_.size(); ++g) {
    const uint32_t begin = bounds_[g], end = bounds_[g + 1];
    if (4 * static_cast<uint64_t>(end - begin) >= r) {
      for (uint32_t i = begin; i < end; ++i) ++table[codes[rows_[i]]];
      for (uint32_t v = 0; v < r; ++v) {
        if (table[v] > 0) add(table[v]);
        table[v] = 0;
      }
      continue;
    }
    group.clear();
    for (uint32_t i = begin; i < end; ++i) group.push_back(codes[rows_[i]]);
    std::sort(group.begin(), group.end());
    for (size_t i = 0; i < group.size();) {
      size_t j = i;
      while (j < group.size() && group[j] == group[i]) ++j;
      add(static_cast<uint32_t>(j - i));
      i = j;
    }
  }
  out.h = std::log(static_cast<double>(n)) - s / static_cast<double>(n);
  return out;
}

std::vector<double> mutual_info_with_class(const data::DatasetView& data, size_t class_col) {
  const size_t num_cols = data.num_cols();
  std::vector<double> mi(num_cols, 0.0);
  const auto y = static_cast<uint32_t>(class_col);
  const uint32_t ry = data.cardinality()[class_col];
  const double h_y = joint_entropy(data, {y}, {ry});
  for (size_t c = 0; c < num_cols; ++c) {
    if (c == class_col) continue;
    const auto x = static_cast<uint32_t>(c);
    const uint32_t rx = data.cardinality()[c];
    mi[c] =
        std::max(0.0, joint_entropy(data, {x}, {rx}) + h_y - joint_entropy(data, {x, y}, {rx, ry}));
  }
  return mi;
}

std::vector<double> conditional_mutual_info(const data::DatasetView& data, size_t class_col,
                                            int threads) {
  const size_t num_cols = data.num_cols();
  const auto& card = data.cardinality();
  std::vector<double> cmi(num_cols * num_cols, 0.0);
  const auto y = static_cast<uint32_t>(class_col);
  const uint32_t ry = card[class_col];
  const double h_y = joint_entropy(data, {y}, {ry});
  std::vector<double> h_xy(num_cols, 0.0);
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  for (size_t i = 0; i < num_cols; ++i) {
    if (i == class_col) continue;
    h_xy[i] = joint_entropy(data, {static_cast<uint32_t>(i), y}, {card[i], ry});
    for (size_t j = i + 1; j < num_cols; ++j) {
      if (j != class_col) pairs.emplace_back(static_cast<uint32_t>(i), static_cast<uint32_t>(j));
    }
  }
  std::vector<double> values(pairs.size(), 0.0);
  core::parallel_for(pairs.size(), threads, [&](size_t p) {
    auto [i, j] = pairs[p];
    double h_xxy = joint_entropy(data, {i, j, y}, {card[i], card[j], ry});
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
