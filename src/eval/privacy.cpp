#include "eval/privacy.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/parallel.hpp"
#include "core/rng.hpp"

namespace meg::eval {

namespace {

std::string row_key(const PreparedTable& t, size_t r) {
  std::string key;
  for (const PreparedColumn& col : t.columns) {
    if (col.kind == Kind::Categorical) {
      uint32_t code = col.codes[r];
      key.append(reinterpret_cast<const char*>(&code), sizeof code);
    } else {
      double v = col.values[r];
      if (is_missing(v)) v = std::numeric_limits<double>::infinity();
      if (v == 0) v = 0;  // -0 == 0
      key.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
  }
  return key;
}

}  // namespace

double exact_copy_rate(const PreparedTable& train, const PreparedTable& t) {
  if (t.rows == 0) return 0.0;
  std::unordered_set<std::string> keys;
  keys.reserve(train.rows * 2);
  for (size_t r = 0; r < train.rows; ++r) keys.insert(row_key(train, r));
  size_t hits = 0;
  for (size_t r = 0; r < t.rows; ++r) hits += keys.count(row_key(t, r));
  return static_cast<double>(hits) / static_cast<double>(t.rows);
}

size_t rows_contained(const PreparedTable& rows, const PreparedTable& in) {
  std::unordered_map<std::string, size_t> available;
  available.reserve(in.rows * 2);
  for (size_t r = 0; r < in.rows; ++r) ++available[row_key(in, r)];
  size_t found = 0;
  for (size_t r = 0; r < rows.rows; ++r) {
    auto it = available.find(row_key(rows, r));
    if (it == available.end() || it->second == 0) continue;
    --it->second;
    ++found;
  }
  return found;
}

std::vector<size_t> sample_indices(size_t n, size_t k, uint64_t seed) {
  std::vector<size_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  if (n <= k) return idx;
  core::Rng rng(seed);
  for (size_t i = 0; i < k; ++i) std::swap(idx[i], idx[i + rng.below(n - i)]);
  idx.resize(k);
  std::sort(idx.begin(), idx.end());
  return idx;
}

double quantile_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  double pos = q * static_cast<double>(sorted.size() - 1);
  auto lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

std::vector<size_t> all_rows(size_t n) {
  std::vector<size_t> rows(n);
  std::iota(rows.begin(), rows.end(), 0);
  return rows;
}

DistanceSpace::DistanceSpace(const Preprocessor& pre, const PreparedTable& train) {
  for (size_t c = 0; c < pre.num_columns(); ++c) {
    if (pre.kind(c) == Kind::Categorical) {
      cat_cols_.push_back(c);
      continue;
    }
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : train.columns[c].values) {
      if (!is_missing(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
    num_cols_.push_back(c);
    inv_range_.push_back(hi > lo ? 1.0 / (hi - lo) : 1.0);
  }
}

// Row-major copies: numbers scaled to train range units (NaN kept), codes.
void DistanceSpace::pack(const PreparedTable& t, const std::vector<size_t>& rows,
                         std::vector<double>& num, std::vector<uint32_t>& cat) const {
  const size_t nn = num_cols_.size(), nc = cat_cols_.size();
  num.resize(rows.size() * nn);
  cat.resize(rows.size() * nc);
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < nn; ++j) {
      num[i * nn + j] = t.columns[num_cols_[j]].values[rows[i]] * inv_range_[j];
    }
    for (size_t j = 0; j < nc; ++j) cat[i * nc + j] = t.columns[cat_cols_[j]].codes[rows[i]];
  }
}

std::vector<double> DistanceSpace::nearest(const PreparedTable& reference,
                                           const std::vector<size_t>& ref_rows,
                                           const PreparedTable& queries,
                                           const std::vector<size_t>& query_rows,
                                           int threads) const {
  const size_t nn = num_cols_.size(), nc = cat_cols_.size();
  std::vector<double> t_num, q_num;
  std::vector<uint32_t> t_cat, q_cat;
  pack(reference, ref_rows, t_num, t_cat);
  pack(queries, query_rows, q_num, q_cat);
  std::vector<double> out(query_rows.size());
  core::parallel_for(query_rows.size(), threads, [&](size_t i) {
    const double* qn = q_num.data() + i * nn;
    const uint32_t* qc = q_cat.data() + i * nc;
    double best = std::numeric_limits<double>::infinity();
    for (size_t r = 0; r < ref_rows.size() && best > 0; ++r) {
      const uint32_t* tc = t_cat.data() + r * nc;
      double d = 0;
      for (size_t j = 0; j < nc && d < best; ++j) d += qc[j] != tc[j];
      if (d >= best) continue;
      const double* tn = t_num.data() + r * nn;
      for (size_t j = 0; j < nn && d < best; ++j) {
        bool mq = std::isnan(qn[j]), mt = std::isnan(tn[j]);
        double diff = (mq || mt) ? (mq == mt ? 0.0 : 1.0) : qn[j] - tn[j];
        d += diff * diff;
      }
      best = std::min(best, d);
    }
    out[i] = std::sqrt(best);
  });
  return out;
}

std::vector<double> distances_to_closest(const Preprocessor& pre, const PreparedTable& train,
                                         const PreparedTable& queries, size_t max_queries,
                                         uint64_t seed, int threads) {
  const DistanceSpace space(pre, train);
  std::vector<double> out = space.nearest(train, all_rows(train.rows), queries,
                                          sample_indices(queries.rows, max_queries, seed), threads);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace meg::eval
