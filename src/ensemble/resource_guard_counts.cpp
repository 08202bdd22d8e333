#include "ensemble/resource_guard_counts.hpp"

#include <algorithm>
#include <cstdint>
#include <tuple>

namespace meg::ensemble {

namespace {

constexpr double kObserveBudget = 2.5e8;
constexpr size_t kObserveColumns = 256;
// Triples (class, parent pair) are counted per unit when units x pairs x rows stay within
// this budget (Adult: 15 x 91 x 32,561 = 44 M).
constexpr double kTripleBudget = 1.5e8;
constexpr double kBitmapBits = 1 << 22;

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
  if (data == nullptr || data->num_cols() != d || d > kObserveColumns) return o;
  const double n = static_cast<double>(data->num_rows());
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
  double parents = 0;
  for (bool p : parent) parents += p ? 1 : 0;
  o.triples = static_cast<double>(units.size()) * parents * parents / 2 * n <= kTripleBudget;
  o.levels.resize(d);
  o.pairs.assign(d * d, 0.0);
  for (size_t a = 0; a < d; ++a) {
    std::vector<bool> seen(data->cardinality[a], false);
    data->columns[a].visit([&](auto codes) {
      for (auto c : codes) seen[c] = true;
    });
    o.levels[a] = static_cast<double>(std::count(seen.begin(), seen.end(), true));
  }
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
                   const std::vector<size_t>& candidates, double classes) {
  caps_.blocks[0] = classes;
  if (!o.measured) return;
  constexpr size_t kNone = SIZE_MAX;
  std::vector<uint64_t> seen;
  d_ = o.d;
  pair_bound_.assign(d_ * d_, HUGE_VAL);
  class_pair_.resize(d_);
  for (size_t i = 0; i < d_; ++i) class_pair_[i] = o.pair(u, i);
  for (size_t a : candidates) {
    ranked_[0].push_back({o.levels[a], a, kNone});
    ranked_[1].push_back({o.pair(u, a), a, kNone});
  }
  for (size_t x = 0; x < candidates.size(); ++x) {
    for (size_t y = x + 1; y < candidates.size(); ++y) {
      const size_t a = candidates[x], b = candidates[y];
      double bound = std::min(
          {o.pair(u, a) * o.levels[b], o.pair(u, b) * o.levels[a], o.pair(a, b) * classes});
      const double space = classes * data->cardinality[a] * data->cardinality[b];
      if (o.triples && space <= kBitmapBits) {
        bound = std::min(bound, distinct_triples(*data, u, a, b, seen));
      }
      pair_bound_[a * d_ + b] = pair_bound_[b * d_ + a] = bound;
      ranked_[2].push_back({o.pair(a, b), a, b});
      ranked_[3].push_back({bound, a, b});
    }
  }
  for (auto& list : ranked_) {
    std::sort(list.begin(), list.end(), [](const Pair& p, const Pair& q) {
      return p.bound != q.bound ? p.bound > q.bound : std::tie(p.a, p.b) < std::tie(q.a, q.b);
    });
  }
}

LevelCaps UnitCaps::for_feature(size_t i) const {
  // The largest entry of a list whose columns do not include i (i is not its own parent);
  // none: that level has no parent set for i (the caps stay infinite, min(n, q) holds).
  auto first_without = [i](const std::vector<Pair>& list) {
    for (const Pair& p : list) {
      if (p.a != i && p.b != i) return p.bound;
    }
    return HUGE_VAL;
  };
  LevelCaps caps = caps_;
  caps.groups[1] = first_without(ranked_[0]);
  caps.blocks[1] = first_without(ranked_[1]);
  caps.groups[2] = first_without(ranked_[2]);
  caps.blocks[2] = first_without(ranked_[3]);
  if (d_ == 0) return caps;
  caps.entries[0] = class_pair_[i];
  double level1 = 0;
  for (const Pair& p : ranked_[0]) {
    if (p.a != i) level1 = std::max(level1, pair_bound_[p.a * d_ + i]);
  }
  if (!ranked_[0].empty()) caps.entries[1] = level1;
  return caps;
}

}  // namespace meg::ensemble
