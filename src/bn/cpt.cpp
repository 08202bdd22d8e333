#include "bn/cpt.hpp"

#include <algorithm>
#include <cmath>

#include "core/rng.hpp"
#include "meg/error.hpp"

namespace meg::bn {
namespace {

inline uint64_t block_key(int32_t g, uint32_t c) {
  return (static_cast<uint64_t>(g) << 32) | c;
}

// The stored blocks of one feature, (group, class) keys in ascending order, with the
// counts n(x, block) and, after smooth(), the probabilities P(x | block).
struct FeatureBlocks {
  std::vector<uint64_t> keys;
  std::vector<double> counts;  // keys.size() * r
  std::vector<double> prob;    // keys.size() * r

  int32_t find(int32_t g, uint32_t c) const {
    auto it = std::lower_bound(keys.begin(), keys.end(), block_key(g, c));
    return it != keys.end() && *it == block_key(g, c) ? static_cast<int32_t>(it - keys.begin())
                                                      : -1;
  }
  int32_t resolve(const KdbLayout& layout, int32_t g, uint32_t c) const {
    int32_t b;
    while ((b = find(g, c)) < 0) g = layout.parent_group(static_cast<size_t>(g));
    return b;
  }
};

// Counts feature f over the rows where keep(row): a block for every (group, class) seen
// at any level, plus every class of the level-0 group.
template <class Keep>
FeatureBlocks count_feature(const KdbLayout& layout, size_t f, const data::EncodedDataset& data,
                            Keep&& keep) {
  const FeatureLayout& fl = layout.feature(f);
  const uint32_t num_classes = layout.num_classes();
  const uint32_t card = fl.card;
  const size_t levels = fl.levels.size();
  const auto& y = data.columns[layout.class_col()];
  const auto& x = data.columns[fl.column];
  FeatureBlocks out;
  std::vector<int32_t> row_groups;  // kept rows x levels
  std::vector<uint32_t> kept;
  for (size_t row = 0; row < data.num_rows(); ++row) {
    if (!keep(row)) continue;
    auto code_at = [&](uint32_t col) { return data.columns[col][row]; };
    const uint64_t full = layout.full_config(f, code_at);
    kept.push_back(static_cast<uint32_t>(row));
    for (size_t j = 0; j < levels; ++j) {
      const int32_t g = layout.group_at_level(f, j, full);
      if (g < 0) throw InvalidArgument("kdb: a counted row is not in the layout");
      row_groups.push_back(g);
      out.keys.push_back(block_key(g, y[row]));
    }
  }
  const int32_t g0 = fl.levels[0].first_group();
  for (uint32_t c = 0; c < num_classes; ++c) out.keys.push_back(block_key(g0, c));
  std::sort(out.keys.begin(), out.keys.end());
  out.keys.erase(std::unique(out.keys.begin(), out.keys.end()), out.keys.end());
  out.counts.assign(out.keys.size() * card, 0.0);
  for (size_t i = 0; i < kept.size(); ++i) {
    const uint32_t row = kept[i];
    for (size_t j = 0; j < levels; ++j) {
      const int32_t b = out.find(row_groups[i * levels + j], y[row]);
      out.counts[static_cast<size_t>(b) * card + x[row]] += 1.0;
    }
  }
  return out;
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

// Probabilities of every stored block of feature f, level by level (parents first).
void smooth_feature(const KdbLayout& layout, size_t f, double m, const SmoothingSpec& spec,
                    FeatureBlocks& fb) {
  const FeatureLayout& fl = layout.feature(f);
  const uint32_t card = fl.card;
  fb.prob.assign(fb.counts.size(), 0.0);
  for (size_t j = 0; j < fl.levels.size(); ++j) {
    const ConfigMap& level = fl.levels[j];
    const int32_t first = level.first_group();
    auto it = std::lower_bound(fb.keys.begin(), fb.keys.end(), block_key(first, 0));
    const auto end_key = block_key(first + static_cast<int32_t>(level.size()), 0);
    for (; it != fb.keys.end() && *it < end_key; ++it) {
      const auto b = static_cast<size_t>(it - fb.keys.begin());
      const auto g = static_cast<int32_t>(*it >> 32);
      const auto c = static_cast<uint32_t>(*it & 0xffffffffu);
      const double* pb = nullptr;
      if (j > 0) {
        const int32_t below = fb.resolve(layout, layout.parent_group(static_cast<size_t>(g)), c);
        pb = &fb.prob[static_cast<size_t>(below) * card];
      }
      const double* n = &fb.counts[b * card];
      double total = 0.0;
      for (uint32_t v = 0; v < card; ++v) total += n[v];
      double* p = &fb.prob[b * card];
      for (uint32_t v = 0; v < card; ++v) {
        p[v] = smooth(n[v], total, pb ? pb[v] : 0.0, m, card, spec, j == 0);
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
  const size_t d = layout.num_features();
  CountedParameters out;
  out.m.assign(d, spec.m);

  std::vector<char> held_out;
  const bool choose_m = spec.kind == Smoothing::Hierarchical && spec.m == 0.0;
  if (choose_m) {
    held_out.resize(n);
    for (size_t row = 0; row < n; ++row) {
      held_out[row] = core::mix64(core::derive_seed(spec.seed, {row})) % 5 == 0;
    }
  }
  const auto& y = data.columns[layout.class_col()];
  std::vector<FeatureBlocks> features(d);
  for (size_t f = 0; f < d; ++f) {
    const FeatureLayout& fl = layout.feature(f);
    if (choose_m && !fl.parents.empty()) {
      // Score the grid on the held-out rows with counts of the others.
      FeatureBlocks train = count_feature(layout, f, data, [&](size_t row) { return !held_out[row]; });
      double best_ll = -INFINITY;
      for (double m : smoothing_grid()) {
        smooth_feature(layout, f, m, spec, train);
        double ll = 0.0;
        for (size_t row = 0; row < n; ++row) {
          if (!held_out[row]) continue;
          auto code_at = [&](uint32_t col) { return data.columns[col][row]; };
          const int32_t g = layout.lookup(f, layout.full_config(f, code_at));
          const int32_t b = train.resolve(layout, g, y[row]);
          ll += std::log(train.prob[static_cast<size_t>(b) * fl.card + data.columns[fl.column][row]]);
        }
        if (ll > best_ll) {
          best_ll = ll;
          out.m[f] = m;
        }
      }
    } else if (choose_m) {
      out.m[f] = 0.0;  // no parents: level 0 only, m unused
    }
    features[f] = count_feature(layout, f, data, [](size_t) { return true; });
  }

  // Assemble the unit's blocks in group order (the features' groups are disjoint).
  std::vector<uint32_t> counts(layout.num_groups(), 0);
  size_t total_blocks = 0;
  for (const FeatureBlocks& fb : features) {
    for (uint64_t key : fb.keys) ++counts[key >> 32];
    total_blocks += fb.keys.size();
  }
  std::vector<uint32_t> cursor(layout.num_groups() + 1, 0);
  for (size_t g = 0; g < layout.num_groups(); ++g) cursor[g + 1] = cursor[g] + counts[g];
  std::vector<uint32_t> classes(total_blocks);
  for (const FeatureBlocks& fb : features) {
    for (uint64_t key : fb.keys) classes[cursor[key >> 32]++] = static_cast<uint32_t>(key);
  }
  out.blocks = ClassBlocks(layout, counts, std::move(classes));
  // Sparse counts in block order.
  CountStore& store = out.counts;
  store.kind = spec.kind;
  store.alpha = spec.alpha;
  store.m = out.m;
  store.nnz.assign(out.blocks.num_blocks(), 0);
  for (const FeatureBlocks& fb : features) {
    for (size_t i = 0; i < fb.keys.size(); ++i) {
      const auto b = static_cast<size_t>(out.blocks.find(fb.keys[i] >> 32,
                                                         static_cast<uint32_t>(fb.keys[i])));
      const uint32_t r = out.blocks.block_size(b);
      for (uint32_t v = 0; v < r; ++v) store.nnz[b] += fb.counts[i * r + v] > 0;
    }
  }
  std::vector<size_t> entry(out.blocks.num_blocks() + 1, 0);
  for (size_t b = 0; b < out.blocks.num_blocks(); ++b) entry[b + 1] = entry[b] + store.nnz[b];
  store.values.resize(entry.back());
  store.counts.resize(entry.back());
  for (FeatureBlocks& fb : features) {
    for (size_t i = 0; i < fb.keys.size(); ++i) {
      const auto b = static_cast<size_t>(out.blocks.find(fb.keys[i] >> 32,
                                                         static_cast<uint32_t>(fb.keys[i])));
      const uint32_t r = out.blocks.block_size(b);
      size_t e = entry[b];
      for (uint32_t v = 0; v < r; ++v) {
        if (fb.counts[i * r + v] > 0) {
          store.values[e] = v;
          store.counts[e++] = static_cast<uint32_t>(fb.counts[i * r + v]);
        }
      }
    }
    fb = {};
  }
  out.logp = smooth_counts(layout, out.blocks, store);

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
