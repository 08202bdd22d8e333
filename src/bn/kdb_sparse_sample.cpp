// KdbModel::sample_sparse: the rows of KdbModel::sample drawn a feature at a time, with
// alias tables for the blocks the rows reach only (kdb_model.hpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "bn/count_store.hpp"
#include "bn/kdb_model.hpp"
#include "core/rng.hpp"

namespace meg::bn {

void KdbModel::sample_sparse(size_t n, uint64_t seed, data::Code* out) const {
  if (n == 0) return;
  const size_t num_cols = this->num_cols(), d = layout_.num_features(), per_row = d + 1;
  const size_t class_col = structure_.class_col;
  // Every draw takes one random number: the class's, then the features' in layout order,
  // from the stream of the row's block of kBlockRows rows (as sample_rows takes them).
  std::vector<uint64_t> u(n * per_row);
  for (size_t b = 0; b * kBlockRows < n; ++b) {
    core::Rng rng(core::derive_seed(seed, {class_col, b}));
    const size_t end = std::min(n, (b + 1) * kBlockRows) * per_row;
    for (size_t i = b * kBlockRows * per_row; i < end; ++i) u[i] = rng.next();
  }
  const AliasTables prior = prior_table(false);
  for (size_t row = 0; row < n; ++row) {
    out[row * num_cols + class_col] = prior.draw_with(u[row * per_row], 0, num_classes());
  }
  // Per feature: the block each row draws from, and the tables of those blocks only, each
  // built from exp(log theta) of its cells as build_sampler builds it (the same entries).
  constexpr size_t kNone = std::numeric_limits<size_t>::max();
  std::vector<size_t> base(blocks_.num_blocks(), kNone), block(n), touched;
  std::vector<double> p;
  const bool from_logp = logp_.ready() || !counts_;
  std::optional<CountSmoother> smoother;
  if (!from_logp) smoother.emplace(layout_, blocks_, *counts_);
  for (size_t f = 0; f < d; ++f) {
    const FeatureLayout& fl = layout_.feature(f);
    size_t cells = 0;
    for (size_t row = 0; row < n; ++row) {
      const data::Code* codes = out + row * num_cols;
      auto code_at = [&](uint32_t col) { return codes[col]; };
      const int32_t g = layout_.lookup_row(f, code_at);
      const auto b = static_cast<size_t>(block_of(g, codes[class_col]));
      block[row] = b;
      if (base[b] == kNone) {
        base[b] = cells;
        cells += blocks_.block_size(b);
        touched.push_back(b);
      }
    }
    AliasTables table(cells);
    auto add_block = [&](size_t b, auto&& log_theta) {
      const uint32_t r = blocks_.block_size(b);
      p.resize(r);
      for (uint32_t v = 0; v < r; ++v) p[v] = std::exp(log_theta(v));
      table.set(base[b], p.data(), r);
    };
    if (from_logp) {
      const std::vector<double>& lp = logp();
      for (size_t b : touched) add_block(b, [&](uint32_t v) { return lp[blocks_.offset(b) + v]; });
    } else {
      smoother->smooth_feature(f, [&](size_t b, const double* q) {
        if (base[b] != kNone) add_block(b, [&](uint32_t v) { return std::log(q[v]); });
      });
    }
    for (size_t row = 0; row < n; ++row) {
      out[row * num_cols + fl.column] =
          table.draw_with(u[row * per_row + 1 + f], base[block[row]], fl.card);
    }
    for (size_t b : touched) base[b] = kNone;
    touched.clear();
  }
}

}  // namespace meg::bn
