#include "bn/cpt.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "bn/row_keys.hpp"
#include "core/rng.hpp"
#include "meg/error.hpp"

namespace meg::bn {
namespace {

inline uint64_t block_key(int32_t g, uint32_t c) { return (static_cast<uint64_t>(g) << 32) | c; }

// Column c's codes over the view's rows.
std::vector<uint32_t> column_codes(const data::DatasetView& data, size_t c) {
  std::vector<uint32_t> out(data.num_rows()), scratch;
  for (size_t begin = 0; begin < out.size(); begin += kKeyBlockRows) {
    const size_t end = std::min(out.size(), begin + kKeyBlockRows);
    gather_codes(data, c, begin, end, scratch, &out[begin]);
  }
  return out;
}

// Feature f's full parent configuration for every row of the view.
std::vector<uint64_t> full_configs(const KdbLayout& layout, size_t f,
                                   const data::DatasetView& data) {
  const FeatureLayout& fl = layout.feature(f);
  std::vector<uint64_t> radix;
  for (uint32_t p : fl.parents) radix.push_back(data.cardinality()[p]);
  std::vector<uint64_t> out(data.num_rows());
  for_each_key_block(data, fl.parents, radix, [&](size_t begin, std::span<const uint64_t> keys) {
    std::copy(keys.begin(), keys.end(), out.begin() + static_cast<long>(begin));
  });
  return out;
}

// The stored blocks of one feature, (group, class) keys in ascending order, with the
// counts n(x, block). A dense (local group, class) -> block table makes lookups
// O(levels): it has one entry per observed configuration and class, far fewer than
// the cells.
struct FeatureBlocks {
  std::vector<uint64_t> keys;
  std::vector<uint32_t> counts;  // keys.size() * r
  std::vector<uint32_t> held;    // keys.size() * r, the held-out rows' share (if asked)
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
    if (!table.empty())
      table[cell] = b;
    else
      sparse[cell] = b;
  }
  int32_t find(int32_t g, uint32_t c) const {
    return get(static_cast<uint64_t>(local(g)) * num_classes + c);
  }
};

// Counts feature f over every row: a block for every (group, class) seen at any level,
// plus every class of the level-0 group. With held_out, also the counts of those rows.
FeatureBlocks count_feature(const KdbLayout& layout, size_t f, const data::DatasetView& data,
                            const std::vector<char>* held_out) {
  const FeatureLayout& fl = layout.feature(f);
  const uint32_t num_classes = layout.num_classes();
  const uint32_t card = fl.card;
  const size_t levels = fl.levels.size();
  const std::vector<uint32_t> y = column_codes(data, layout.class_col());
  const std::vector<uint32_t> x = column_codes(data, fl.column);
  const std::vector<uint64_t> configs = full_configs(layout, f, data);
  FeatureBlocks out;
  out.num_classes = num_classes;
  // Levels in ascending global group order, so blocks come out sorted by (group, class).
  std::vector<size_t> by_group(levels);
  for (size_t j = 0; j < levels; ++j) by_group[j] = j;
  std::sort(by_group.begin(), by_group.end(), [&](size_t a, size_t b) {
    return fl.levels[a].first_group() < fl.levels[b].first_group();
  });
  int32_t local = 0;
  std::vector<int32_t> level_shift(levels);  // local group = global group + shift, per level
  for (size_t j : by_group) {
    out.level_first.push_back(fl.levels[j].first_group());
    out.level_local.push_back(local);
    out.level_size.push_back(static_cast<uint32_t>(fl.levels[j].size()));
    level_shift[j] = local - fl.levels[j].first_group();
    local += static_cast<int32_t>(fl.levels[j].size());
  }
  const uint64_t cells = static_cast<uint64_t>(local) * num_classes;
  if (cells <= std::max<uint64_t>(uint64_t{1} << 20, 4 * data.num_rows() * levels)) {
    out.table.assign(cells, -1);
  }
  const size_t n = data.num_rows();
  std::vector<uint64_t> row_cells(n * levels);  // rows x levels: local group * C + class
  for (size_t row = 0; row < n; ++row) {
    const uint64_t full = configs[row];
    for (size_t j = 0; j < levels; ++j) {
      const int32_t g = layout.group_at_level(f, j, full);
      if (g < 0) throw InvalidArgument("kdb: a counted row is not in the layout");
      const uint64_t cell = static_cast<uint64_t>(g + level_shift[j]) * num_classes + y[row];
      row_cells[row * levels + j] = cell;
      out.set(cell, 0);
    }
  }
  const int32_t l0 = out.local(fl.levels[0].first_group());
  for (uint32_t c = 0; c < num_classes; ++c)
    out.set(static_cast<uint64_t>(l0) * num_classes + c, 0);
  if (!out.table.empty()) {
    for (size_t i = 0; i < out.level_first.size(); ++i) {
      for (uint32_t k = 0; k < out.level_size[i]; ++k) {
        const size_t base =
            static_cast<size_t>(out.level_local[i] + static_cast<int32_t>(k)) * num_classes;
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
  out.counts.assign(out.keys.size() * card, 0);
  if (held_out) out.held.assign(out.counts.size(), 0);
  for (size_t row = 0; row < n; ++row) {
    const bool held = held_out && (*held_out)[row];
    for (size_t j = 0; j < levels; ++j) {
      const size_t cell = static_cast<size_t>(out.get(row_cells[row * levels + j])) * card + x[row];
      ++out.counts[cell];
      if (held) ++out.held[cell];
    }
  }
  return out;
}

// Chooses feature f's hierarchical strength m from the grid: the counts of the rows
// outside `held_out` score every m by the log-likelihood of the held-out rows. With those
// counts a (configuration, class) above level 0 is stored only if one of those rows has
// it, else it backs off. A row's probability needs only its own value along its back-off
// chain, so each row is reduced once to (n(x, block), n(block)) per level, bottom first,
// and every m is a recursion over those pairs: P_0 = (n + alpha) / (N + alpha r),
// P_j = (n + m P_{j-1}) / (N + m).
double held_out_strength(const KdbLayout& layout, size_t f, const data::DatasetView& data,
                         const std::vector<char>& held_out, const FeatureBlocks& fb,
                         const SmoothingSpec& spec) {
  const FeatureLayout& fl = layout.feature(f);
  const uint32_t card = fl.card;
  auto train_count = [&](size_t b, uint32_t v) {
    return fb.counts[b * card + v] - fb.held[b * card + v];
  };
  std::vector<double> totals(fb.keys.size(), 0.0);
  for (size_t b = 0; b < totals.size(); ++b) {
    for (uint32_t v = 0; v < card; ++v) totals[b] += train_count(b, v);
  }
  const std::vector<uint32_t> y = column_codes(data, layout.class_col());
  const std::vector<uint32_t> x = column_codes(data, fl.column);
  const std::vector<uint64_t> configs = full_configs(layout, f, data);
  const int32_t g0 = fl.levels[0].first_group();
  std::vector<double> chain_n, chain_total;  // per held-out row: its levels, bottom first
  std::vector<size_t> chain_begin{0};
  std::vector<int32_t> path;
  for (size_t row = 0; row < data.num_rows(); ++row) {
    if (!held_out[row]) continue;
    int32_t g = layout.lookup(f, configs[row]);
    path.clear();
    while (true) {
      const int32_t b = fb.find(g, y[row]);
      if (b >= 0 && (g == g0 || totals[static_cast<size_t>(b)] > 0)) path.push_back(b);
      if (g == g0) break;
      g = layout.parent_group(static_cast<size_t>(g));
    }
    for (size_t i = path.size(); i-- > 0;) {
      const auto b = static_cast<size_t>(path[i]);
      chain_n.push_back(train_count(b, x[row]));
      chain_total.push_back(totals[b]);
    }
    chain_begin.push_back(chain_n.size());
  }
  double best_m = 0.0, best_ll = -INFINITY;
  for (double m : smoothing_grid()) {
    double ll = 0.0;
    for (size_t i = 0; i + 1 < chain_begin.size(); ++i) {
      size_t e = chain_begin[i];
      double p = (chain_n[e] + spec.alpha) / (chain_total[e] + spec.alpha * card);
      for (++e; e < chain_begin[i + 1]; ++e) p = (chain_n[e] + m * p) / (chain_total[e] + m);
      ll += std::log(p);
    }
    if (ll > best_ll) {
      best_ll = ll;
      best_m = m;
    }
  }
  return best_m;
}

}  // namespace

const std::vector<double>& smoothing_grid() {
  static const std::vector<double> grid = {0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256};
  return grid;
}

CountedParameters fit_counts(const KdbLayout& layout, const data::DatasetView& data,
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
  // Counts of every feature, kept sparse: (group, class) keys, and per key its values
  // with a non-zero count (the dense counts of one feature at a time only).
  struct SparseFeature {
    std::vector<uint64_t> keys;
    std::vector<uint32_t> nnz, values, counts;
  };
  std::vector<SparseFeature> features(d);
  for (size_t f = 0; f < d; ++f) {
    // Without parents only level 0 exists and m is unused.
    const bool choose_f = choose_m && !layout.feature(f).parents.empty();
    FeatureBlocks fb = count_feature(layout, f, data, choose_f ? &held_out : nullptr);
    if (choose_f) out.m[f] = held_out_strength(layout, f, data, held_out, fb, spec);
    if (choose_m && !choose_f) out.m[f] = 0.0;
    SparseFeature& sf = features[f];
    const uint32_t r = layout.feature(f).card;
    sf.nnz.assign(fb.keys.size(), 0);
    for (size_t i = 0; i < fb.keys.size(); ++i) {
      for (uint32_t v = 0; v < r; ++v) {
        const uint32_t c = fb.counts[i * r + v];
        if (c == 0) continue;
        ++sf.nnz[i];
        sf.values.push_back(v);
        sf.counts.push_back(c);
      }
    }
    sf.keys = std::move(fb.keys);
  }

  // Assemble the unit's blocks in group order (the features' groups are disjoint).
  std::vector<uint32_t> counts(layout.num_groups(), 0);
  size_t total_blocks = 0;
  for (const SparseFeature& sf : features) {
    for (uint64_t key : sf.keys) ++counts[key >> 32];
    total_blocks += sf.keys.size();
  }
  std::vector<uint32_t> cursor(layout.num_groups() + 1, 0);
  for (size_t g = 0; g < layout.num_groups(); ++g) cursor[g + 1] = cursor[g] + counts[g];
  std::vector<uint32_t> classes(total_blocks);
  for (const SparseFeature& sf : features) {
    for (uint64_t key : sf.keys) classes[cursor[key >> 32]++] = static_cast<uint32_t>(key);
  }
  out.blocks = ClassBlocks(layout, counts, std::move(classes));
  // Sparse counts in block order.
  CountStore& store = out.counts;
  store.kind = spec.kind;
  store.alpha = spec.alpha;
  store.m = out.m;
  store.nnz.assign(out.blocks.num_blocks(), 0);
  for (const SparseFeature& sf : features) {
    for (size_t i = 0; i < sf.keys.size(); ++i) {
      store.nnz[static_cast<size_t>(
          out.blocks.find(sf.keys[i] >> 32, static_cast<uint32_t>(sf.keys[i])))] = sf.nnz[i];
    }
  }
  std::vector<size_t> entry(out.blocks.num_blocks() + 1, 0);
  for (size_t b = 0; b < out.blocks.num_blocks(); ++b) entry[b + 1] = entry[b] + store.nnz[b];
  store.values.resize(entry.back());
  store.counts.resize(entry.back());
  for (SparseFeature& sf : features) {
    size_t src = 0;
    for (size_t i = 0; i < sf.keys.size(); ++i) {
      const auto b =
          static_cast<size_t>(out.blocks.find(sf.keys[i] >> 32, static_cast<uint32_t>(sf.keys[i])));
      std::copy_n(sf.values.begin() + static_cast<long>(src), sf.nnz[i],
                  store.values.begin() + static_cast<long>(entry[b]));
      std::copy_n(sf.counts.begin() + static_cast<long>(src), sf.nnz[i],
                  store.counts.begin() + static_cast<long>(entry[b]));
      src += sf.nnz[i];
    }
    sf = {};
  }

  std::vector<double> class_counts(num_classes, 0.0);
  for (uint32_t y : column_codes(data, layout.class_col())) class_counts[y] += 1.0;
  out.log_prior.resize(num_classes);
  for (uint32_t c = 0; c < num_classes; ++c) {
    out.log_prior[c] = std::log((class_counts[c] + spec.alpha) /
                                (static_cast<double>(n) + spec.alpha * num_classes));
  }
  return out;
}

}  // namespace meg::bn
