#include "bn/cpt.hpp"

#include <cmath>

#include "core/rng.hpp"
#include "meg/error.hpp"

namespace meg::bn {
namespace {

// Counts n(slot, c) of one feature at every level, for the rows where keep(row).
template <class Keep>
void count_feature(const KdbLayout& layout, size_t f, const data::EncodedDataset& data,
                   Keep&& keep, std::vector<double>& counts) {
  const FeatureLayout& fl = layout.feature(f);
  const uint32_t num_classes = layout.num_classes();
  const auto& y = data.columns[layout.class_col()];
  const auto& x = data.columns[fl.column];
  for (size_t row = 0; row < data.num_rows(); ++row) {
    if (!keep(row)) continue;
    auto code_at = [&](uint32_t col) { return data.columns[col][row]; };
    const uint64_t full = layout.full_config(f, code_at);
    for (size_t j = 0; j < fl.levels.size(); ++j) {
      int32_t g = layout.group_at_level(f, j, full);
      if (g < 0) continue;
      counts[(size_t{layout.group_offset(g)} + x[row]) * num_classes + y[row]] += 1.0;
    }
  }
}

// Smoothed probability of value x at level j given counts; prob_below = P_{j-1}(x).
inline double smooth(double n_x, double n_total, double prob_below, double m, uint32_t card,
                     const SmoothingSpec& spec, bool level0) {
  if (level0) return (n_x + spec.alpha) / (n_total + spec.alpha * card);
  if (spec.kind == Smoothing::Laplace) {
    return n_total > 0 ? (n_x + spec.alpha) / (n_total + spec.alpha * card) : prob_below;
  }
  return (n_x + m * prob_below) / (n_total + m);
}

// Writes probabilities (not logs) of every group of feature f into prob.
void smooth_feature(const KdbLayout& layout, size_t f, const std::vector<double>& counts,
                    double m, const SmoothingSpec& spec, std::vector<double>& prob) {
  const FeatureLayout& fl = layout.feature(f);
  const uint32_t num_classes = layout.num_classes();
  const uint32_t card = fl.card;
  for (size_t j = 0; j < fl.levels.size(); ++j) {
    const ConfigMap& level = fl.levels[j];
    for (size_t i = 0; i < level.size(); ++i) {
      const int32_t g = level.first_group() + static_cast<int32_t>(i);
      const size_t base = size_t{layout.group_offset(g)} * num_classes;
      size_t below = 0;
      if (j > 0) {
        const uint64_t key_below = level.keys()[i] / (fl.divisor[j - 1] / fl.divisor[j]);
        int32_t gb = fl.levels[j - 1].find(key_below);
        if (gb < 0) throw InvalidArgument("kdb: back-off configuration missing");
        below = size_t{layout.group_offset(gb)} * num_classes;
      }
      for (uint32_t c = 0; c < num_classes; ++c) {
        double total = 0.0;
        for (uint32_t v = 0; v < card; ++v) total += counts[base + v * num_classes + c];
        for (uint32_t v = 0; v < card; ++v) {
          const double pb = j > 0 ? prob[below + v * num_classes + c] : 0.0;
          prob[base + v * num_classes + c] =
              smooth(counts[base + v * num_classes + c], total, pb, m, card, spec, j == 0);
        }
      }
    }
  }
}

}  // namespace

const std::vector<double>& smoothing_grid() {
  static const std::vector<double> grid = {0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256};
  return grid;
}

CountedParameters fit_counts(const KdbLayout& layout, const data::EncodedDataset& data,
                             const SmoothingSpec& spec) {
  if (spec.alpha <= 0) throw InvalidArgument("laplace_alpha must be > 0");
  if (spec.m < 0) throw InvalidArgument("smoothing_m must be >= 0");
  const size_t n = data.num_rows();
  const uint32_t num_classes = layout.num_classes();
  const size_t cells = layout.total_slots() * num_classes;
  CountedParameters out;
  out.logp.assign(cells, 0.0);
  out.m.assign(layout.num_features(), spec.m);

  std::vector<char> held_out(n, 0);
  const bool choose_m = spec.kind == Smoothing::Hierarchical && spec.m == 0.0;
  if (choose_m) {
    for (size_t row = 0; row < n; ++row) {
      held_out[row] = core::mix64(core::derive_seed(spec.seed, {row})) % 5 == 0;
    }
  }
  const auto& y = data.columns[layout.class_col()];
  std::vector<double> counts(cells, 0.0), prob(cells, 0.0);
  for (size_t f = 0; f < layout.num_features(); ++f) {
    const FeatureLayout& fl = layout.feature(f);
    if (choose_m && !fl.parents.empty()) {
      // Score the grid on the held-out rows with counts of the others.
      count_feature(layout, f, data, [&](size_t row) { return !held_out[row]; }, counts);
      double best_ll = -INFINITY;
      for (double m : smoothing_grid()) {
        smooth_feature(layout, f, counts, m, spec, prob);
        double ll = 0.0;
        for (size_t row = 0; row < n; ++row) {
          if (!held_out[row]) continue;
          auto code_at = [&](uint32_t col) { return data.columns[col][row]; };
          int32_t g = layout.lookup(f, layout.full_config(f, code_at));
          ll += std::log(prob[(size_t{layout.group_offset(g)} + data.columns[fl.column][row]) *
                                  num_classes + y[row]]);
        }
        if (ll > best_ll) {
          best_ll = ll;
          out.m[f] = m;
        }
      }
      // Reset this feature's counts before counting all rows.
      for (size_t j = 0; j < fl.levels.size(); ++j) {
        for (size_t i = 0; i < fl.levels[j].size(); ++i) {
          const size_t base = layout.group_offset(fl.levels[j].first_group() + i);
          std::fill(counts.begin() + static_cast<long>(base * num_classes),
                    counts.begin() + static_cast<long>((base + fl.card) * num_classes), 0.0);
        }
      }
    } else if (choose_m) {
      out.m[f] = 0.0;  // no parents: level 0 only, m unused
    }
    count_feature(layout, f, data, [](size_t) { return true; }, counts);
    smooth_feature(layout, f, counts, out.m[f], spec, prob);
  }
  for (size_t i = 0; i < cells; ++i) out.logp[i] = std::log(prob[i]);

  std::vector<double> class_counts(num_classes, 0.0);
  for (size_t row = 0; row < n; ++row) class_counts[y[row]] += 1.0;
  out.log_prior.resize(num_classes);
  for (uint32_t c = 0; c < num_classes; ++c) {
    out.log_prior[c] = std::log((class_counts[c] + spec.alpha) /
                                (static_cast<double>(n) + spec.alpha * num_classes));
  }
  return out;
}

}  // namespace meg::bn
