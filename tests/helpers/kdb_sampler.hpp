// Test helper: a known kDB over small categorical columns, with exact joint
// probabilities (by enumeration) and an independent ancestral sampler, so tests
// can check structure recovery and the fidelity of a fitted unit against truth.
//
// Each feature's CPT given its parents pi and the class y is the mixture
//   P(v | pi, y) = s * [v == y mod r] + sum_q (p / |pi|) * [v == pi_q mod r] + (1 - s - p) / r,
// so the class strength s (decreasing along the order) fixes the MI order and the
// copy strength p makes the true parents the most informative given Y.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "data/dataset.hpp"

namespace meg::testing {

struct TrueKdb {
  size_t class_col = 0;
  std::vector<uint32_t> card;                  // per table column
  std::vector<uint32_t> order;                 // features, parents first
  std::vector<std::vector<uint32_t>> parents;  // per table column, ascending
  std::vector<double> class_strength;          // s per table column
  double copy_strength = 0.35;                 // p
  std::vector<double> prior;                   // P(y)

  double cond(size_t col, uint32_t v, const data::Code* row) const {
    const uint32_t r = card[col];
    const uint32_t y = row[class_col];
    const double s = class_strength[col];
    const double p = parents[col].empty() ? 0.0 : copy_strength;
    double prob = (1.0 - s - p) / r + (v == y % r ? s : 0.0);
    for (uint32_t q : parents[col]) {
      if (v == row[q] % r) prob += p / static_cast<double>(parents[col].size());
    }
    return prob;
  }
  double joint(const data::Code* row) const {
    double prob = prior[row[class_col]];
    for (uint32_t col : order) prob *= cond(col, row[col], row);
    return prob;
  }
  data::EncodedDataset sample(size_t n, uint64_t seed) const {
    data::EncodedDataset ds;
    const size_t num_cols = card.size();
    ds.cardinality = card;
    for (size_t c = 0; c < num_cols; ++c) {
      ds.names.push_back(std::string("c").append(std::to_string(c)));
      ds.columns.emplace_back(card[c], n);
    }
    core::Rng rng(seed);
    std::vector<data::Code> row(num_cols, 0);
    for (size_t i = 0; i < n; ++i) {
      row[class_col] = draw(rng, card[class_col], [&](uint32_t v) { return prior[v]; });
      for (uint32_t col : order) {
        row[col] = draw(rng, card[col], [&](uint32_t v) { return cond(col, v, row.data()); });
      }
      for (size_t c = 0; c < num_cols; ++c) ds.columns[c].set(i, row[c]);
    }
    return ds;
  }
  // Calls fn(row, probability) for every joint state (small networks only).
  template <class Fn>
  void enumerate(Fn&& fn) const {
    std::vector<data::Code> row(card.size(), 0);
    while (true) {
      fn(row.data(), joint(row.data()));
      size_t c = 0;
      while (c < card.size() && ++row[c] == card[c]) row[c++] = 0;
      if (c == card.size()) break;
    }
  }

 private:
  template <class P>
  static uint32_t draw(core::Rng& rng, uint32_t r, P&& prob) {
    double u = rng.uniform(), acc = 0.0;
    for (uint32_t v = 0; v + 1 < r; ++v) {
      acc += prob(v);
      if (u < acc) return v;
    }
    return r - 1;
  }
};

// Seven columns, class at column 3 (3 values); six features placed out of index order.
// k = 1: a tree; k = 2: every feature from the third on has two parents.
inline TrueKdb make_true_kdb(int k) {
  TrueKdb t;
  t.class_col = 3;
  t.card = {4, 3, 4, 3, 3, 4, 3};
  t.order = {5, 0, 6, 2, 4, 1};
  t.parents.assign(7, {});
  t.class_strength.assign(7, 0.0);
  const double s[] = {0.85, 0.5, 0.35, 0.25, 0.15, 0.08};
  for (size_t i = 0; i < t.order.size(); ++i) t.class_strength[t.order[i]] = s[i];
  if (k == 1) {
    t.parents[0] = {5};
    t.parents[6] = {0};
    t.parents[2] = {5};
    t.parents[4] = {6};
    t.parents[1] = {2};
  } else {
    t.parents[0] = {5};
    t.parents[6] = {0, 5};
    t.parents[2] = {0, 6};
    t.parents[4] = {5, 6};
    t.parents[1] = {2, 4};
  }
  t.prior = {0.5, 0.3, 0.2};
  return t;
}

}  // namespace meg::testing
