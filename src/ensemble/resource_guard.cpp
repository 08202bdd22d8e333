#include "ensemble/resource_guard.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <unordered_map>

#include <fmt/format.h>

#include "bn/kdb_structure.hpp"
#include "bn/parent_groups.hpp"
#include "core/parallel.hpp"
#include "data/codec.hpp"
#include "data/dataset.hpp"
#include "data/row_model.hpp"
#include "ensemble/discriminator_boost.hpp"
#include "ensemble/resource_guard_counts.hpp"
#include "meg/error.hpp"

namespace meg::ensemble {

namespace {

// Upper bounds on one feature's share of a unit: the configurations observed at each
// level (groups), the stored (configuration, class) distributions (blocks), their values
// (cells) and their non-zero counts (entries). The j-th level has at most min(n, q_j)
// configurations, q_j = the j largest other cardinalities' product (capped by
// max_parent_configs: a larger parent set is skipped), and min(n, q_j C) blocks; level 0
// has one configuration and C blocks. A row adds one count per level.
struct FeatureBound {
  double groups = 1, blocks = 0, cells = 0, entries = 0;
  // The full level's (configuration, class, value) space and its non-zero counts: what
  // counting the feature holds (a dense counter per cell, or a hash table of those seen).
  double top_space = 0, top_entries = 0;
  double index_bytes = 4;  // dense configuration indexes of small spaces (4096 at most)
};

FeatureBound bound_feature(double r, double classes, const std::vector<double>& others_desc,
                           size_t parents, double max_configs, double n, const LevelCaps& caps) {
  FeatureBound b;
  b.blocks = classes;
  b.entries = std::min({n, classes * r, caps.entries[0]});
  b.top_space = classes * r;
  b.top_entries = b.entries;
  double q = 1, group_cap = 1, block_cap = classes;
  for (size_t j = 0; j < parents; ++j) {
    q *= others_desc[j];
    const double qj = std::min(q, max_configs);
    group_cap = j < 2 ? caps.groups[j + 1] : group_cap * others_desc[j];
    block_cap = j < 2 ? caps.blocks[j + 1] : block_cap * others_desc[j];
    b.groups += std::min({n, qj, group_cap});
    b.index_bytes += 4 * std::min(qj, 4096.0);
    const double level_blocks = std::min({n, qj * classes, block_cap});
    b.blocks += level_blocks;
    // A row adds one count per level.
    b.top_entries = std::min({n, r * level_blocks, j < 2 ? caps.entries[j + 1] : HUGE_VAL});
    b.entries += b.top_entries;
    b.top_space = qj * classes * r;
  }
  b.cells = r * b.blocks;
  b.entries = std::min(b.entries, b.cells);
  return b;
}

// Bytes a fitted unit holds per group: its key, offset, feature and back-off (20), up to 32
// for a dense configuration index of a large space (at most 8 slots per key); per block:
// class, group, offset and non-zero count (16); per entry (non-zero count): value and count
// (8). The saved tree (the model's JSON while it is written or read) adds 12 a group, 8 a
// block and 8 an entry. Per cell, once sampled and scored: its log-probability (8) and its
// alias entry (4, plus a full 8-byte entry for a feature of more than 256 levels).
constexpr double kGroupBytes = 56, kBlockBytes = 16, kEntryBytes = 8;
constexpr double kTreeGroupBytes = 12, kTreeBlockBytes = 8, kTreeEntryBytes = 8;
double alias_bytes(double levels) { return levels > 256 ? 12 : 4; }

}  // namespace

ModelSizeEstimate estimate_model_bytes(const std::vector<uint32_t>& cardinality,
                                       const std::vector<std::string>& names,
                                       const std::vector<size_t>& unit_columns, uint64_t rows,
                                       const FitOptions& options, const data::EncodedDataset* data,
                                       size_t row_model_columns, const ParentSets& parents) {
  const size_t d = cardinality.size();
  using Kind = ParentSets::Kind;
  for (const auto* set : parents.sets) {
    if (parents.kind != Kind::Searched || set->size() != unit_columns.size()) {
      throw Error("model-size guard: the structures and the units disagree");
    }
  }
  ModelSizeEstimate est;
  // Every column may be a parent: one of more than max_parent_levels levels L enters
  // configurations through at most L groups (bn/parent_groups.hpp); its raw code pairs
  // bound its grouped ones.
  const std::vector<bool> parent(d, true);
  const double max_levels = static_cast<double>(std::max<uint64_t>(options.max_parent_levels, 1));
  // Each column's levels in the parent role: its own up to L; above, its groups (counted
  // on the rows when they are given, one pass a grouped column; else L).
  std::vector<double> parent_levels(d);
  const std::vector<std::vector<uint32_t>> groups =
      data != nullptr ? bn::parent_groups(*data, options.max_parent_levels)
                      : std::vector<std::vector<uint32_t>>();
  for (size_t j = 0; j < d; ++j) {
    const double r = std::max<double>(cardinality[j], 1);
    parent_levels[j] = r <= max_levels ? r
                       : j < groups.size() && !groups[j].empty()
                           ? static_cast<double>(groups[j].size() + 1)
                           : max_levels;
  }
  const Observed observed = observe(data, unit_columns, parent);
  std::vector<size_t> candidates;
  std::vector<double> child_configs;
  // The parent configurations a child of r levels may take: max_parent_configs, and for
  // one of more than L levels at most bn::high_card_child_configs.
  auto child_limit = [&](uint32_t r, const UnitOptions& uo) {
    const double configs = static_cast<double>(std::max<long>(uo.max_parent_configs, 1));
    return r > max_levels ? std::min(configs, bn::high_card_child_configs(
                                                  r, static_cast<uint64_t>(max_levels)))
                          : configs;
  };
  est.column_bytes.assign(d, 0.0);
  const double n = static_cast<double>(std::max<uint64_t>(rows, 1));
  const double cols = static_cast<double>(d);
  double card_sum = 0;
  for (uint32_t r : cardinality) card_sum += std::max<double>(r, 1);
  double largest_scratch = 0;  // one unit's fitting scratch, the largest
  // Summed over the units: what the fitted units hold, their tables once sampled and
  // scored, their alias tables alone (built when the fit samples), their saved tree.
  double all_held = 0, all_tables = 0, all_alias = 0, all_tree = 0;
  std::vector<std::pair<std::string, double>> largest_options;  // its parts set by options
  for (size_t q = 0; q < unit_columns.size(); ++q) {
    const size_t u = unit_columns[q];
    const UnitOptions& uo = options.for_unit(names[u]);
    const double classes = std::max<double>(cardinality[u], 1);
    const size_t k = static_cast<size_t>(std::max(uo.k, 0));
    const bool gradient = uo.warmup_epochs + uo.epochs > 0;
    est.column_bytes[u] += 16.0 * classes;  // class prior and its alias table
    double sparse = 0, largest_count = 0, unit_cells = 0;
    double held = 16.0 * classes, tables = 0, alias = 0, tree = 0;
    // The largest parent cardinalities (a column's levels, at most L once grouped),
    // k + 2 of them: enough to take the k largest besides the unit's class and the
    // feature itself, so a unit costs O(d k) here, not O(d^2).
    std::vector<std::pair<double, size_t>> top;
    for (size_t j = 0; j < d; ++j) {
      if (j != u) top.emplace_back(parent_levels[j], j);
    }
    const size_t keep = std::min(top.size(), k + 1);
    std::partial_sort(top.begin(), top.begin() + static_cast<long>(keep), top.end(),
                      [](const auto& a, const auto& b) {
                        return a.first != b.first ? a.first > b.first : a.second < b.second;
                      });
    top.resize(keep);
    candidates.clear();
    if (observed.measured || observed.partial) {
      for (size_t j = 0; j < d; ++j) {
        if (j != u && parent[j]) candidates.push_back(j);
      }
    }
    if (observed.measured || observed.partial) {
      child_configs.resize(d);
      for (size_t j = 0; j < d; ++j) child_configs[j] = child_limit(cardinality[j], uo);
    }
    // With searched structures, the pairs their parent sets read (the first two parents and
    // the feature), whose triples bound them.
    std::vector<bool> searched_pairs;
    if (parents.kind == Kind::Searched && observed.measured) {
      searched_pairs.assign(d * d, false);
      auto mark = [&](size_t a, size_t b) {
        searched_pairs[a * d + b] = searched_pairs[b * d + a] = true;
      };
      for (const auto* set : parents.sets) {
        const std::vector<std::vector<uint32_t>>& pa = (*set)[q].parents;
        for (size_t i = 0; i < pa.size() && i < d; ++i) {
          if (!pa[i].empty()) mark(pa[i][0], i);
          if (pa[i].size() >= 2) {
            mark(pa[i][0], pa[i][1]);
            mark(pa[i][1], i);
          }
        }
      }
    }
    const UnitCaps unit_caps(observed, data, u, candidates, classes, parent_levels, child_configs,
                             searched_pairs.empty() ? nullptr : &searched_pairs,
                             core::resolve_threads(options.threads));
    // One feature's share, from its levels r and its parents' bound (`others`).
    struct Piece {
      double held, tables, alias, tree, level0, cells, count, sparse, blocks, entries, groups;
    };
    auto piece = [&](double r, const std::vector<double>& others, const LevelCaps& caps) {
      const double configs = child_limit(static_cast<uint32_t>(r), uo);
      const FeatureBound b = bound_feature(r, classes, others, others.size(), configs, n, caps);
      Piece p;
      // What a fitted unit holds (a trained one its log-probabilities instead of counts),
      // what its tables add once sampled and scored, and its share of the saved tree.
      p.held = b.blocks * kBlockBytes + b.groups * kGroupBytes + b.index_bytes +
               (gradient ? 8 * b.cells : b.entries * kEntryBytes);
      p.alias = b.cells * alias_bytes(r);
      p.tables = (gradient ? 0 : b.cells * 8) + p.alias;  // a trained unit holds its logp
      p.tree = b.blocks * kTreeBlockBytes + b.groups * kTreeGroupBytes +
               (gradient ? 8 * b.cells : b.entries * kTreeEntryBytes);
      // Level 0 (every class) grows with the class column, the rest with the feature.
      p.level0 = classes * (r * (8 + alias_bytes(r)) + kBlockBytes) +
                 std::min(n, classes * r) * kEntryBytes;
      p.cells = b.cells;
      p.blocks = b.blocks;
      p.entries = b.entries;
      p.groups = b.groups;
      // Counting one feature (bn/feature_counts.cpp): two 4-byte counters per cell of the
      // full level when its space is small (at most max(2^16, 4 rows) cells, 2^22), else a
      // hash table of the cells seen (24-byte slots at most half full, the old table while
      // it grows, a sorted copy) and blocks of 4,096 rows' keys; then its blocks' and
      // counts' indexes while the parameters and the smoothing are chosen (32 bytes each).
      // The real parents' space may be small enough to be dense when the bound's is not.
      // Then the sparse counts of every feature until they are assembled.
      const double dense_limit = std::min(4194304.0, std::max(65536.0, 4 * n));
      const double counting = b.top_space <= dense_limit
                                  ? 8 * b.top_space
                                  : std::max(8 * dense_limit, 168 * b.top_entries + 16 * 4096);
      p.count = counting + 32 * (b.blocks + b.entries);
      p.sparse = b.blocks * 28 + b.entries * 8 + b.groups * 8;
      return p;
    };
    std::vector<double> others;
    // Either of two pieces' bytes, the larger (a feature under two structures).
    auto larger = [](const Piece& a, const Piece& b) {
      auto m = [](double x, double y) { return std::max(x, y); };
      return Piece{m(a.held, b.held),       m(a.tables, b.tables), m(a.alias, b.alias),
                   m(a.tree, b.tree),       m(a.level0, b.level0), m(a.cells, b.cells),
                   m(a.count, b.count),     m(a.sparse, b.sparse), m(a.blocks, b.blocks),
                   m(a.entries, b.entries), m(a.groups, b.groups)};
    };
    // Feature i's share under the searched structures.
    auto searched_piece = [&](size_t i, double r) {
      Piece p{};
      for (const auto* set : parents.sets) {
        const bn::KdbStructure& s = (*set)[q];
        if (s.class_col != u || i >= s.parents.size()) {
          throw Error("model-size guard: the structures and the units disagree");
        }
        others.clear();
        for (uint32_t a : s.parents[i]) others.push_back(parent_levels[a]);
        p = larger(p, piece(r, others, unit_caps.for_parents(i, s.parents[i])));
      }
      return p;
    };
    // Without per-feature caps from the data a feature's share depends on its levels only
    // (with no parents, or outside `top`, which bounds its parents by the first k of
    // `top`), computed once per distinct level count.
    std::unordered_map<uint32_t, Piece> by_levels;
    for (size_t i = 0; i < d; ++i) {
      if (i == u) continue;
      const double r = std::max<double>(cardinality[i], 1);
      const bool in_top =
          std::any_of(top.begin(), top.end(), [&](const auto& t) { return t.second == i; });
      Piece p{};
      const bool cacheable = !unit_caps.per_feature() &&
                             (parents.kind == Kind::None || (parents.kind == Kind::Any && !in_top));
      const auto cached = cacheable ? by_levels.find(cardinality[i]) : by_levels.end();
      if (cached != by_levels.end()) {
        p = cached->second;
      } else if (parents.kind == Kind::Searched) {
        p = searched_piece(i, r);
      } else if (parents.kind == Kind::None) {
        others.clear();
        p = piece(r, others, unit_caps.for_parents(i, {}));
        if (cacheable) by_levels.emplace(cardinality[i], p);
      } else {
        others.clear();
        for (const auto& [cj, j] : top) {
          if (j != i && others.size() < k) others.push_back(cj);
        }
        p = piece(r, others, unit_caps.for_feature(i));
        if (cacheable) by_levels.emplace(cardinality[i], p);
      }
      est.column_bytes[u] += p.level0;
      est.column_bytes[i] += p.held + p.tables - p.level0;
      held += p.held;
      tables += p.tables;
      alias += p.alias;
      tree += p.tree;
      unit_cells += p.cells;
      est.model_cells += p.cells;
      est.model_blocks += p.blocks;
      est.model_entries += p.entries;
      est.model_groups += p.groups;
      largest_count = std::max(largest_count, p.count);
      sparse += p.sparse;
    }
    // Structure learning, before the counting: the (class, feature) and (class, feature,
    // feature) counts the search reads (12 bytes a combination seen, twice while they
    // grow), on at most about 2^16 rows (a copy of them), a pass's sorted keys, the rows
    // grouped by the chosen parents, the CMI matrix. Then scoring the held-out rows: the
    // unit's log-probabilities (8 bytes a cell) and a value per row.
    // With parent candidates (m of them) the pairs counted are those where one column is
    // a candidate of the other: at most (d - 1) m.
    const double search_rows = std::min(n, 72089.0);
    const double m = static_cast<double>(options.parent_candidates);
    const double pairs = std::min((cols - 1) * (cols - 2) / 2, m > 0 ? (cols - 1) * m : HUGE_VAL);
    const double top1 = top.empty() ? 1 : top[0].first, top2 = top.size() < 2 ? 1 : top[1].first;
    // Searched structures: the search is over (the check before it bounded it).
    const double combos = parents.kind == Kind::Searched ? 0
                          : observed.measured || observed.partial
                              ? unit_caps.search_combinations(search_rows, pairs)
                              : cols * std::min(search_rows, classes * top1) +
                                    pairs * std::min(search_rows, classes * top1 * top2);
    const double structure = parents.kind == Kind::Searched
                                 ? 0
                                 : 24 * combos + (40 + cols) * search_rows + 8 * cols * cols;
    const double scoring = (gradient ? 0 : 8 * unit_cells) + 16 * std::min(n, 32768.0);
    double scratch = std::max(largest_count + sparse, structure) + scoring;
    double gradient_bytes = 0;
    if (gradient) {
      // Generator: parameters, gradient and Adam moments per cell; rows' slots, synthetic
      // rows and discriminator inputs; the discriminator (one-hot and class-crossed inputs,
      // hidden layers) with its gradient and Adam moments.
      const double synthetic = uo.synthetic_rows > 0 ? static_cast<double>(uo.synthetic_rows) : n;
      double dim = card_sum * (1 + classes), params = 0, fan_in = dim;
      if (uo.discriminator == DiscriminatorType::Mlp) {
        for (int h : uo.hidden) {
          params += fan_in * h + h;
          fan_in = h;
        }
      }
      params += fan_in + 1;
      // Per real row: its slots, its discriminator inputs (one-hot and class-crossed, 2c - 1
      // of them), label, split and order (12 c + 14 bytes); per synthetic row the same
      // inputs, its codes, slots and advantage (16 c + 18).
      const double real_rows = n * (12 * cols + 14), synthetic_rows = synthetic * (16 * cols + 18);
      gradient_bytes = 40 * unit_cells + real_rows + synthetic_rows + 40 * params + 8 * dim;
      scratch += gradient_bytes;
      if (scratch > largest_scratch) {
        largest_options = {{"synthetic_rows", synthetic_rows}, {"hidden", 40 * params}};
      }
    }
    if (scratch > largest_scratch && !gradient) largest_options.clear();
    if (scratch > largest_scratch) {
      est.scratch_parts = {{"count", largest_count},
                           {"sparse", sparse},
                           {"structure", structure},
                           {"gradient", gradient_bytes}};
    }
    largest_scratch = std::max(largest_scratch, scratch);
    all_held += held;
    all_tables += tables;
    all_alias += alias;
    all_tree += tree;
  }
  // Units are fitted `threads` at a time. The table's codes (all rows, the fit and held-out
  // parts), the row split, and each unit's held-out log-likelihoods with the weights' scratch.
  const double in_flight =
      std::min<double>(core::resolve_threads(options.threads),
                       static_cast<double>(std::max<size_t>(1, unit_columns.size())));
  const double units = static_cast<double>(unit_columns.size());
  est.scratch_bytes = in_flight * largest_scratch;
  double code_bytes = 0;  // the codes are stored 1, 2 or 4 bytes wide
  for (uint32_t r : cardinality) code_bytes += r <= 256 ? 1 : r <= 65536 ? 2 : 4;
  // The row model's fitting (before the table is encoded): its reading buffer of about 2^20
  // values, and per donor row (at most 2^15) a code, a position and a value per column.
  const double rm = static_cast<double>(row_model_columns);
  const double row_model =
      rm > 0 ? 8 * std::max(1048576.0, 1024 * rm) + 14 * rm * std::min(n, 32768.0) : 0;
  // Held-out log-likelihoods and the weights' scaled copy: 16 bytes per held-out row and
  // unit (every row of a table under 20 rows).
  const double held_out = n < 20 ? n : std::ceil(options.validation_fraction * n) + 1;
  est.row_bytes = code_bytes * n + 24 * n + 16 * held_out * units + (1 << 20);
  // The phases do not overlap: the row model is fitted before the codes exist; the units
  // are fitted `in_flight` at a time, each finished one keeping only its counts; at the
  // end of the fit every unit has its alias tables (the fit samples) while the model is
  // saved; a load holds the saved tree, then every unit's tables.
  // Choosing the smoothing strength compares sampled rows with the fit rows (at most 2^16,
  // 4 bytes a code plus a packed copy); the resampler's discriminator learns from at most
  // 20,000 real and as many sampled rows (4-byte codes, binned copies, gradients) and is
  // judged on at most 10,000 held-out rows against sampled ones.
  const double probe = options.smoothing_select == SmoothingSelect::Distance
                           ? 5 * cols * std::min(n, 65536.0) + 4 * cols * 1000
                           : 0;
  // The decision before it fits one discriminator a detection fold, `threads` folds at a
  // time, each on half the held-out and as many sampled rows (their codes copied, grown by
  // doubling) with one worker; the discriminator's workers each hold their histograms.
  const double threads = core::resolve_threads(options.threads);
  const double decision_rows = std::min(std::ceil(options.validation_fraction * n), 10000.0);
  const double fold =
      CodeBooster::fit_bytes(decision_rows, cols, 1) + (8 * cols + 17) * decision_rows;
  // A later stage (depth 5) learns from rows the stages before it kept, drawn K times over
  // (codes of 4 bytes); the decision draws K^stages candidates for each held-out row.
  const double stages = options.resample_stages, k = options.resample_candidates;
  const double draws = std::pow(k, stages);
  const double later = stages > 1 ? CodeBooster::fit_bytes(0, cols, threads, 5) +
                                        4 * (k + 1) * cols * std::min(n, 20000.0)
                                  : 0;
  const double resample = options.resample != Resample::Off
                              ? (20 * cols + 64) * std::min(n, 20000.0) +
                                    std::max(CodeBooster::fit_bytes(0, cols, threads), later) +
                                    (8 + 4 * draws) * cols * decision_rows +
                                    std::min(threads, 4.0) * fold
                              : 0;
  const double fitting = est.row_bytes + all_held + est.scratch_bytes + probe;
  const double saving = est.row_bytes + all_held + all_alias + std::max(all_tree, resample);
  const double using_model = (1 << 20) + all_held + std::max(all_tree, all_tables);
  est.fit_bytes = std::max({fitting, saving, row_model + (1 << 20)});
  est.use_bytes = using_model;
  est.total_bytes = std::max(est.fit_bytes, est.use_bytes);
  for (auto& [key, bytes] : largest_options) est.option_bytes.emplace_back(key, in_flight * bytes);
  return est;
}

size_t row_model_columns(const data::TableCodec& codec) {
  size_t numeric = 0, few_levels = 0;
  for (size_t c = 0; c < codec.num_cols(); ++c) {
    const data::ColumnCodec& cc = codec.column(c);
    if (cc.numeric_view() != nullptr) {
      ++numeric;
    } else if (cc.cardinality() <= data::kMaxKeyLevels) {
      ++few_levels;
    }
  }
  return numeric == 0 ? 0 : std::min(numeric + few_levels, data::kMaxRuleColumns);
}

ModelSizeEstimate check_model_size(const std::vector<uint32_t>& cardinality,
                                   const std::vector<std::string>& names,
                                   const std::vector<size_t>& unit_columns, uint64_t rows,
                                   const FitOptions& options, const data::EncodedDataset* data,
                                   size_t row_model_columns, const ParentSets& parents) {
  const ModelSizeEstimate est = estimate_model_bytes(cardinality, names, unit_columns, rows,
                                                     options, data, row_model_columns, parents);
  constexpr double kMb = 1024.0 * 1024.0;
  const double limit = static_cast<double>(options.max_model_mb) * kMb;
  if (est.total_bytes <= limit) return est;
  std::vector<size_t> order(cardinality.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return est.column_bytes[a] > est.column_bytes[b]; });
  // Name the columns that account for most of the bytes attributed to columns (at most 5;
  // the fitting scratch and the per-row arrays are not attributed).
  const double attributed = std::accumulate(est.column_bytes.begin(), est.column_bytes.end(), 0.0);
  // An option whose share is larger than all the columns' is the cause to name.
  std::pair<std::string, double> top_option{"", 0.0};
  for (const auto& o : est.option_bytes) {
    if (o.second > top_option.second) top_option = o;
  }
  if (top_option.second > attributed) {
    throw InvalidArgument(fmt::format(
        "the model could need up to {:.0f} MB, over the limit of {} MB (option max_model_mb); "
        "option '{}' accounts for ~{:.0f} MB of it (for {} unit(s) fitted at once); lower it "
        "(or --threads), or raise --option max_model_mb",
        est.total_bytes / kMb, options.max_model_mb, top_option.first, top_option.second / kMb,
        std::min(static_cast<size_t>(core::resolve_threads(options.threads)),
                 std::max<size_t>(1, unit_columns.size()))));
  }
  std::string culprits;
  double covered = 0;
  for (size_t i = 0; i < order.size() && i < 5; ++i) {
    const size_t c = order[i];
    if (!culprits.empty()) culprits += ", ";
    culprits += fmt::format("'{}' ({} codes, ~{:.0f} MB)", names[c], cardinality[c],
                            est.column_bytes[c] / kMb);
    covered += est.column_bytes[c];
    if (covered >= 0.8 * attributed) break;
  }
  // No few columns stand out (a wide table of similar columns): the cause is the width.
  if (covered < 0.5 * attributed && order.size() > 5) {
    throw InvalidArgument(fmt::format(
        "the model could need up to {:.0f} MB, over the limit of {} MB (option max_model_mb); "
        "it is spread over the table's {} columns and {} unit(s), the largest column share "
        "~{:.0f} MB: choose fewer units with --units, lower k, or raise --option max_model_mb",
        est.total_bytes / kMb, options.max_model_mb, cardinality.size(), unit_columns.size(),
        est.column_bytes[order[0]] / kMb));
  }
  throw InvalidArgument(fmt::format(
      "the model could need up to {:.0f} MB, over the limit of {} MB (option max_model_mb); "
      "the columns responsible: {}; drop or bin them, choose the units with --units, lower k, "
      "or raise --option max_model_mb",
      est.total_bytes / kMb, options.max_model_mb, culprits));
}

}  // namespace meg::ensemble
