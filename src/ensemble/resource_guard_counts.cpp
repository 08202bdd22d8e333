#include "ensemble/resource_guard_counts.hpp"

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <utility>

#include "core/parallel.hpp"

namespace meg::ensemble {

namespace {

constexpr double kObserveBudget = 2.5e8;
constexpr size_t kObserveColumns = 256;
// Triples (class, parent pair) are counted per unit when units x pairs x rows stay within
// this budget (Adult: 15 x 91 x 32,561 = 44 M).
constexpr double kTripleBudget = 1.5e8;
constexpr double kBitmapBits = 1 << 22;
// Level 2's non-zero counts are bounded per feature when units x columns^3 stay within this
// (hospital: 43 x 47^3 = 4.5 M).
constexpr double kLevel2Budget = 5e7;

double distinct_pairs(const data::EncodedDataset& data, size_t a, size_t b) {
  const uint64_t rb = data.cardinality[b];
  std::vector<uint64_t> seen((static_cast<uint64_t>(data.cardinality[a]) * rb + 63) / 64, 0);
  double count = 0;
  data.columns[a].visit([&](auto ca) {
    data.columns[b].visit([&](auto cb) {
      for (size_t i = 0; i < ca.size(); ++i) {
        const uint64_t key = static_cast<uint64_t>(ca[i]) * rb + cb[i];
        const uint64_t bit = uint64_t{1} << (key & 63);
        count += (seen[key >> 6] & bit) ? 0 : 1;
        seen[key >> 6] |= bit;
      }
    });
  });
  return count;
}

// Distinct (u, a, b) code triples, for the (class, parent pair) configurations of level 2.
double distinct_triples(const data::EncodedDataset& data, size_t u, size_t a, size_t b,
                        std::vector<uint64_t>& seen) {
  const uint64_t ra = data.cardinality[a], rb = data.cardinality[b];
  seen.assign((data.cardinality[u] * ra * rb + 63) / 64, 0);
  double count = 0;
  data.columns[u].visit([&](auto cu) {
    data.columns[a].visit([&](auto ca) {
      data.columns[b].visit([&](auto cb) {
        for (size_t i = 0; i < cu.size(); ++i) {
          const uint64_t key = (static_cast<uint64_t>(cu[i]) * ra + ca[i]) * rb + cb[i];
          const uint64_t bit = uint64_t{1} << (key & 63);
          count += (seen[key >> 6] & bit) ? 0 : 1;
          seen[key >> 6] |= bit;
        }
      });
    });
  });
  return count;
}

}  // namespace

Observed observe(const data::EncodedDataset* data, const std::vector<size_t>& units,
                 const std::vector<bool>& parent) {
  Observed o;
  const size_t d = parent.size();
  if (data == nullptr || data->num_cols() != d) return o;
  const double n = static_cast<double>(data->num_rows());
  auto count_levels = [&] {
    o.levels.resize(d);
    for (size_t a = 0; a < d; ++a) {
      std::vector<bool> seen(data->cardinality[a], false);
      data->columns[a].visit([&](auto codes) {
        for (auto c : codes) seen[c] = true;
      });
      o.levels[a] = static_cast<double>(std::count(seen.begin(), seen.end(), true));
    }
  };
  if (d > kObserveColumns) {
    if (static_cast<double>(units.size() + 1) * static_cast<double>(d) * n > kObserveBudget) {
      return o;
    }
    o.partial = true;
    o.d = d;
    o.unit_count = units.size();
    count_levels();
    o.unit_row.assign(d, SIZE_MAX);
    o.class_pairs.resize(units.size() * d);
    for (size_t q = 0; q < units.size(); ++q) {
      const size_t u = units[q];
      o.unit_row[u] = q;
      for (size_t a = 0; a < d; ++a) {
        const double space = static_cast<double>(data->cardinality[u]) * data->cardinality[a];
        o.class_pairs[q * d + a] = a == u                 ? o.levels[u]
                                   : space <= kBitmapBits ? distinct_pairs(*data, u, a)
                                                          : std::min(n, o.levels[u] * o.levels[a]);
      }
    }
    return o;
  }
  std::vector<bool> unit(d, false);
  for (size_t u : units) unit[u] = true;
  std::vector<std::pair<size_t, size_t>> todo;
  for (size_t a = 0; a < d; ++a) {
    for (size_t b = a + 1; b < d; ++b) {
      const double space = static_cast<double>(data->cardinality[a]) * data->cardinality[b];
      const bool meet = (parent[a] && (parent[b] || unit[b])) || (parent[b] && unit[a]);
      if (meet && space <= kBitmapBits) todo.emplace_back(a, b);
    }
  }
  if (static_cast<double>(todo.size() + d) * n > kObserveBudget) return o;
  o.measured = true;
  o.d = d;
  o.unit_count = units.size();
  double parents = 0;
  for (bool p : parent) parents += p ? 1 : 0;
  o.triples = static_cast<double>(units.size()) * parents * parents / 2 * n <= kTripleBudget;
  count_levels();
  o.pairs.assign(d * d, 0.0);
  // Without a count: the product of the observed levels.
  for (size_t a = 0; a < d; ++a) {
    for (size_t b = 0; b < d; ++b) {
      o.pairs[a * d + b] = std::min(n, o.levels[a] * o.levels[b]);
    }
  }
  for (const auto& [a, b] : todo) {
    o.pairs[a * d + b] = o.pairs[b * d + a] =
        std::min(o.pairs[a * d + b], distinct_pairs(*data, a, b));
  }
  return o;
}

UnitCaps::UnitCaps(const Observed& o, const data::EncodedDataset* data, size_t u,
                   const std::vector<size_t>& candidates, double classes,
                   const std::vector<double>& parent_levels,
                   const std::vector<double>& child_configs, const std::vector<bool>* searched,
                   int threads)
    : parent_levels_(parent_levels), child_configs_(child_configs) {
  caps_.blocks[0] = classes;
  constexpr size_t kNone = SIZE_MAX;
  if (o.partial && o.unit_row[u] != kNone) {
    // Levels and class pairs only: the single-parent lists (lists of pairs stay empty).
    d_ = o.d;
    partial_ = true;
    const double* cp = &o.class_pairs[o.unit_row[u] * d_];
    class_pair_.assign(cp, cp + d_);
    levels_ = o.levels;
    parent_codes_.resize(d_);
    parent_pairs_.resize(d_);
    for (size_t a = 0; a < d_; ++a) {
      parent_codes_[a] = std::min(o.levels[a], parent_levels_[a]);
      parent_pairs_[a] = std::min(cp[a], classes * parent_levels_[a]);
    }
    for (size_t a : candidates) {
      ranked_[0].push_back({std::min(o.levels[a], parent_levels_[a]), a, kNone});
      ranked_[1].push_back({std::min(cp[a], classes * parent_levels_[a]), a, kNone});
    }
    for (size_t q = 0; q < 2; ++q) {
      std::sort(ranked_[q].begin(), ranked_[q].end(), [](const Pair& p, const Pair& r) {
        return p.bound != r.bound ? p.bound > r.bound : p.a < r.a;
      });
    }
    return;
  }
  if (!o.measured) return;
  d_ = o.d;
  // A parent is read by its groups: its codes, its pairs with the class and with another
  // parent are at most those of the groups (pl = parent_levels). A child and the class are
  // read by their own codes.
  auto lp = [&](size_t a) { return std::min(o.levels[a], parent_levels_[a]); };
  auto dp = [&](size_t a) { return std::min(o.pair(u, a), classes * parent_levels_[a]); };
  auto dpp = [&](size_t a, size_t b) {
    return std::min(o.pair(a, b), parent_levels_[a] * parent_levels_[b]);
  };
  // (class, parent a, child i): by the pairs, min with the triples when counted.
  auto child_bound = [&](size_t a, size_t i, double triples) {
    return std::min({dp(a) * o.levels[i], o.pair(u, i) * lp(a),
                     std::min(o.pair(a, i), parent_levels_[a] * o.levels[i]) * classes, triples});
  };
  parent_bound_.assign(d_ * d_, HUGE_VAL);
  child_bound_.assign(d_ * d_, HUGE_VAL);
  class_pair_.resize(d_);
  for (size_t i = 0; i < d_; ++i) class_pair_[i] = o.pair(u, i);
  levels_ = o.levels;
  parent_codes_.resize(d_);
  parent_pairs_.resize(d_);
  pair_configs_.resize(d_ * d_);
  for (size_t a = 0; a < d_; ++a) {
    parent_codes_[a] = lp(a);
    parent_pairs_[a] = dp(a);
    for (size_t b = 0; b < d_; ++b) pair_configs_[a * d_ + b] = dpp(a, b);
  }
  bool triples_counted = o.triples;
  if (searched != nullptr) {
    const double marked =
        static_cast<double>(std::count(searched->begin(), searched->end(), true)) / 2;
    triples_counted =
        static_cast<double>(o.unit_count) * marked * static_cast<double>(data->num_rows()) <=
        kTripleBudget;
  }
  for (size_t a : candidates) {
    ranked_[0].push_back({lp(a), a, kNone});
    ranked_[1].push_back({dp(a), a, kNone});
  }
  // The distinct triples of the pairs that count them (a pass over the rows each), the
  // pairs shared among the threads in contiguous ranges (each count is the same anywhere).
  std::vector<std::pair<size_t, size_t>> counted;
  for (size_t x = 0; x < candidates.size(); ++x) {
    for (size_t y = x + 1; y < candidates.size(); ++y) {
      const size_t a = candidates[x], b = candidates[y];
      const double space = classes * data->cardinality[a] * data->cardinality[b];
      const bool wanted = searched == nullptr || (*searched)[a * d_ + b];
      if (triples_counted && wanted && space <= kBitmapBits) counted.emplace_back(a, b);
    }
  }
  std::vector<double> triple_counts(counted.size());
  const size_t ranges = std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), counted.size());
  core::parallel_for(ranges, static_cast<int>(ranges), [&](size_t w) {
    std::vector<uint64_t> seen;
    for (size_t k = counted.size() * w / ranges; k < counted.size() * (w + 1) / ranges; ++k) {
      triple_counts[k] = distinct_triples(*data, u, counted[k].first, counted[k].second, seen);
    }
  });
  size_t next_counted = 0;
  for (size_t x = 0; x < candidates.size(); ++x) {
    for (size_t y = x + 1; y < candidates.size(); ++y) {
      const size_t a = candidates[x], b = candidates[y];
      double triples = HUGE_VAL;
      if (next_counted < counted.size() && counted[next_counted] == std::pair{a, b}) {
        triples = triple_counts[next_counted++];
      }
      const double bound = std::min({dp(a) * lp(b), dp(b) * lp(a), dpp(a, b) * classes, triples});
      parent_bound_[a * d_ + b] = parent_bound_[b * d_ + a] = bound;
      child_bound_[a * d_ + b] = child_bound(a, b, triples);
      child_bound_[b * d_ + a] = child_bound(b, a, triples);
      if (searched == nullptr) {
        ranked_[2].push_back({dpp(a, b), a, b});
        ranked_[3].push_back({bound, a, b});
      }
    }
  }
  if (searched != nullptr) return;  // for_parents only
  // Level 2's non-zero counts of each feature: O(columns^3) a unit, within a budget.
  const double c = static_cast<double>(candidates.size());
  if (static_cast<double>(o.unit_count) * c * c * c <= kLevel2Budget) {
    level2_entries_.assign(d_, HUGE_VAL);
    for (size_t i : candidates) {
      double best = 0;
      for (size_t x = 0; x < candidates.size(); ++x) {
        const size_t a = candidates[x];
        if (a == i) continue;
        const double ai = child_bound_[a * d_ + i];
        for (size_t y = x + 1; y < candidates.size(); ++y) {
          const size_t b = candidates[y];
          if (b == i || configs(a, b) > child_configs_[i]) continue;
          const double bound = std::min({ai * lp(b), child_bound_[b * d_ + i] * lp(a),
                                         parent_bound_[a * d_ + b] * o.levels[i]});
          best = std::max(best, bound);
        }
      }
      level2_entries_[i] = best;
    }
  }
  for (auto& list : ranked_) {
    std::sort(list.begin(), list.end(), [](const Pair& p, const Pair& q) {
      return p.bound != q.bound ? p.bound > q.bound : std::tie(p.a, p.b) < std::tie(q.a, q.b);
    });
  }
}

