#include "bn/cpt.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "bn/count_reduce.hpp"
#include "bn/row_keys.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "meg/error.hpp"

namespace meg::bn {
namespace {

// Cells of one level of a feature, ascending by (cfg, cls, value), counts > 0.
struct LevelCells {
  std::vector<uint64_t> cfg;
  std::vector<uint32_t> cls, value, count;
  size_t size() const { return cfg.size(); }
  void push(uint64_t c, uint32_t y, uint32_t v, uint32_t n) {
    cfg.push_back(c);
    cls.push_back(y);
    value.push_back(v);
    count.push_back(n);
  }
};

// The full-level cells of `part`.
LevelCells part_cells(const FeatureCounts& fc, UnitCounts::Part part) {
  LevelCells out;
  for (size_t i = 0; i < fc.size(); ++i) {
    const uint32_t n = part == UnitCounts::Part::All ? fc.all[i] : fc.all[i] - fc.masked[i];
    if (n > 0) out.push(fc.config[i], fc.cls[i], fc.value[i], n);
  }
  return out;
}

// The level below: configurations divided by the last parent's cardinality, counts summed.
LevelCells drop_last_parent(const LevelCells& up, uint64_t card, uint32_t r) {
  LevelCells out;
  std::vector<std::pair<uint64_t, uint32_t>> run;  // (cls * r + value, count)
  for (size_t i = 0; i < up.size();) {
    const uint64_t cfg = up.cfg[i] / card;
    run.clear();
    for (; i < up.size() && up.cfg[i] / card == cfg; ++i) {
      run.emplace_back(uint64_t{up.cls[i]} * r + up.value[i], up.count[i]);
    }
    std::sort(run.begin(), run.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t a = 0; a < run.size();) {
      uint64_t n = 0;
      size_t b = a;
      for (; b < run.size() && run[b].first == run[a].first; ++b) n += run[b].second;
      out.push(cfg, static_cast<uint32_t>(run[a].first / r),
               static_cast<uint32_t>(run[a].first % r), static_cast<uint32_t>(n));
      a = b;
    }
  }
  return out;
}

// Every level of feature f, index j = number of parents.
// parent_cards[j]: the codes parent j takes (KdbStructure::parent_card).
std::vector<LevelCells> feature_levels(const FeatureCounts& fc, UnitCounts::Part part,
                                       const std::vector<uint32_t>& parent_cards, uint32_t r) {
  std::vector<LevelCells> levels(parent_cards.size() + 1);
  levels.back() = part_cells(fc, part);
  for (size_t j = parent_cards.size(); j-- > 0;) {
    levels[j] = drop_last_parent(levels[j + 1], parent_cards[j], r);
  }
  return levels;
}

std::vector<uint32_t> parent_cards(const KdbStructure& s, const std::vector<uint32_t>& cardinality,
                                   uint32_t col) {
  std::vector<uint32_t> out;
  for (uint32_t p : s.parents[col]) out.push_back(s.parent_card(p, cardinality[p]));
  return out;
}

// Calls fn(begin, end) for each (cfg, cls) block of a level: cells [begin, end).
template <class Fn>
void for_each_block(const LevelCells& level, Fn&& fn) {
  for (size_t i = 0; i < level.size();) {
    size_t e = i;
    while (e < level.size() && level.cfg[e] == level.cfg[i] && level.cls[e] == level.cls[i]) ++e;
    fn(i, e);
    i = e;
  }
}

}  // namespace

const std::vector<double>& smoothing_grid() {
  static const std::vector<double> grid = {0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256};
  return grid;
}

std::vector<uint8_t> held_out_mask(size_t rows, uint64_t seed) {
  std::vector<uint8_t> mask(rows);
  for (size_t row = 0; row < rows; ++row) {
    mask[row] = core::mix64(core::derive_seed(seed, {row})) % 5 == 0 ? 1 : 0;
  }
  return mask;
}

UnitCounts UnitCounts::count(const KdbStructure& structure,
                             const std::vector<uint32_t>& cardinality,
                             const data::DatasetView& all_rows, const uint8_t* mask, int threads) {
  data::DatasetView data = all_rows;
  UnitCounts out;
  out.structure_ = structure;
  out.cardinality_ = cardinality;
  const auto class_col = static_cast<uint32_t>(structure.class_col);
  out.features_.resize(structure.order.size());
  // A distributed fit (core/count_reducer.hpp): this process counts its share of the
  // rows, then the counts are summed across the processes.
  core::CountReducer* reducer = core::count_reducer();
  if (reducer) {
    const auto [begin, end] = reducer->share(all_rows.num_rows());
    data = all_rows.slice(begin, end);
    if (mask) mask += begin;
  }
  core::parallel_for(structure.order.size(), threads, [&](size_t f) {
    const uint32_t col = structure.order[f];
    out.features_[f] =
        count_feature(data, cardinality, structure.parents[col], class_col, col, mask, &structure);
  });
  const uint32_t num_classes = cardinality[class_col];
  out.class_all_.assign(num_classes, 0);
  out.class_masked_.assign(num_classes, 0);
  std::vector<uint32_t> scratch;
  for (size_t begin = 0; begin < data.num_rows(); begin += kKeyBlockRows) {
    const size_t end = std::min(data.num_rows(), begin + kKeyBlockRows);
    data.visit(class_col, begin, end, scratch, [&](auto y) {
      for (size_t i = 0; i < y.size(); ++i) {
        ++out.class_all_[y[i]];
        if (mask && mask[begin + i]) ++out.class_masked_[y[i]];
      }
    });
  }
  if (reducer) {
    reduce_unit_counts(*reducer, structure, cardinality, mask != nullptr, out.features_,
                       out.class_all_, out.class_masked_);
  }
  return out;
}

uint64_t UnitCounts::rows(Part part) const {
  uint64_t n = 0;
  for (size_t c = 0; c < class_all_.size(); ++c) {
    n += class_all_[c] - (part == Part::All ? 0 : class_masked_[c]);
  }
  return n;
}

CountedKdb UnitCounts::parameters(Part part, Smoothing kind, double alpha,
                                  const std::vector<double>& m) const {
  if (alpha <= 0) throw InvalidArgument("laplace_alpha must be > 0");
  const size_t d = features_.size();
  if (m.size() != d) throw InvalidArgument("kdb: one smoothing strength per feature expected");
  const auto num_classes = static_cast<uint32_t>(class_all_.size());
  std::vector<std::vector<LevelCells>> levels(d);
  std::vector<std::vector<std::vector<uint64_t>>> keys(d);
  for (size_t f = 0; f < d; ++f) {
    const uint32_t col = structure_.order[f];
    levels[f] = feature_levels(features_[f], part, parent_cards(structure_, cardinality_, col),
                               cardinality_[col]);
    keys[f].resize(levels[f].size());
    for (size_t j = 0; j < levels[f].size(); ++j) {
      std::vector<uint64_t>& k = keys[f][j];
      for (uint64_t c : levels[f][j].cfg) {
        if (k.empty() || k.back() != c) k.push_back(c);
      }
      if (j == 0 && k.empty()) k.push_back(0);  // level 0 always exists
    }
  }
  CountedKdb out;
  out.layout = KdbLayout::from_observed(structure_, cardinality_, keys);
  const KdbLayout& layout = out.layout;
  // Blocks in group order (every feature's full level, then each feature's back-off
  // levels), classes ascending within a group; level 0 stores every class.
  std::vector<uint32_t> per_group(layout.num_groups(), 0), classes;
  CountStore& store = out.params.counts;
  auto emit_level = [&](size_t f, size_t j) {
    const LevelCells& level = levels[f][j];
    const ConfigMap& map = layout.feature(f).levels[j];
    const auto first = static_cast<size_t>(map.first_group());
    size_t rank = 0;
    uint64_t last_cfg = level.size() ? level.cfg[0] : 0;
    auto add_block = [&](size_t g, uint32_t c, size_t begin, size_t end) {
      ++per_group[g];
      classes.push_back(c);
      store.nnz.push_back(static_cast<uint32_t>(end - begin));
      store.values.insert(store.values.end(), level.value.begin() + static_cast<long>(begin),
                          level.value.begin() + static_cast<long>(end));
      store.counts.insert(store.counts.end(), level.count.begin() + static_cast<long>(begin),
                          level.count.begin() + static_cast<long>(end));
    };
    if (j == 0) {
      size_t i = 0;
      for (uint32_t c = 0; c < num_classes; ++c) {
        const size_t begin = i;
        while (i < level.size() && level.cls[i] == c) ++i;
        add_block(first, c, begin, i);
      }
      return;
    }
    for_each_block(level, [&](size_t begin, size_t end) {
      if (level.cfg[begin] != last_cfg) {
        ++rank;
        last_cfg = level.cfg[begin];
      }
      add_block(first + rank, level.cls[begin], begin, end);
    });
  };
  for (size_t f = 0; f < d; ++f) emit_level(f, levels[f].size() - 1);
  for (size_t f = 0; f < d; ++f) {
    for (size_t j = 0; j + 1 < levels[f].size(); ++j) emit_level(f, j);
  }
  out.params.blocks = ClassBlocks(layout, per_group, std::move(classes));
  store.kind = kind;
  store.alpha = alpha;
  store.m = m;
  out.params.m = m;
  const double n = static_cast<double>(rows(part));
  out.params.log_prior.resize(num_classes);
  for (uint32_t c = 0; c < num_classes; ++c) {
    const auto nc = static_cast<double>(class_all_[c] - (part == Part::All ? 0 : class_masked_[c]));
    out.params.log_prior[c] = std::log((nc + alpha) / (n + alpha * num_classes));
  }
  return out;
}

std::vector<double> UnitCounts::held_out_strengths(double alpha) const {
  const size_t d = features_.size();
  std::vector<double> best(d, 0.0);
  for (size_t f = 0; f < d; ++f) {
    const uint32_t col = structure_.order[f];
    const std::vector<uint32_t>& parents = structure_.parents[col];
    if (parents.empty()) continue;
    const uint32_t r = cardinality_[col];
    const std::vector<LevelCells> levels = feature_levels(
        features_[f], Part::Unmasked, parent_cards(structure_, cardinality_, col), r);
    // Per level: blocks (cfg, cls) with their first cell and total count.
    struct Blocks {
      std::vector<std::pair<uint64_t, uint32_t>> key;
      std::vector<size_t> begin;  // key.size() + 1
      std::vector<uint64_t> total;
    };
    std::vector<Blocks> index(levels.size());
    for (size_t j = 0; j < levels.size(); ++j) {
      Blocks& bl = index[j];
      for_each_block(levels[j], [&](size_t b, size_t e) {
        bl.key.emplace_back(levels[j].cfg[b], levels[j].cls[b]);
        bl.begin.push_back(b);
        uint64_t t = 0;
        for (size_t i = b; i < e; ++i) t += levels[j].count[i];
        bl.total.push_back(t);
      });
      bl.begin.push_back(levels[j].size());
    }
    std::vector<uint64_t> divisor(parents.size() + 1, 1);
    for (size_t j = parents.size(); j-- > 0;) {
      divisor[j] = divisor[j + 1] * structure_.parent_card(parents[j], cardinality_[parents[j]]);
    }
    // The masked rows' cells (full configuration, class, value) with their number of
    // rows, from the counts: rows of one cell share their back-off chain.
    const FeatureCounts& cells = features_[f];
    // Per masked cell: its levels' counts, bottom first, and its rows.
    std::vector<double> chain_n, chain_total, weight;
    std::vector<size_t> chain_begin{0};
    for (size_t a = 0; a < cells.size(); ++a) {
      if (cells.masked[a] == 0) continue;
      weight.push_back(static_cast<double>(cells.masked[a]));
      const uint64_t cfg = cells.config[a];
      const uint32_t yi = cells.cls[a], xi = cells.value[a];
      for (size_t j = 0; j < levels.size(); ++j) {
        const Blocks& bl = index[j];
        const std::pair<uint64_t, uint32_t> key(cfg / divisor[j], yi);
        const auto it = std::lower_bound(bl.key.begin(), bl.key.end(), key);
        const bool found = it != bl.key.end() && *it == key;
        if (!found && j > 0) continue;
        double n = 0, total = 0;
        if (found) {
          const auto bi = static_cast<size_t>(it - bl.key.begin());
          total = static_cast<double>(bl.total[bi]);
          const auto vb = levels[j].value.begin();
          const auto lo = vb + static_cast<long>(bl.begin[bi]);
          const auto hi = vb + static_cast<long>(bl.begin[bi + 1]);
          const auto v = std::lower_bound(lo, hi, xi);
          if (v != hi && *v == xi) n = levels[j].count[static_cast<size_t>(v - vb)];
        }
        chain_n.push_back(n);
        chain_total.push_back(total);
      }
      chain_begin.push_back(chain_n.size());
    }
    double best_ll = -INFINITY;
    for (double m : smoothing_grid()) {
      double ll = 0.0;
      for (size_t i = 0; i + 1 < chain_begin.size(); ++i) {
        size_t e = chain_begin[i];
        double p = (chain_n[e] + alpha) / (chain_total[e] + alpha * r);
        for (++e; e < chain_begin[i + 1]; ++e) p = (chain_n[e] + m * p) / (chain_total[e] + m);
        ll += weight[i] * std::log(p);
      }
      if (ll > best_ll) {
        best_ll = ll;
        best[f] = m;
      }
    }
  }
  return best;
}

CountedKdb fit_counts(const KdbStructure& structure, const std::vector<uint32_t>& cardinality,
                      const data::DatasetView& data, const SmoothingSpec& spec, int threads) {
  if (spec.alpha <= 0) throw InvalidArgument("laplace_alpha must be > 0");
  if (spec.m < 0) throw InvalidArgument("smoothing_m must be >= 0");
  const size_t d = structure.order.size();
  if (spec.kind == Smoothing::Hierarchical && spec.m == 0.0) {
    const std::vector<uint8_t> mask = held_out_mask(data.num_rows(), spec.seed);
    const UnitCounts counts = UnitCounts::count(structure, cardinality, data, mask.data(), threads);
    return counts.parameters(UnitCounts::Part::All, spec.kind, spec.alpha,
                             counts.held_out_strengths(spec.alpha));
  }
  return UnitCounts::count(structure, cardinality, data, nullptr, threads)
      .parameters(UnitCounts::Part::All, spec.kind, spec.alpha, std::vector<double>(d, spec.m));
}

}  // namespace meg::bn
