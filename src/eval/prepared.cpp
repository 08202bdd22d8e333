#include "eval/prepared.hpp"

#include <algorithm>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "meg/error.hpp"

namespace meg::eval {

namespace {

bool is_token(const std::vector<std::string>& tokens, const std::string& s) {
  return std::find(tokens.begin(), tokens.end(), s) != tokens.end();
}

// Distinct present values of `cells` and how many cells are present.
std::pair<size_t, size_t> distinct_present(const std::vector<std::string>& cells,
                                           const std::vector<std::string>& tokens) {
  std::unordered_set<std::string_view> seen;
  size_t present = 0;
  for (const std::string& v : cells) {
    if (is_token(tokens, v)) continue;
    ++present;
    seen.insert(v);
  }
  return {seen.size(), present};
}

}  // namespace

bool is_identifier_column(const data::ColumnSchema& column, const std::vector<std::string>& cells) {
  // When the schema carries a declared role, a column declared `id` is one (and one declared
  // otherwise is not) before any look at the data.
  if (column.type == data::ColumnType::Id) return true;
  if (column.type == data::ColumnType::Continuous || data::is_temporal(column.type)) return false;
  const auto [distinct, present] = distinct_present(cells, column.missing_tokens);
  if (column.type == data::ColumnType::Categorical) {
    return present >= 50 && 20 * distinct >= 19 * present;
  }
  return present >= 1000 && distinct == present;
}

Preprocessor::Preprocessor(const data::CsvTable& train, const data::Schema& schema,
                           const std::string& keep) {
  const size_t n_cols = train.num_cols();
  if (schema.columns.size() != n_cols) {
    throw InvalidArgument(fmt::format("{}: schema has {} columns but the table has {}",
                                      train.source, schema.columns.size(), n_cols));
  }
  for (size_t c = 0; c < n_cols; ++c) {
    const data::ColumnSchema& cs = schema.columns[c];
    if (cs.name != train.header[c]) {
      throw InvalidArgument(fmt::format("{}: schema column {} is '{}' but the table has '{}'",
                                        train.source, c + 1, cs.name, train.header[c]));
    }
    const bool identifier = cs.name != keep && is_identifier_column(cs, train.columns[c]);
    train_columns_.push_back({cs.name, cs.type, 0, identifier});
    if (identifier) {
      train_columns_.back().levels = distinct_present(train.columns[c], cs.missing_tokens).first;
      continue;
    }
    names_.push_back(cs.name);
    kinds_.push_back(cs.type == data::ColumnType::Categorical ? Kind::Categorical : Kind::Numeric);
    missing_tokens_.push_back(cs.missing_tokens);
    patterns_.emplace_back();
    if (data::is_temporal(cs.type) && !cs.format.empty()) {
      patterns_.back() = data::TimePattern::compile(cs.format, fmt::format("column '{}'", cs.name));
    }
    levels_.emplace_back();
    if (kinds_.back() != Kind::Categorical) continue;
    std::unordered_map<std::string, size_t> counts;
    for (const std::string& v : train.columns[c]) {
      if (!is_token(cs.missing_tokens, v)) ++counts[v];
    }
    std::vector<std::pair<std::string, size_t>> sorted(counts.begin(), counts.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    for (auto& [level, count] : sorted) levels_.back().push_back(level);
    train_columns_.back().levels = levels_.back().size();
  }
}

int Preprocessor::column_index(const std::string& name) const {
  auto it = std::find(names_.begin(), names_.end(), name);
  return it == names_.end() ? -1 : static_cast<int>(it - names_.begin());
}

PreparedTable Preprocessor::prepare(const data::CsvTable& table) const {
  // Column matching by name: every evaluated train column must be there, nothing else (an
  // identifier column may be there or not).
  std::vector<int> found(train_columns_.size(), -1);
  for (size_t j = 0; j < table.num_cols(); ++j) {
    auto it = std::find_if(train_columns_.begin(), train_columns_.end(),
                           [&](const ColumnUse& u) { return u.name == table.header[j]; });
    if (it == train_columns_.end()) {
      throw DataError(fmt::format("{}: column '{}' is not in the real train table", table.source,
                                  table.header[j]));
    }
    int& slot = found[static_cast<size_t>(it - train_columns_.begin())];
    if (slot >= 0) {
      throw DataError(fmt::format("{}: column '{}' appears twice", table.source, table.header[j]));
    }
    slot = static_cast<int>(j);
  }
  std::vector<int> source_col;
  for (size_t c = 0; c < train_columns_.size(); ++c) {
    if (train_columns_[c].identifier) continue;  // never read: another table may omit it
    if (found[c] < 0) {
      throw DataError(fmt::format("{}: column '{}' of the real train table is missing",
                                  table.source, train_columns_[c].name));
    }
    source_col.push_back(found[c]);
  }

  PreparedTable out;
  out.source = table.source;
  out.rows = table.num_rows();
  out.columns.resize(names_.size());
  for (size_t c = 0; c < names_.size(); ++c) {
    PreparedColumn& col = out.columns[c];
    col.name = names_[c];
    col.kind = kinds_[c];
    const std::vector<std::string>& cells = table.columns[static_cast<size_t>(source_col[c])];
    const std::vector<std::string>& tokens = missing_tokens_[c];
    if (kinds_[c] == Kind::Numeric) {
      col.values.resize(out.rows);
      for (size_t r = 0; r < out.rows; ++r) {
        if (is_token(tokens, cells[r])) {
          col.values[r] = std::numeric_limits<double>::quiet_NaN();
          continue;
        }
        std::optional<double> v =
            patterns_[c] ? patterns_[c]->parse(cells[r]) : core::parse_double(cells[r]);
        if (!v) {
          uint64_t line = r < table.row_line.size() ? table.row_line[r] : r + 2;
          throw DataError(fmt::format(
              "{}:{}: column '{}' is {} in the real train table but has the value '{}'",
              table.source, line, names_[c],
              patterns_[c] ? "a date/time (format " + patterns_[c]->text() + ")" : "numeric",
              cells[r]));
        }
        col.values[r] = *v;
      }
      continue;
    }
    const auto& levels = levels_[c];
    std::unordered_map<std::string_view, uint32_t> index;
    for (size_t i = 0; i < levels.size(); ++i) index[levels[i]] = static_cast<uint32_t>(i);
    const auto missing = static_cast<uint32_t>(levels.size());
    std::unordered_map<std::string, uint32_t> unseen_index;
    col.codes.resize(out.rows);
    for (size_t r = 0; r < out.rows; ++r) {
      const std::string& s = cells[r];
      if (auto it = index.find(s); it != index.end()) {
        col.codes[r] = it->second;
      } else if (is_token(tokens, s)) {
        col.codes[r] = missing;
      } else {
        auto [it2, inserted] =
            unseen_index.emplace(s, missing + 1 + static_cast<uint32_t>(col.unseen.size()));
        if (inserted) col.unseen.push_back(s);
        col.codes[r] = it2->second;
      }
    }
  }
  return out;
}

}  // namespace meg::eval