double UnitCaps::search_combinations(double rows, double pairs) const {
  double total = 0;
  for (const Pair& p : ranked_[1]) total += std::min(rows, class_pair_[p.a]);
  if (partial_ && !ranked_[0].empty()) {
    // Each pair counted is (i, j) with j one of i's candidates (pairs / features of them):
    // at most D(u, i) L(j) combinations, L(j) at most the largest levels.
    const auto per = static_cast<size_t>(std::ceil(pairs / static_cast<double>(ranked_[0].size())));
    for (const Pair& p : ranked_[1]) {
      for (size_t q = 0; q < per && q < ranked_[0].size(); ++q) {
        total += std::min(rows, class_pair_[p.a] * ranked_[0][q].bound);
      }
    }
    return total;
  }
  for (size_t q = 0; q < ranked_[3].size() && static_cast<double>(q) < pairs; ++q) {
    total += std::min(rows, ranked_[3][q].bound);  // descending
  }
  return total;
}

LevelCaps UnitCaps::for_feature(size_t i) const {
  // The largest entry of a list whose columns do not include i (i is not its own parent);
  // none: that level has no parent set for i (the caps stay infinite, min(n, q) holds).
  if (d_ == 0) return caps_;  // not measured: the bound without the data holds
  const double limit = child_configs_[i];
  auto first_without = [&](const std::vector<Pair>& list) {
    for (const Pair& p : list) {
      if (p.a != i && p.b != i && configs(p.a, p.b) <= limit) return p.bound;
    }
    return 0.0;  // no parent set i may take at this level
  };
  LevelCaps caps = caps_;
  caps.groups[1] = first_without(ranked_[0]);
  caps.blocks[1] = first_without(ranked_[1]);
  caps.entries[0] = class_pair_[i];
  if (partial_) {
    // Two parents a != b without i: at most the two largest levels' product
    // configurations, and (class, a) pairs times b's levels blocks.
    double top[2] = {0, 0};
    size_t found = 0;
    for (size_t q = 0; q < ranked_[0].size() && found < 2; ++q) {
      if (ranked_[0][q].a != i) top[found++] = ranked_[0][q].bound;
    }
    const double first = top[0], second = top[1];
    caps.groups[2] = first * second;
    caps.blocks[2] = caps.blocks[1] * first;
    return caps;
  }
  caps.groups[2] = first_without(ranked_[2]);
  caps.blocks[2] = first_without(ranked_[3]);
  double level1 = 0;
  for (const Pair& p : ranked_[0]) {
    if (p.a != i && configs(p.a, p.b) <= limit) {
      level1 = std::max(level1, child_bound_[p.a * d_ + i]);
    }
  }
  if (!ranked_[0].empty()) caps.entries[1] = level1;
  if (!level2_entries_.empty()) caps.entries[2] = level2_entries_[i];
  return caps;
}

