// Decoding rows with the row model: donor positions, order rules, declared sums
// (data/row_model.hpp).
#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "data/csv.hpp"
#include "data/row_model.hpp"

namespace meg::data {
namespace {

constexpr size_t kDonorTries = 32;  // donors compared in a long run of equal prefixes
constexpr uint64_t kLevelGap = 2;   // distance of two different categorical codes (bins: |a - b|)

}  // namespace

size_t RowModel::pick_donor(const Code* row, core::Rng& rng) const {
  const size_t k = key_cols_.size();
  // Donors are sorted by their key; those sharing the longest prefix with the row's key
  // form one run: find where the row's key would go, the longest prefix it shares with a
  // neighbour there, then that prefix's run.
  std::array<Code, kMaxRuleColumns> q;  // the row's key
  for (size_t t = 0; t < k; ++t) q[t] = row[key_cols_[t]];
  // lower_bound (upper: upper_bound) of the row's first len codes within [a, b), every
  // donor of which shares the row's first `known` codes. The prefix shared with the row by
  // the donors on both sides of the remaining range is shared by every donor between them
  // (they are sorted), so each comparison starts there.
  auto bound = [&](size_t len, bool upper, size_t a, size_t b, size_t known) {
    size_t left = known, right = known;
    while (a < b) {
      const size_t mid = (a + b) / 2;
      const uint32_t* key = &keys_[mid * k];
      size_t t = std::min(left, right);
      while (t < len && key[t] == q[t]) ++t;
      const bool go_right = t == len ? upper : key[t] < q[t];
      if (go_right) {
        a = mid + 1;
        left = t;
      } else {
        b = mid;
        right = t;
      }
    }
    return a;
  };
  auto common = [&](size_t i) {
    size_t t = 0;
    while (t < k && keys_[i * k + t] == q[t]) ++t;
    return t;
  };
  // The donors whose first code is the row's: [first, last) (empty: none shares it).
  size_t first = n_donors_, last = n_donors_;
  if (k > 0 && q[0] + size_t{1} < first_begin_.size()) {
    first = first_begin_[q[0]];
    last = first_begin_[q[0] + 1];
  } else if (!first_begin_.empty()) {
    first = last = first_begin_.back();
  }
  size_t len = 0, lo = 0, hi = n_donors_;  // no donor shares even the first code: every donor
  if (first < last) {
    const size_t at = bound(k, false, first, last, 1);
    if (at < n_donors_) len = common(at);
    if (at > 0) len = std::max(len, common(at - 1));
    // The run of a shorter prefix holds `at` - 1 or `at`: it starts at or before `at` and
    // ends at or after it; it lies inside [first, last) as len >= 1.
    // Runs are mostly short: gallop out from `at` (nearby memory), then search the last
    // step. Donors before `at` are below the row's key, the others above or equal.
    auto shares = [&](size_t i) {
      size_t t = 1;
      while (t < len && keys_[i * k + t] == q[t]) ++t;
      return t == len;
    };
    size_t begin = first, end = at;  // [end, at) share the prefix; lo is in [begin, end]
    for (size_t step = 1; at - first >= step; step *= 2) {
      if (!shares(at - step)) {
        begin = at - step;
        break;
      }
      end = at - step;
    }
    lo = bound(len, false, begin, end, 1);
    begin = at, end = last;  // [at, begin) share the prefix; hi is in [begin, end]
    for (size_t step = 1; at + step - 1 < last; step *= 2) {
      if (!shares(at + step - 1)) {
        end = at + step - 1;
        break;
      }
      begin = at + step;
    }
    hi = bound(len, true, begin, end, 1);
  }
  const size_t run = hi - lo;
  if (len == k || run == 1) return lo + static_cast<size_t>(rng.below(run));
  // Within the run, the donor whose remaining bins are nearest (L1 over bin codes) among
  // all of a short run or kDonorTries drawn from a long one; ties drawn uniformly.
  const bool all = run <= kDonorTries;
  size_t best = lo, ties = 0;
  uint64_t best_gap = UINT64_MAX;
  for (size_t t = 0; t < std::min(run, kDonorTries); ++t) {
    const size_t i = all ? lo + t : lo + static_cast<size_t>(rng.below(run));
    uint64_t gap = 0;
    for (size_t j = len; j < k; ++j) {
      const int64_t diff = static_cast<int64_t>(keys_[i * k + j]) - q[j];
      if (!key_numeric_[j]) {
        gap += diff != 0 ? kLevelGap : 0;  // categorical codes: equal or not
      } else {
        gap += static_cast<uint64_t>(diff < 0 ? -diff : diff);  // bins: how far apart
      }
    }
    if (gap < best_gap) {
      best_gap = gap;
      best = i;
      ties = 1;
    } else if (gap == best_gap && rng.below(++ties) == 0) {
      best = i;
    }
  }
  return best;
}

void RowModel::decode_rows(const TableCodec& codec, const Code* codes, size_t n_rows,
                           core::Rng& rng, std::string& out,
                           const std::vector<ColumnCondition>* conditions,
                           uint64_t first_row) const {
  const size_t d = codec.num_cols();
  const size_t k = key_cols_.size();
  std::vector<const ColumnCondition*> ranged(d, nullptr);
  std::vector<bool> conditioned(d, false);  // a condition's column is never linked
  if (conditions) {
    for (const auto& c : *conditions) {
      if (c.ranged() && c.column < d) ranged[c.column] = &c;
      if (c.column < d) conditioned[c.column] = true;
    }
  }
  const size_t nl = links_.size();
  std::vector<const NumericView*> views(d);
  for (size_t c = 0; c < d; ++c) views[c] = codec.column(c).numeric_view();
  std::vector<double> value(d);
  std::vector<size_t> index(d);  // the training value's index, or kNoIndex
  std::vector<bool> has(d);
  std::vector<double> lo_at(d), hi_at(d);  // the interval each decoded value had to keep
  std::string cell;
  // The interval column c's order rules allow, given the columns already decoded.
  auto order_bounds = [&](size_t c, double* lo, double* hi) {
    *lo = -INFINITY;
    *hi = INFINITY;
    for (uint32_t a : lower_of_[c]) {
      if (has[a]) *lo = std::max(*lo, value[a]);
    }
    for (uint32_t b : upper_of_[c]) {
      if (has[b]) *hi = std::min(*hi, value[b]);
    }
  };
  // A value written in column c's step (the text it will have).
  auto rounded = [&](size_t c, double v) {
    return units_[c] > 0 ? std::round(v / units_[c]) * units_[c] : v;
  };
  // Sets sum i's total from its decoded parts, inside the interval its range and order
  // rules allow: when the sum falls outside it, the parts free to move (nothing decoded
  // since depends on them: RowModel::movable_) are moved, the latest first, each inside its
  // own interval, until the sum lands in it; else the sum is kept. False when a part is
  // missing, or when the sum cannot meet the total's condition `within` (may be null): the
  // total is then decoded as usual.
  auto decode_total = [&](size_t i, const Code* row, const ValueRange* within) {
    const SumRule& s = sums_[i];
    const uint32_t c = s.total;
    double sum = 0;
    for (size_t j = 0; j < s.parts.size(); ++j) {
      const uint32_t p = s.parts[j];
      if (!has[p]) return false;
      if (index[p] == NumericView::kNoIndex) value[p] = rounded(p, value[p]);
      sum += s.signs[j] * value[p];
    }
    // The total's range and order rules, but for those with column `skip`.
    auto bounds_without = [&](uint32_t skip, double* lo, double* hi) {
      *lo = within ? std::max(views[c]->min_value(), within->lo) : views[c]->min_value();
      *hi = within ? std::min(views[c]->max_value(), within->hi) : views[c]->max_value();
      for (uint32_t a : lower_of_[c]) {
        if (has[a] && a != skip) *lo = std::max(*lo, value[a]);
      }
      for (uint32_t b : upper_of_[c]) {
        if (has[b] && b != skip) *hi = std::min(*hi, value[b]);
      }
    };
    double lo, hi;
    bounds_without(static_cast<uint32_t>(d), &lo, &hi);
    for (const size_t j : movable_[i]) {
      const uint32_t p = s.parts[j];
      if (!(sum < lo || sum > hi)) break;
      if (conditioned[p]) continue;
      const int sign = s.signs[j];
      const double rest = sum - sign * value[p];
      // p inside its own interval, rest + sign * p inside the total's other bounds, and
      // p's own rule with the total (p <= rest - p: p <= rest / 2 for a '-' part; with a
      // '+' part it does not depend on p).
      double tlo, thi;
      bounds_without(p, &tlo, &thi);
      double a = std::max(lo_at[p], sign > 0 ? tlo - rest : rest - thi);
      double b = std::min(hi_at[p], sign > 0 ? thi - rest : rest - tlo);
      auto has_rule = [&](const std::vector<uint32_t>& v) {
        return std::find(v.begin(), v.end(), p) != v.end();
      };
      if (sign < 0 && has_rule(lower_of_[c])) b = std::min(b, rest / 2);
      if (sign < 0 && has_rule(upper_of_[c])) a = std::max(a, rest / 2);
      double target;
      if (a <= b) {
        target = std::clamp(value[p], a, b);
        double w;
        target = views[p]->nearest_within(row[p], target, a, b, &w) ? w : rounded(p, target);
      } else {  // p's end nearest to the interval; the next part does the rest
        target = (sum < lo) == (sign > 0) ? hi_at[p] : lo_at[p];
      }
      value[p] = target;
      index[p] = NumericView::kNoIndex;
      sum = rest + sign * target;
      bounds_without(static_cast<uint32_t>(d), &lo, &hi);
    }
    sum = rounded(c, sum);
    if (within && (sum < within->lo || sum > within->hi)) return false;
    value[c] = sum;
    index[c] = NumericView::kNoIndex;
    lo_at[c] = lo;
    hi_at[c] = hi;
    has[c] = true;
    return true;
  };
  for (size_t r = 0; r < n_rows; ++r) {
    const Code* row = codes + r * d;
    const size_t row_start = out.size();
    const size_t donor = n_donors_ > 0 ? pick_donor(row, rng) : 0;
    std::fill(has.begin(), has.end(), false);
    for (const uint32_t c : order_) {
      const NumericView* view = views[c];
      const ColumnCodec& cc = codec.column(c);
      if (!view || static_cast<int64_t>(row[c]) == cc.missing_code()) continue;
      // A total under a condition of one range is computed inside it when it can be.
      const ValueRange* within =
          ranged[c] && ranged[c]->ranges.size() == 1 ? &ranged[c]->ranges[0] : nullptr;
      if (sum_of_[c] >= 0 && (!conditioned[c] || within) &&
          decode_total(static_cast<size_t>(sum_of_[c]), row, within)) {
        continue;
      }
      const int link = link_of_[c];
      const double gap =
          link >= 0 && n_donors_ > 0 ? gaps_[donor * nl + static_cast<size_t>(link)] : NAN;
      if (link >= 0 && !conditioned[c] && has[links_[static_cast<size_t>(link)].base] &&
          std::isfinite(gap)) {
        // The earlier column plus the donor's difference, inside the training range.
        double v = std::clamp(value[links_[static_cast<size_t>(link)].base] + gap,
                              view->min_value(), view->max_value());
        double lo, hi;
        order_bounds(c, &lo, &hi);
        if (lo <= hi) v = std::clamp(v, lo, hi);
        lo_at[c] = std::max(lo, view->min_value());
        hi_at[c] = std::min(hi, view->max_value());
        value[c] = v;
        index[c] = NumericView::kNoIndex;
        has[c] = true;
        continue;
      }
      double u;
      if (slot_[c] >= 0) {
        u = (pos_[donor * k + static_cast<size_t>(slot_[c])] + 0.5) / 65536.0 +
            jitter_ * (2.0 * rng.uniform() - 1.0);
        if (u < 0) u = -u;  // reflected at the ends of the bin
        if (u >= 1) u = 2.0 - u;
      } else {
        u = rng.uniform();
      }
      size_t vi = view->index_at(row[c], u);
      double v = vi != NumericView::kNoIndex ? view->value_of(vi) : view->value_at(row[c], u);
      double lo, hi;
      order_bounds(c, &lo, &hi);
      if (ranged[c]) {
        const double kept = keep_within(*view, row[c], v, ranged[c]->ranges, lo, hi);
        if (kept != v) vi = NumericView::kNoIndex;
        v = kept;
      } else if ((v < lo || v > hi) && lo <= hi) {
        double w;
        v = view->nearest_within(row[c], v, lo, hi, &w) ? w : std::clamp(v, lo, hi);
        vi = NumericView::kNoIndex;
      }
      lo_at[c] = std::max(lo, view->min_value());
      hi_at[c] = std::min(hi, view->max_value());
      value[c] = v;
      index[c] = vi;
      has[c] = true;
    }
    for (size_t c = 0; c < d; ++c) {
      if (c > 0) out.push_back(',');
      if (has[c]) {
        if (index[c] != NumericView::kNoIndex) {  // a number never needs quotes
          views[c]->format_index(index[c], out);
        } else if (views[c]->text_may_need_quotes()) {
          cell.clear();
          views[c]->format_value(value[c], cell);
          append_csv_field(out, cell);
        } else {
          views[c]->format_value(value[c], out);
        }
      } else {
        if (ranged[c]) {  // a ranged column without a numeric view (a date/time column)
          cell.clear();
          codec.column(c).decode_within(row[c], ranged[c]->ranges, rng, cell);
          append_csv_field(out, cell);
        } else {
          codec.column(c).decode_csv_row(row[c], first_row + r, rng, out);
        }
      }
    }
    // A row made of one empty field would read back as a blank (skipped) line.
    if (d == 1 && out.size() == row_start) out.append("\"\"");
    out.push_back('\n');
  }
}

std::vector<std::string> RowModel::describe(const TableCodec& codec) const {
  std::vector<std::string> lines;
  const auto names = codec.column_names();
  for (size_t c = 0; c < names.size(); ++c) {
    const NumericView* v = codec.column(c).numeric_view();
    if (!v) continue;
    std::string lo, hi;
    v->format_value(v->min_value(), lo);
    v->format_value(v->max_value(), hi);
    lines.push_back(fmt::format("{} in [{}, {}]  (range: training values only)", names[c], lo, hi));
  }
  for (const auto& r : rules_) {
    lines.push_back(fmt::format("{} <= {}  ({})", names[r.low], names[r.high],
                                r.declared ? "declared" : "learned: every training row"));
  }
  for (const auto& l : links_) {
    lines.push_back(
        fmt::format("{} = {} + a training row's difference  (learned: a tight order pair)",
                    names[l.later], names[l.base]));
  }
  for (const auto& s : sums_) {
    std::string parts;
    for (size_t j = 0; j < s.parts.size(); ++j) {
      const bool minus = s.signs[j] < 0;
      parts += j == 0 ? (minus ? "-" : "") : (minus ? " - " : " + ");
      parts += names[s.parts[j]];
    }
    lines.push_back(
        fmt::format("{} = {}  ({})", names[s.total], parts,
                    s.learned ? "learned: every training row, within its rounding" : "declared"));
  }
  return lines;
}

}  // namespace meg::data
