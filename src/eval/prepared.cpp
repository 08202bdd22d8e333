#include "eval/prepared.hpp"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "meg/error.hpp"

namespace meg::eval {

namespace {

bool is_token(const std::vector<std::string>& tokens, const std::string& s) {
  return std::find(tokens.begin(), tokens.end(), s) != tokens.end();
}

}  // namespace

Preprocessor::Preprocessor(const data::CsvTable& train, const data::Schema& schema) {
  const size_t n_cols = train.num_cols();
  if (schema.columns.size() != n_cols) {
    throw InvalidArgument(fmt::format("{}: schema has {} columns but the table has {}",
                                      train.source, schema.columns.size(), n_cols));
  }
  names_ = train.header;
  kinds_.resize(n_cols);
  levels_.resize(n_cols);
  missing_tokens_.resize(n_cols);
  for (size_t c = 0; c < n_cols; ++c) {
    const data::ColumnSchema& cs = schema.columns[c];
    if (cs.name != names_[c]) {
      throw InvalidArgument(fmt::format("{}: schema column {} is '{}' but the table has '{}'",
                                        train.source, c + 1, cs.name, names_[c]));
    }
    kinds_[c] = cs.type == data::ColumnType::Categorical ? Kind::Categorical : Kind::Numeric;
    missing_tokens_[c] = cs.missing_tokens;
    if (kinds_[c] != Kind::Categorical) continue;
    std::unordered_map<std::string, size_t> counts;
    for (const std::string& v : train.columns[c]) {
      if (!is_token(missing_tokens_[c], v)) ++counts[v];
    }
    std::vector<std::pair<std::string, size_t>> sorted(counts.begin(), counts.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    for (auto& [level, count] : sorted) levels_[c].push_back(level);
  }
}

int Preprocessor::column_index(const std::string& name) const {
  auto it = std::find(names_.begin(), names_.end(), name);
  return it == names_.end() ? -1 : static_cast<int>(it - names_.begin());
}

PreparedTable Preprocessor::prepare(const data::CsvTable& table) const {
  // Column matching by name: every train column must be there, nothing else.
  std::vector<int> source_col(names_.size(), -1);
  for (size_t j = 0; j < table.num_cols(); ++j) {
    int c = column_index(table.header[j]);
    if (c < 0) {
      throw DataError(fmt::format("{}: column '{}' is not in the real train table", table.source,
                                  table.header[j]));
    }
    if (source_col[c] >= 0) {
      throw DataError(fmt::format("{}: column '{}' appears twice", table.source, table.header[j]));
    }
    source_col[c] = static_cast<int>(j);
  }
  for (size_t c = 0; c < names_.size(); ++c) {
    if (source_col[c] < 0) {
      throw DataError(fmt::format("{}: column '{}' of the real train table is missing",
                                  table.source, names_[c]));
    }
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
        std::optional<double> v = core::parse_double(cells[r]);
        if (!v) {
          uint64_t line = r < table.row_line.size() ? table.row_line[r] : r + 2;
          throw DataError(
              fmt::format("{}:{}: column '{}' is numeric in the real train table but "
                          "has the value '{}'",
                          table.source, line, names_[c], cells[r]));
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
