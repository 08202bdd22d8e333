#include "eval/fidelity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace meg::eval {

namespace {

// Codes with every unseen level pooled into one "other" code (L + 1).
std::vector<uint32_t> pooled_codes(const Preprocessor& pre, size_t c, const PreparedTable& t) {
  const uint32_t other = pre.missing_code(c) + 1;
  std::vector<uint32_t> out = t.columns[c].codes;
  for (uint32_t& v : out) v = std::min(v, other);
  return out;
}

// Codes of at most max_levels + 2 values: the first `max_levels` train levels (most frequent
// first) keep their code K < max_levels, missing becomes min(L, max_levels), and every other
// level (cut, or one train never had) min(L, max_levels) + 1. With L <= max_levels this is
// pooled_codes.
std::vector<uint32_t> capped_codes(const Preprocessor& pre, size_t c, const PreparedTable& t,
                                   size_t max_levels) {
  const uint32_t levels = pre.missing_code(c);
  const auto kept = static_cast<uint32_t>(std::min<size_t>(levels, max_levels));
  std::vector<uint32_t> out = t.columns[c].codes;
  for (uint32_t& v : out) {
    if (v < kept) continue;
    v = v == levels ? kept : kept + 1;
  }
  return out;
}

std::vector<double> shares(const std::vector<uint32_t>& codes, size_t domain) {
  std::vector<double> p(domain, 0.0);
  for (uint32_t v : codes) p[v] += 1.0;
  if (!codes.empty()) {
    for (double& x : p) x /= static_cast<double>(codes.size());
  }
  return p;
}

double ks_with_missing(const std::vector<double>& a, const std::vector<double>& b) {
  auto sorted = [](const std::vector<double>& v) {
    std::vector<double> s;
    s.reserve(v.size());
    for (double x : v) s.push_back(is_missing(x) ? std::numeric_limits<double>::infinity() : x);
    std::sort(s.begin(), s.end());
    return s;
  };
  std::vector<double> sa = sorted(a), sb = sorted(b);
  if (sa.empty() || sb.empty()) return sa.size() == sb.size() ? 0.0 : 1.0;
  const double na = static_cast<double>(sa.size()), nb = static_cast<double>(sb.size());
  size_t i = 0, j = 0;
  double d = 0;
  while (i < sa.size() && j < sb.size()) {
    double x = std::min(sa[i], sb[j]);
    while (i < sa.size() && sa[i] == x) ++i;
    while (j < sb.size() && sb[j] == x) ++j;
    d = std::max(d, std::abs(static_cast<double>(i) / na - static_cast<double>(j) / nb));
  }
  return d;
}

double cramers_v(const std::vector<uint32_t>& a, size_t da, const std::vector<uint32_t>& b,
                 size_t db) {
  const size_t n = a.size();
  if (n == 0) return 0.0;
  std::vector<double> table(da * db, 0.0), ra(da, 0.0), rb(db, 0.0);
  for (size_t r = 0; r < n; ++r) {
    table[a[r] * db + b[r]] += 1;
    ra[a[r]] += 1;
    rb[b[r]] += 1;
  }
  size_t used_a = 0, used_b = 0;
  for (double v : ra) used_a += v > 0;
  for (double v : rb) used_b += v > 0;
  size_t m = std::min(used_a, used_b);
  if (m < 2) return 0.0;
  double chi2 = 0;
  for (size_t i = 0; i < da; ++i) {
    if (ra[i] == 0) continue;
    for (size_t j = 0; j < db; ++j) {
      if (rb[j] == 0) continue;
      double e = ra[i] * rb[j] / static_cast<double>(n);
      double diff = table[i * db + j] - e;
      chi2 += diff * diff / e;
    }
  }
  return std::sqrt(std::min(1.0, chi2 / static_cast<double>(n) / static_cast<double>(m - 1)));
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  double sx = 0, sy = 0;
  size_t n = 0;
  for (size_t r = 0; r < x.size(); ++r) {
    if (is_missing(x[r]) || is_missing(y[r])) continue;
    sx += x[r];
    sy += y[r];
    ++n;
  }
  if (n < 2) return 0.0;
  double mx = sx / static_cast<double>(n), my = sy / static_cast<double>(n);
  double sxx = 0, syy = 0, sxy = 0;
  for (size_t r = 0; r < x.size(); ++r) {
    if (is_missing(x[r]) || is_missing(y[r])) continue;
    sxx += (x[r] - mx) * (x[r] - mx);
    syy += (y[r] - my) * (y[r] - my);
    sxy += (x[r] - mx) * (y[r] - my);
  }
  if (sxx <= 0 || syy <= 0) return 0.0;
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

double correlation_ratio(const std::vector<uint32_t>& cat, size_t domain,
                         const std::vector<double>& num) {
  std::vector<double> sum(domain, 0.0), cnt(domain, 0.0);
  double total = 0;
  size_t n = 0;
  for (size_t r = 0; r < num.size(); ++r) {
    if (is_missing(num[r])) continue;
    sum[cat[r]] += num[r];
    cnt[cat[r]] += 1;
    total += num[r];
    ++n;
  }
  if (n < 2) return 0.0;
  double mean = total / static_cast<double>(n);
  double ss_total = 0;
  for (double v : num) {
    if (!is_missing(v)) ss_total += (v - mean) * (v - mean);
  }
  if (ss_total <= 0) return 0.0;
  double ss_between = 0;
  for (size_t g = 0; g < domain; ++g) {
    if (cnt[g] > 0) {
      double gm = sum[g] / cnt[g];
      ss_between += cnt[g] * (gm - mean) * (gm - mean);
    }
  }
  return std::sqrt(std::clamp(ss_between / ss_total, 0.0, 1.0));
}

}  // namespace

double column_distance(const Preprocessor& pre, size_t c, const PreparedTable& a,
                       const PreparedTable& b) {
  if (pre.kind(c) == Kind::Numeric)
    return ks_with_missing(a.columns[c].values, b.columns[c].values);
  const size_t domain = pre.missing_code(c) + 2;
  std::vector<double> pa = shares(pooled_codes(pre, c, a), domain);
  std::vector<double> pb = shares(pooled_codes(pre, c, b), domain);
  double tv = 0;
  for (size_t i = 0; i < domain; ++i) tv += std::abs(pa[i] - pb[i]);
  return 0.5 * tv;
}

std::vector<std::vector<double>> dependence_matrix(const Preprocessor& pre, const PreparedTable& t,
                                                   size_t max_levels) {
  const size_t m = pre.num_columns();
  std::vector<std::vector<uint32_t>> codes(m);
  std::vector<size_t> domain(m, 0);
  for (size_t c = 0; c < m; ++c) {
    if (pre.kind(c) == Kind::Categorical) {
      codes[c] = capped_codes(pre, c, t, max_levels);
      domain[c] = std::min<size_t>(pre.levels(c).size(), max_levels) + 2;
    }
  }
  std::vector<std::vector<double>> out(m, std::vector<double>(m, 1.0));
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = i + 1; j < m; ++j) {
      bool ci = pre.kind(i) == Kind::Categorical, cj = pre.kind(j) == Kind::Categorical;
      double v;
      if (ci && cj) {
        v = cramers_v(codes[i], domain[i], codes[j], domain[j]);
      } else if (!ci && !cj) {
        v = pearson(t.columns[i].values, t.columns[j].values);
      } else if (ci) {
        v = correlation_ratio(codes[i], domain[i], t.columns[j].values);
      } else {
        v = correlation_ratio(codes[j], domain[j], t.columns[i].values);
      }
      out[i][j] = out[j][i] = v;
    }
  }
  return out;
}

