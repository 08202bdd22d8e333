#include "eval/features.hpp"

#include <algorithm>
#include <cmath>

namespace meg::eval {

std::vector<size_t> kept_levels(const std::vector<size_t>& levels, const EncoderLimits& limits) {
  auto slots = [&](size_t cap) {
    size_t total = 0;
    for (size_t l : levels) total += std::min(l, cap);
    return total;
  };
  // The largest per-column cap in [1, max_levels_per_column] whose slots fit the total.
  size_t lo = 1, hi = std::max<size_t>(limits.max_levels_per_column, 1);
  while (lo < hi) {
    const size_t mid = lo + (hi - lo + 1) / 2;
    if (slots(mid) <= limits.max_onehot_features) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  std::vector<size_t> out;
  for (size_t l : levels) out.push_back(std::min(l, lo));
  return out;
}

FeatureEncoder::FeatureEncoder(const Preprocessor& pre, const PreparedTable& train, int exclude,
                               const EncoderLimits& limits)
    : pre_(pre) {
  std::vector<size_t> level_counts;
  for (size_t c = 0; c < train.columns.size(); ++c) {
    if (static_cast<int>(c) != exclude && train.columns[c].kind == Kind::Categorical) {
      level_counts.push_back(pre.levels(c).size());
    }
  }
  const std::vector<size_t> kept = kept_levels(level_counts, limits);
  size_t next_categorical = 0;
  for (size_t c = 0; c < train.columns.size(); ++c) {
    if (static_cast<int>(c) == exclude) continue;
    const PreparedColumn& col = train.columns[c];
    Block b{c, width_, col.kind == Kind::Categorical, 0, 0, false, 0.0, 1.0};
    if (b.categorical) {
      b.num_levels = static_cast<uint32_t>(pre.levels(c).size());
      b.kept = static_cast<uint32_t>(kept[next_categorical++]);
      uint32_t missing = pre.missing_code(c);
      for (uint32_t code : col.codes) b.missing_slot |= code == missing;
      width_ += b.kept + (b.kept < b.num_levels ? 1 : 0) + (b.missing_slot ? 1 : 0);
    } else {
      double sum = 0, sum2 = 0;
      size_t n = 0;
      for (double v : col.values) {
        if (is_missing(v)) {
          b.missing_slot = true;
          continue;
        }
        sum += v;
        ++n;
      }
      b.mean = n ? sum / static_cast<double>(n) : 0.0;
      for (double v : col.values) {
        if (!is_missing(v)) sum2 += (v - b.mean) * (v - b.mean);
      }
      double sd = n > 1 ? std::sqrt(sum2 / static_cast<double>(n - 1)) : 0.0;
      b.scale = sd > 0 ? 1.0 / sd : 1.0;
      width_ += 1 + (b.missing_slot ? 1 : 0);
    }
    blocks_.push_back(b);
  }
}

void FeatureEncoder::encode_row(const PreparedTable& t, size_t r, Matrix& out) const {
  // Blocks are in column order and each pushes its entries in slot order: the row's
  // entries come out sorted.
  for (const Block& b : blocks_) {
    const PreparedColumn& col = t.columns[b.column];
    const auto at = [&](size_t slot) { return static_cast<uint32_t>(b.offset + slot); };
    if (b.categorical) {
      // Slots: kept levels, then "other" (when levels were cut), then "missing".
      const uint32_t code = col.codes[r];
      const bool capped = b.kept < b.num_levels;
      if (code < b.kept) {
        out.push(at(code), 1.0f);
      } else if (code == b.num_levels) {
        if (b.missing_slot) out.push(at(b.kept + (capped ? 1 : 0)), 1.0f);
      } else if (capped) {
        out.push(at(b.kept), 1.0f);  // a cut level, or one train never had
      }
    } else {
      // The value is always an entry (0 = the train mean for a missing cell), so trees
      // see a number, never "missing", in a numeric column, as with a dense matrix.
      const double v = col.values[r];
      if (is_missing(v)) {
        out.push(at(0), 0.0f);
        if (b.missing_slot) out.push(at(1), 1.0f);
      } else {
        out.push(at(0), static_cast<float>((v - b.mean) * b.scale));
      }
    }
  }
  out.end_row();
}

Matrix FeatureEncoder::encode(const PreparedTable& t, const std::vector<size_t>* rows) const {
  Matrix m;
  m.cols = width_;
  const size_t n = rows ? rows->size() : t.rows;
  m.start.reserve(n + 1);
  m.index.reserve(n * blocks_.size());
  m.value.reserve(n * blocks_.size());
  for (size_t i = 0; i < n; ++i) encode_row(t, rows ? (*rows)[i] : i, m);
  return m;
}

void Matrix::append_row(const Matrix& other, size_t r) {
  index.insert(index.end(), other.index.begin() + static_cast<long>(other.begin(r)),
               other.index.begin() + static_cast<long>(other.end(r)));
  value.insert(value.end(), other.value.begin() + static_cast<long>(other.begin(r)),
               other.value.begin() + static_cast<long>(other.end(r)));
  end_row();
}

Matrix Matrix::from_dense(size_t rows, size_t cols, const std::vector<float>& dense) {
  Matrix m;
  m.cols = cols;
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cols; ++c) m.push(static_cast<uint32_t>(c), dense[r * cols + c]);
    m.end_row();
  }
  return m;
}

LabeledData FeatureEncoder::encode_labeled(const PreparedTable& t, int target) const {
  const auto& codes = t.columns[static_cast<size_t>(target)].codes;
  const auto num_classes = static_cast<uint32_t>(pre_.levels(static_cast<size_t>(target)).size());
  std::vector<size_t> keep;
  LabeledData out;
  keep.reserve(t.rows);
  for (size_t r = 0; r < t.rows; ++r) {
    if (codes[r] < num_classes) {
      keep.push_back(r);
      out.y.push_back(static_cast<int>(codes[r]));
    }
  }
  out.dropped = t.rows - keep.size();
  out.x = encode(t, &keep);
  return out;
}

LabeledData FeatureEncoder::encode_valued(const PreparedTable& t, int target) const {
  const auto& values = t.columns[static_cast<size_t>(target)].values;
  std::vector<size_t> keep;
  LabeledData out;
  keep.reserve(t.rows);
  for (size_t r = 0; r < t.rows; ++r) {
    if (!is_missing(values[r])) {
      keep.push_back(r);
      out.value.push_back(values[r]);
    }
  }
  out.dropped = t.rows - keep.size();
  out.x = encode(t, &keep);
  return out;
}

}  // namespace meg::eval
