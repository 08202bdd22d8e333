// Learned sums: the bounded candidate search, the choice of sums and the decoding order
// (data/sum_rules.hpp).
#include "data/sum_rules.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "core/rng.hpp"

namespace meg::data {
namespace {

// A signed single column or pair, by slot (b = -1: a single).
struct Half {
  double key = 0, key2 = 0;  // sorted by key; key2 (other weights) screens a match
  int a = -1, b = -1;
  int sa = 1, sb = 1;
};

// '+' parts minus '-' parts: a plain sum of many parts ranks above a short one, a
// difference below both.
int plus_parts(const SumRule& r) { return std::accumulate(r.signs.begin(), r.signs.end(), 0); }

}  // namespace

std::vector<SumRule> orientations(const SumRule& rule) {
  // The relation sum(c_i x_i) = 0: the total's c is 1, a part's -sign; as x_k's sum,
  // x_k = sum over i != k of -c_i c_k x_i.
  std::vector<std::pair<uint32_t, int>> terms = {{rule.total, 1}};
  for (size_t j = 0; j < rule.parts.size(); ++j) terms.push_back({rule.parts[j], -rule.signs[j]});
  std::vector<SumRule> out;
  for (size_t k = 0; k < terms.size(); ++k) {
    SumRule o;
    o.learned = rule.learned;
    o.total = terms[k].first;
    for (size_t i = 0; i < terms.size(); ++i) {
      if (i == k) continue;
      o.parts.push_back(terms[i].first);
      o.signs.push_back(-terms[i].second * terms[k].second);
    }
    out.push_back(std::move(o));
  }
  std::stable_sort(out.begin(), out.end(), [](const SumRule& a, const SumRule& b) {
    const int pa = plus_parts(a), pb = plus_parts(b);
    return pa != pb ? pa > pb : a.total > b.total;
  });
  return out;
}

std::vector<SumRule> sum_candidates(const std::vector<double>& sample, size_t s,
                                    const std::vector<uint32_t>& cols,
                                    const std::vector<double>& units, uint64_t seed) {
  const size_t p = cols.size();
  // Sample rows with every column present; a column missing in many of them is dropped
  // (the most-missing first) until at least kSumKeyRows rows are complete.
  std::vector<bool> use(p, true);
  std::vector<size_t> rows;
  for (;;) {
    rows.clear();
    std::vector<size_t> missing(p, 0);
    for (size_t r = 0; r < s; ++r) {
      bool all = true;
      for (size_t i = 0; i < p; ++i) {
        if (use[i] && std::isnan(sample[r * p + i])) {
          all = false;
          ++missing[i];
        }
      }
      if (all) rows.push_back(r);
    }
    const size_t worst =
        static_cast<size_t>(std::max_element(missing.begin(), missing.end()) - missing.begin());
    if (rows.size() >= kSumKeyRows || missing[worst] == 0) break;
    use[worst] = false;
  }
  if (rows.size() < 2) return {};
  auto x = [&](size_t r, size_t i) { return sample[rows[r] * p + i]; };
  // Constant columns (on these rows) take no part: a constant 0 would add nothing.
  std::vector<int> slots;
  for (size_t i = 0; i < p; ++i) {
    bool varies = false;
    for (size_t r = 1; r < rows.size() && use[i] && !varies; ++r) varies = x(r, i) != x(0, i);
    if (varies) slots.push_back(static_cast<int>(i));
  }
  if (slots.size() < 3) return {};
  // Key rows: first those where a column not yet seen twice away from 0 is away from 0
  // (a column 0 in every key row would have key 0 and match everything), then the others
  // in order, kSumKeyRows in all.
  std::vector<size_t> key_rows;
  std::vector<int> seen(p, 0);
  std::vector<bool> taken(rows.size(), false);
  for (size_t r = 0; r < rows.size() && key_rows.size() < kSumKeyRows; ++r) {
    bool helps = false;
    for (int i : slots) helps = helps || (x(r, i) != 0 && seen[i] < 2);
    if (!helps) continue;
    for (int i : slots) seen[i] += x(r, i) != 0;
    key_rows.push_back(r);
    taken[r] = true;
  }
  for (size_t r = 0; r < rows.size() && key_rows.size() < kSumKeyRows; ++r) {
    if (!taken[r]) key_rows.push_back(r);
  }
  // Two keys per column: random positive combinations of the key rows.
  core::Rng rng(seed);
  const size_t nk = key_rows.size();
  std::vector<double> w(nk), w2(nk);
  for (size_t r = 0; r < nk; ++r) {
    w[r] = 1.0 + rng.uniform();
    w2[r] = 1.0 + rng.uniform();
  }
  const double weight = std::accumulate(w.begin(), w.end(), 0.0);
  const double weight2 = std::accumulate(w2.begin(), w2.end(), 0.0);
  std::vector<double> key(p, 0.0), key2(p, 0.0);
  double magnitude = 0;  // the largest sum of |weighted values| of a column
  for (int i : slots) {
    double mag = 0;
    for (size_t r = 0; r < nk; ++r) {
      const double v = x(key_rows[r], i);
      key[i] += w[r] * v;
      key2[i] += w2[r] * v;
      mag += 2 * std::abs(v);
    }
    magnitude = std::max(magnitude, mag);
  }
  std::vector<Half> halves;
  for (size_t u = 0; u < slots.size(); ++u) {
    for (int su : {1, -1}) {
      const int a = slots[u];
      halves.push_back({su * key[a], su * key2[a], a, -1, su, 1});
      for (size_t v = u + 1; v < slots.size(); ++v) {
        const int b = slots[v];
        for (int sv : {1, -1}) {
          halves.push_back({su * key[a] + sv * key[b], su * key2[a] + sv * key2[b], a, b, su, sv});
        }
      }
    }
  }
  std::sort(halves.begin(), halves.end(), [](const Half& l, const Half& r) {
    return std::tie(l.key, l.a, l.b, l.sa, l.sb) < std::tie(r.key, r.a, r.b, r.sa, r.sb);
  });
  // Relations found, canonical: sorted slots with signs, the first slot's sign +1.
  std::map<std::vector<std::pair<int, int>>, bool> found;
  std::vector<SumRule> out;
  size_t visits = 0;  // key matches looked at
  // Fewer parts first (2, then 3, then 4), so the simplest relations fill the bounds first.
  for (size_t parts = 2; parts <= 4; ++parts) {
    for (int t : slots) {
      const double tol = weight * 0.5 * units[t] + 1e-9 * 5 * magnitude;
      const double tol2 = weight2 * 0.5 * units[t] + 1e-9 * 5 * magnitude;
      for (size_t ia = 0;
           ia < halves.size() && out.size() < kMaxSumCandidates && visits < kMaxSumVisits; ++ia) {
        const Half& A = halves[ia];
        if (A.a == t || A.b == t) continue;
        const double target = key[t] - A.key;
        auto it =
            std::lower_bound(halves.begin() + static_cast<std::ptrdiff_t>(ia) + 1, halves.end(),
                             target - tol, [](const Half& h, double v) { return h.key < v; });
        for (; it != halves.end() && it->key <= target + tol && visits < kMaxSumVisits; ++it) {
          ++visits;
          const Half& B = *it;
          if ((A.b >= 0) + (B.b >= 0) + 2u != parts) continue;
          if (std::abs(key2[t] - A.key2 - B.key2) > tol2) continue;
          if (B.a == t || B.b == t || B.a == A.a || B.a == A.b || (B.b >= 0 && B.b == A.a) ||
              (B.b >= 0 && B.b == A.b)) {
            continue;
          }
          std::vector<std::pair<int, int>> terms = {{t, 1}, {A.a, -A.sa}, {B.a, -B.sa}};
          if (A.b >= 0) terms.push_back({A.b, -A.sb});
          if (B.b >= 0) terms.push_back({B.b, -B.sb});
          std::sort(terms.begin(), terms.end());
          if (terms[0].second < 0) {
            for (auto& term : terms) term.second = -term.second;
          }
          if (!found.emplace(terms, true).second) continue;
          SumRule rule;
          rule.learned = true;
          rule.total = static_cast<uint32_t>(terms[0].first);
          for (size_t j = 1; j < terms.size(); ++j) {
            rule.parts.push_back(static_cast<uint32_t>(terms[j].first));
            rule.signs.push_back(-terms[0].second * terms[j].second);
          }
          rule = orientations(rule)[0];
          const uint32_t total = rule.total;
          // Every sample row with the relation's columns present.
          bool holds = true;
          for (size_t r = 0; r < s && holds; ++r) {
            const double* row = &sample[r * p];
            double sum = 0, mag = std::abs(row[total]);
            for (size_t j = 0; j < rule.parts.size(); ++j) {
              sum += rule.signs[j] * row[rule.parts[j]];
              mag += std::abs(row[rule.parts[j]]);
            }
            if (std::isnan(sum) || std::isnan(row[total])) continue;
            holds = sum_within(row[total], sum, mag, units[total]);
          }
          if (!holds) continue;
          // Slots to columns.
          rule.total = cols[rule.total];
          for (uint32_t& part : rule.parts) part = cols[part];
          out.push_back(std::move(rule));
          if (out.size() >= kMaxSumCandidates) break;
        }
      }
    }
  }
  return out;
}

void keep_verified(std::vector<SumRule>& candidates, uint64_t rows, size_t num_cols,
                   const std::vector<double>& unit, const ValueSource& values) {
  std::vector<int> slot(num_cols, -1);  // the involved columns' slots in the buffer
  std::vector<uint32_t> used;
  for (const auto& rule : candidates) {
    for (uint32_t c : rule.parts) used.push_back(c);
    used.push_back(rule.total);
  }
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  for (size_t i = 0; i < used.size(); ++i) slot[used[i]] = static_cast<int>(i);
  const size_t block = std::max<size_t>(1024, (size_t{1} << 20) / std::max<size_t>(used.size(), 1));
  std::vector<double> buf(used.size() * block);
  std::vector<bool> holds(candidates.size(), true);
  for (uint64_t first = 0; first < rows && !used.empty(); first += block) {
    const size_t len = static_cast<size_t>(std::min<uint64_t>(block, rows - first));
    for (size_t i = 0; i < used.size(); ++i) values(used[i], first, len, &buf[i * block]);
    for (size_t k = 0; k < candidates.size(); ++k) {
      if (!holds[k]) continue;
      const SumRule& rule = candidates[k];
      const double* t = &buf[static_cast<size_t>(slot[rule.total]) * block];
      bool ok = true;
      for (size_t r = 0; r < len && ok; ++r) {
        double sum = 0, mag = std::abs(t[r]);
        for (size_t j = 0; j < rule.parts.size(); ++j) {
          const double v = buf[static_cast<size_t>(slot[rule.parts[j]]) * block + r];
          sum += rule.signs[j] * v;
          mag += std::abs(v);
        }
        ok = std::isnan(sum) || std::isnan(t[r]) || sum_within(t[r], sum, mag, unit[rule.total]);
      }
      holds[k] = ok;
    }
  }
  size_t n = 0;
  for (size_t k = 0; k < candidates.size(); ++k) {
    if (!holds[k]) continue;
    if (n != k) candidates[n] = std::move(candidates[k]);
    ++n;
  }
  candidates.resize(n);
}

std::vector<SumRule> choose_sums(const std::vector<SumRule>& declared, std::vector<SumRule> learned,
                                 const std::vector<double>& unit) {
  std::stable_sort(learned.begin(), learned.end(), [](const SumRule& a, const SumRule& b) {
    const int pa = plus_parts(a), pb = plus_parts(b);
    return pa != pb ? pa > pb : a.parts.size() < b.parts.size();
  });
  std::vector<SumRule> kept = declared;
  // Whether column c depends on `target` through the totals kept (c is target, or c is a
  // total one of whose parts depends on it).
  auto depends = [&](auto&& self, uint32_t c, uint32_t target, int depth) -> bool {
    if (c == target) return true;
    if (depth > 64) return true;  // deeper than any acyclic chain of 64 totals: refuse
    for (const auto& s : kept) {
      if (s.total != c) continue;
      for (uint32_t p : s.parts) {
        if (self(self, p, target, depth + 1)) return true;
      }
    }
    return false;
  };
  for (const auto& relation : learned) {
    for (auto& rule : unit.empty() ? std::vector<SumRule>{relation} : orientations(relation)) {
      // Verified within the relation's total's rounding: a total of a coarser or equal step.
      bool ok = unit.empty() || unit[rule.total] >= unit[relation.total];
      for (const auto& s : kept) ok = ok && s.total != rule.total;
      for (uint32_t p : rule.parts) ok = ok && !depends(depends, p, rule.total, 0);
      if (ok) {
        kept.push_back(std::move(rule));
        break;
      }
    }
  }
  return kept;
}

std::vector<uint32_t> decode_order(size_t num_cols, const std::vector<SumRule>& sums) {
  std::vector<int> sum_of(num_cols, -1);
  for (size_t i = 0; i < sums.size(); ++i) {
    if (sums[i].total < num_cols && sum_of[sums[i].total] < 0) {
      sum_of[sums[i].total] = static_cast<int>(i);
    }
  }
  std::vector<bool> placed(num_cols, false);
  std::vector<uint32_t> order;
  auto place = [&](uint32_t c) {
    order.push_back(c);
    placed[c] = true;
  };
  for (uint32_t c = 0; c < num_cols; ++c) {
    if (sum_of[c] >= 0) continue;
    place(c);
    // Totals whose parts are now all placed, repeatedly (a total can be another's part).
    for (bool more = true; more;) {
      more = false;
      for (const auto& s : sums) {
        if (s.total >= num_cols || placed[s.total]) continue;
        bool ready = true;
        for (uint32_t p : s.parts) ready = ready && p < num_cols && placed[p];
        if (ready) {
          place(s.total);
          more = true;
        }
      }
    }
  }
  for (uint32_t c = 0; c < num_cols; ++c) {
    if (!placed[c]) place(c);
  }
  return order;
}

}  // namespace meg::data
