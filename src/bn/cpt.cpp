#include "bn/cpt.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/rng.hpp"
#include "meg/error.hpp"

namespace meg::bn {
namespace {

inline uint64_t block_key(int32_t g, uint32_t c) {
  return (static_cast<uint64_t>(g) << 32) | c;
}

// The stored blocks of one feature, (group, class) keys in ascending order, with the
// counts n(x, block) and, after smooth_feature(), the probabilities P(x | block). A
// dense (local group, class) -> block table makes lookups O(levels): it has one entry
// per observed configuration and class, far fewer than the cells.
struct FeatureBlocks {
  std::vector<uint64_t> keys;
  std::vector<double> counts;  // keys.size() * r
  std::vector<double> prob;    // keys.size() * r
  // (local group * C + c) -> block, or -1: dense when small, else a hash map (many
  // configurations times a high-cardinality class).
  std::vector<int32_t> table;
  std::unordered_map<uint64_t, int32_t> sparse;
  std::vector<int32_t> level_first, level_local;  // per level: first global group, local offset
  std::vector<uint32_t> level_size;
  uint32_t num_classes = 0;

  int32_t local(int32_t g) const {
    for (size_t j = 0; j < level_first.size(); ++j) {
      const int32_t i = g - level_first[j];
      if (i >= 0 && static_cast<uint32_t>(i) < level_size[j]) return level_local[j] + i;
    }
    return -1;
  }
  int32_t get(uint64_t cell) const {
    if (!table.empty()) return table[cell];
    auto it = sparse.find(cell);
    return it == sparse.end() ? -1 : it->second;
  }
  void set(uint64_t cell, int32_t b) {
    if (!table.empty()) table[cell] = b; else sparse[cell] = b;
  }
  int32_t find(int32_t g, uint32_t c) const {
    return get(static_cast<uint64_t>(local(g)) * num_classes + c);
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
  out.num_classes = num_classes;
  // Levels in ascending global group order, so blocks come out sorted by (group, class).
  std::vector<size_t> by_group(levels);
  for (size_t j = 0; j < levels; ++j) by_group[j] = j;
  std::sort(by_group.begin(), by_group.end(), [&](size_t a, size_t b) {
    return fl.levels[a].first_group() < fl.levels[b].first_group();
  });
  int32_t local = 0;
  for (size_t j : by_group) {
    out.level_first.push_back(fl.levels[j].first_group());
    out.level_local.push_back(local);
    out.level_size.push_back(static_cast<uint32_t>(fl.levels[j].size()));
    local += static_cast<int32_t>(fl.levels[j].size());
  }
  const uint64_t cells = static_cast<uint64_t>(local) * num_classes;
  if (cells <= std::max<uint64_t>(uint64_t{1} << 20, 4 * data.num_rows() * levels)) {
    out.table.assign(cells, -1);
  }
  std::vector<uint64_t> row_cells;  // kept rows x levels: local group * C + class
  std::vector<uint32_t> kept;
  for (size_t row = 0; row < data.num_rows(); ++row) {
    if (!keep(row)) continue;
    auto code_at = [&](uint32_t col) { return data.columns[col][row]; };
    const uint64_t full = layout.full_config(f, code_at);
    kept.push_back(static_cast<uint32_t>(row));
    for (size_t j = 0; j < levels; ++j) {
      const int32_t g = layout.group_at_level(f, j, full);
      if (g < 0) throw InvalidArgument("kdb: a counted row is not in the layout");
      const uint64_t cell = static_cast<uint64_t>(out.local(g)) * num_classes + y[row];
      row_cells.push_back(cell);
      out.set(cell, 0);
    }
  }
  const int32_t l0 = out.local(fl.levels[0].first_group());
  for (uint32_t c = 0; c < num_classes; ++c) out.set(static_cast<uint64_t>(l0) * num_classes + c, 0);
  if (!out.table.empty()) {
    for (size_t i = 0; i < out.level_first.size(); ++i) {
      for (uint32_t k = 0; k < out.level_size[i]; ++k) {
        const size_t base = static_cast<size_t>(out.level_local[i] + static_cast<int32_t>(k)) * num_classes;
        for (uint32_t c = 0; c < num_classes; ++c) {
          if (out.table[base + c] < 0) continue;
          out.table[base + c] = static_cast<int32_t>(out.keys.size());
          out.keys.push_back(block_key(out.level_first[i] + static_cast<int32_t>(k), c));
        }
      }
    }
  } else {
    // Local order follows global group order, so sorted cells give sorted keys.
    std::vector<uint64_t> sorted;
    sorted.reserve(out.sparse.size());
    for (const auto& kv : out.sparse) sorted.push_back(kv.first);
    std::sort(sorted.begin(), sorted.end());
    for (uint64_t cell : sorted) {
      const auto lg = static_cast<int32_t>(cell / num_classes);
      size_t i = 0;
      while (lg >= out.level_local[i] + static_cast<int32_t>(out.level_size[i])) ++i;
      out.sparse[cell] = static_cast<int32_t>(out.keys.size());
      out.keys.push_back(block_key(out.level_first[i] + lg - out.level_local[i],
                                   static_cast<uint32_t>(cell % num_classes)));
    }
  }
  out.counts.assign(out.keys.size() * card, 0.0);
  for (size_t i = 0; i < kept.size(); ++i) {
    for (size_t j = 0; j < levels; ++j) {
      const int32_t b = out.get(row_cells[i * levels + j]);
      out.counts[static_cast<size_t>(b) * card + x[kept[i]]] += 1.0;
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