double mean_pairwise_error(const std::vector<std::vector<double>>& a,
                           const std::vector<std::vector<double>>& b) {
  double sum = 0;
  size_t n = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = i + 1; j < a.size(); ++j) {
      sum += std::abs(a[i][j] - b[i][j]);
      ++n;
    }
  }
  return n ? sum / static_cast<double>(n) : 0.0;
}

ColumnChart column_chart(const Preprocessor& pre, size_t c,
                         const std::vector<const PreparedTable*>& tables, int bins,
                         size_t max_levels) {
  ColumnChart chart;
  if (pre.kind(c) == Kind::Categorical) {
    const size_t domain = pre.missing_code(c) + 2;
    std::vector<std::vector<double>> p;
    for (const PreparedTable* t : tables) p.push_back(shares(pooled_codes(pre, c, *t), domain));
    auto name = [&](size_t i) {
      const size_t levels = pre.levels(c).size();
      return i < levels ? pre.levels(c)[i] : i == levels ? "(missing)" : "(unseen)";
    };
    // Levels in train order (most frequent first); empty missing/unseen slots dropped.
    std::vector<size_t> keep;
    for (size_t i = 0; i < domain; ++i) {
      bool any = i < pre.levels(c).size();
      for (const auto& s : p) any |= s[i] > 0;
      if (any) keep.push_back(i);
    }
    chart.type = "bars";
    size_t shown = std::min(keep.size(), max_levels);
    bool pooled = keep.size() > max_levels;
    if (pooled) shown = max_levels - 1;
    for (size_t i = 0; i < shown; ++i) chart.labels.push_back(name(keep[i]));
    if (pooled) chart.labels.push_back(fmt::format("({} more)", keep.size() - shown));
    for (const auto& s : p) {
      std::vector<double> v;
      for (size_t i = 0; i < shown; ++i) v.push_back(s[keep[i]]);
      if (pooled) {
        double rest = 0;
        for (size_t i = shown; i < keep.size(); ++i) rest += s[keep[i]];
        v.push_back(rest);
      }
      chart.shares.push_back(std::move(v));
    }
    return chart;
  }
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const PreparedTable* t : tables) {
    for (double v : t->columns[c].values) {
      if (is_missing(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  chart.type = "histogram";
  if (!(lo <= hi)) lo = hi = 0;
  if (hi == lo) hi = lo + 1;
  chart.min = lo;
  chart.max = hi;
  for (const PreparedTable* t : tables) {
    std::vector<double> h(static_cast<size_t>(bins), 0.0);
    double miss = 0;
    for (double v : t->columns[c].values) {
      if (is_missing(v)) {
        miss += 1;
        continue;
      }
      auto b = static_cast<long>((v - lo) / (hi - lo) * bins);
      h[static_cast<size_t>(std::clamp<long>(b, 0, bins - 1))] += 1;
    }
    double n = static_cast<double>(std::max<size_t>(t->rows, 1));
    for (double& x : h) x /= n;
    chart.shares.push_back(std::move(h));
    chart.missing.push_back(miss / n);
  }
  return chart;
}

}  // namespace meg::eval
