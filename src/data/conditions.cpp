// TableCodec conditions: "COL=VALUE" parsing (several on a column = any of them) and
// range-constrained decoding.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "data/codec.hpp"
#include "data/csv.hpp"
#include "data/row_model.hpp"
#include "meg/error.hpp"

namespace meg::data {
namespace {

// `into` allows the values of `more` too (a second condition on the same column).
void merge_condition(ColumnCondition& into, const ColumnCondition& more) {
  into.codes.insert(into.codes.end(), more.codes.begin(), more.codes.end());
  std::sort(into.codes.begin(), into.codes.end());
  into.codes.erase(std::unique(into.codes.begin(), into.codes.end()), into.codes.end());
  auto& r = into.ranges;
  r.insert(r.end(), more.ranges.begin(), more.ranges.end());
  std::sort(r.begin(), r.end(),
            [](const ValueRange& a, const ValueRange& b) { return a.lo < b.lo; });
  size_t kept = 0;  // overlapping ranges become one
  for (size_t i = 0; i < r.size(); ++i) {
    if (kept > 0 && r[i].lo <= r[kept - 1].hi) {
      r[kept - 1].hi = std::max(r[kept - 1].hi, r[i].hi);
    } else {
      r[kept++] = r[i];
    }
  }
  r.resize(kept);
}

}  // namespace

std::vector<ColumnCondition> TableCodec::parse_conditions(
    const std::vector<std::string>& where) const {
  std::vector<ColumnCondition> out;
  const auto names = column_names();
  for (const auto& spec : where) {
    const std::string quoted = fmt::format("condition '{}'", spec);
    // The column name ends at the first '=' not escaped by a backslash: a name holding
    // '=' or '\\' is written with a backslash before it ("a\\=b=1" is column "a=b").
    std::string name;
    size_t eq = std::string::npos;
    for (size_t i = 0; i < spec.size(); ++i) {
      if (spec[i] == '\\' && i + 1 < spec.size() && (spec[i + 1] == '=' || spec[i + 1] == '\\')) {
        name += spec[++i];
      } else if (spec[i] == '=') {
        eq = i;
        break;
      } else {
        name += spec[i];
      }
    }
    if (eq == std::string::npos || name.empty()) {
      throw InvalidArgument(fmt::format(
          "{}: expected COL=VALUE or COL=LO..HI (write '=' and '\\' in a column name as "
          "'\\=' and '\\\\')",
          quoted));
    }
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      std::string list;
      for (size_t i = 0; i < names.size(); ++i) list += (i ? ", " : "") + names[i];
      throw InvalidArgument(
          fmt::format("{}: no column named '{}' (columns: {})", quoted, name, list));
    }
    const size_t col = static_cast<size_t>(it - names.begin());
    ColumnCondition cond =
        codecs_[col]->condition(std::string_view(spec).substr(eq + 1), name, quoted);
    cond.column = col;
    auto same = std::find_if(out.begin(), out.end(),
                             [col](const ColumnCondition& c) { return c.column == col; });
    if (same == out.end()) {
      out.push_back(std::move(cond));
    } else {
      merge_condition(*same, cond);
    }
  }
  return out;
}

double keep_within(const NumericView& view, Code code, double v,
                   const std::vector<ValueRange>& ranges, double lo, double hi) {
  // The candidate of each range met by [lo, hi]: a training value of the bin beats a
  // clamped value, then the nearer wins, then the first range.
  bool found = false, have = false;
  double best = v, best_distance = 0.0;
  for (const auto& r : ranges) {
    const double a = std::max(lo, r.lo), b = std::min(hi, r.hi);
    if (a > b) continue;
    if (v >= a && v <= b) return v;
    double w;
    const bool in_bin = view.nearest_within(code, v, a, b, &w);
    if (!in_bin) w = std::clamp(v, a, b);
    const double distance = std::abs(w - v);
    if (!have || (in_bin && !found) || (in_bin == found && distance < best_distance)) {
      best = w;
      best_distance = distance;
      found = in_bin;
      have = true;
    }
  }
  // No range meets [lo, hi] (an order rule against the condition): the condition wins.
  if (!have && (lo > -INFINITY || hi < INFINITY)) {
    return keep_within(view, code, v, ranges, -INFINITY, INFINITY);
  }
  return best;
}

void TableCodec::decode_rows(const Code* codes, size_t n_rows, core::Rng& rng, std::string& out,
                             const std::vector<ColumnCondition>& conditions,
                             uint64_t first_row) const {
  if (rows_) return rows_->decode_rows(*this, codes, n_rows, rng, out, &conditions, first_row);
  const size_t d = codecs_.size();
  std::vector<const ColumnCondition*> ranged(d, nullptr);
  for (const auto& c : conditions) {
    if (c.ranged() && c.column < d) ranged[c.column] = &c;
  }
  CsvWriter w(out);
  std::string cell;
  for (size_t r = 0; r < n_rows; ++r) {
    for (size_t c = 0; c < d; ++c) {
      cell.clear();
      const Code code = codes[r * d + c];
      if (ranged[c]) {
        codecs_[c]->decode_within(code, ranged[c]->ranges, rng, cell);
      } else {
        codecs_[c]->decode_row(code, first_row + r, rng, cell);
      }
      w.field(cell);
    }
    w.end_row();
  }
}

}  // namespace meg::data