LevelCaps UnitCaps::for_parents(size_t i, const std::vector<uint32_t>& parents) const {
  LevelCaps caps = caps_;
  if (d_ == 0) return caps;  // not measured: the bound without the data holds
  caps.entries[0] = class_pair_[i];
  if (parents.empty()) return caps;
  const size_t a = parents[0];
  caps.groups[1] = parent_codes_[a];
  caps.blocks[1] = parent_pairs_[a];
  // (class, a, i): by the pairs with the class and the codes (all that a wide table counts).
  const double a_child =
      partial_ ? std::min(parent_pairs_[a] * levels_[i], class_pair_[i] * parent_codes_[a])
               : child_bound_[a * d_ + i];
  caps.entries[1] = a_child;
  if (parents.size() < 2) return caps;
  const size_t b = parents[1];
  if (partial_) {
    caps.groups[2] = parent_codes_[a] * parent_codes_[b];
    caps.blocks[2] =
        std::min(parent_pairs_[a] * parent_codes_[b], parent_pairs_[b] * parent_codes_[a]);
    caps.entries[2] = std::min(a_child * parent_codes_[b], caps.blocks[2] * levels_[i]);
    return caps;
  }
  caps.groups[2] = pair_configs_[a * d_ + b];
  caps.blocks[2] = parent_bound_[a * d_ + b];
  caps.entries[2] =
      std::min({a_child * parent_codes_[b], child_bound_[b * d_ + i] * parent_codes_[a],
                caps.blocks[2] * levels_[i]});
  return caps;
}

}  // namespace meg::ensemble
