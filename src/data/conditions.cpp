// TableCodec conditions: "COL=VALUE" parsing and range-constrained decoding.
#include <algorithm>

#include <fmt/format.h>

#include "data/codec.hpp"
#include "data/csv.hpp"
#include "data/row_model.hpp"
#include "meg/error.hpp"

namespace meg::data {

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
    for (const auto& c : out) {
      if (c.column == col) {
        throw InvalidArgument(fmt::format("{}: column '{}' is conditioned twice", quoted, name));
      }
    }
    ColumnCondition cond =
        codecs_[col]->condition(std::string_view(spec).substr(eq + 1), name, quoted);
    cond.column = col;
    out.push_back(std::move(cond));
  }
  return out;
}

void TableCodec::decode_rows(const Code* codes, size_t n_rows, core::Rng& rng, std::string& out,
                             const std::vector<ColumnCondition>& conditions,
                             uint64_t first_row) const {
  if (rows_) return rows_->decode_rows(*this, codes, n_rows, rng, out, &conditions, first_row);
  const size_t d = codecs_.size();
  std::vector<const ColumnCondition*> ranged(d, nullptr);
  for (const auto& c : conditions) {
    if (c.ranged && c.column < d) ranged[c.column] = &c;
  }
  CsvWriter w(out);
  std::string cell;
  for (size_t r = 0; r < n_rows; ++r) {
    for (size_t c = 0; c < d; ++c) {
      cell.clear();
      const Code code = codes[r * d + c];
      if (ranged[c]) {
        codecs_[c]->decode_within(code, ranged[c]->lo, ranged[c]->hi, rng, cell);
      } else {
        codecs_[c]->decode_row(code, first_row + r, rng, cell);
      }
      w.field(cell);
    }
    w.end_row();
  }
}

}  // namespace meg::data
