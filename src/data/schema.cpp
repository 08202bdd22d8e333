#include "data/schema.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/file_io.hpp"
#include "core/json_text.hpp"
#include "core/strings.hpp"
#include "data/column_profile.hpp"
#include "data/datetime_format.hpp"
#include "meg/error.hpp"

namespace meg::data {

const char* to_string(ColumnType t) {
  switch (t) {
    case ColumnType::Categorical:
      return "categorical";
    case ColumnType::Integer:
      return "integer";
    case ColumnType::Continuous:
      return "continuous";
    case ColumnType::Id:
      return "id";
    case ColumnType::Datetime:
      return "datetime";
    case ColumnType::Date:
      return "date";
    case ColumnType::Time:
      return "time";
  }
  return "?";
}
const char* to_string(DiscretizerKind d) {
  return d == DiscretizerKind::Quantile ? "quantile" : "dpgmm";
}
const char* to_string(NumericDecode d) {
  return d == NumericDecode::Empirical ? "empirical"
         : d == NumericDecode::Uniform ? "uniform"
                                       : "jitter";
}

int Schema::column_index(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

bool is_integer_text(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i >= s.size() || s.size() - i > 15) return false;  // exact in a double
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

Schema infer_schema(const CsvTable& table, const InferOptions& options) {
  Schema schema;
  for (size_t c = 0; c < table.num_cols(); ++c) {
    ColumnPlan plan;
    plan.source = table.source;
    plan.name = table.header[c];
    plan.index = c;
    plan.infer_tokens = plan.tokens = options.missing_tokens;
    plan.max_categorical_numeric = options.max_categorical_numeric;
    ColumnProfile profile(std::move(plan));
    add_table_column(profile, table, c);
    schema.columns.push_back(profile.infer(options));
  }
  return schema;
}

nlohmann::ordered_json schema_to_json(const Schema& schema) {
  nlohmann::ordered_json out;
  // Tokens shared by every column are printed once at the top.
  std::vector<std::string> common;
  bool shared = !schema.columns.empty();
  for (const auto& c : schema.columns)
    shared = shared && c.missing_tokens == schema.columns[0].missing_tokens;
  if (shared) {
    common = schema.columns[0].missing_tokens;
    out["missing_tokens"] = common;
  }
  nlohmann::ordered_json cols = nlohmann::ordered_json::array();
  for (const auto& c : schema.columns) {
    nlohmann::ordered_json j;
    j["name"] = c.name;
    j["type"] = to_string(c.type);
    if (is_temporal(c.type) && !c.format.empty()) j["format"] = c.format;
    if (is_binned(c.type)) {
      j["discretizer"] = to_string(c.discretizer);
      if (c.discretizer == DiscretizerKind::Quantile) {
        j["bins"] = c.bins;
      } else {
        j["components"] = c.components;
      }
      j["decode"] = to_string(c.decode);
    }
    j["distinct"] = c.distinct;
    j["missing"] = c.missing;
    if (!shared) j["missing_tokens"] = c.missing_tokens;
    cols.push_back(std::move(j));
  }
  out["columns"] = std::move(cols);
  return out;
}

namespace {

template <class Enum>
Enum parse_enum(const nlohmann::json& v,
                std::initializer_list<std::pair<const char*, Enum>> options,
                const std::string& where) {
  if (v.is_string()) {
    for (const auto& [name, value] : options) {
      if (v.get<std::string>() == name) return value;
    }
  }
  std::string allowed;
  for (const auto& [name, value] : options) {
    if (!allowed.empty()) allowed += ", ";
    allowed += name;
  }
  throw DataError(fmt::format("{}: invalid value {} (expected one of: {})", where,
                              core::json_excerpt(v), allowed));
}

std::vector<std::string> parse_tokens(const nlohmann::json& v, const std::string& where) {
  if (!v.is_array()) throw DataError(where + ": expected an array of strings");
  std::vector<std::string> out;
  for (const auto& t : v) {
    if (!t.is_string()) throw DataError(where + ": expected an array of strings");
    out.push_back(t.get<std::string>());
  }
  return out;
}

// A temporal column's format must compile and fit its type (no time in a date, ...).
void check_format(const ColumnSchema& col, const std::string& where) {
  if (!is_temporal(col.type) || col.format.empty()) return;
  const TimePattern p = TimePattern::compile(col.format, where + ": format");
  const bool ok = col.type == ColumnType::Date   ? p.has_date() && !p.has_time()
                  : col.type == ColumnType::Time ? p.has_time() && !p.has_date()
                                                 : p.epoch() || (p.has_date() && p.has_time());
  if (!ok) {
    throw DataError(fmt::format("{}: format '{}' does not fit type {}", where,
                                core::printable(col.format), to_string(col.type)));
  }
}

}  // namespace

Schema apply_schema_overrides(const Schema& inferred, const nlohmann::json& overrides,
                              const std::string& source) {
  Schema out = inferred;
  if (!overrides.is_object()) throw DataError(source + ": a schema must be a JSON object");
  for (const auto& [key, value] : overrides.items()) {
    if (key == "missing_tokens") {
      auto tokens = parse_tokens(value, source + ": missing_tokens");
      for (auto& c : out.columns) c.missing_tokens = tokens;
    } else if (key != "columns" && key != "source" && key != "rows" && key != "constraints") {
      // ("constraints" is read by data::parse_constraints, data/row_model.hpp)
      throw DataError(
          fmt::format("{}: unknown key '{}' (expected 'columns', 'missing_tokens', 'constraints')",
                      source, key));
    }
  }
  if (!overrides.contains("columns")) return out;
  const auto& cols = overrides["columns"];
  if (!cols.is_array()) throw DataError(source + ": 'columns' must be an array");
  std::set<std::string> seen;
  for (size_t i = 0; i < cols.size(); ++i) {
    const auto& jc = cols[i];
    std::string where = fmt::format("{}: columns[{}]", source, i);
    if (!jc.is_object() || !jc.contains("name") || !jc["name"].is_string()) {
      throw DataError(where + ": each column needs a \"name\"");
    }
    std::string name = jc["name"].get<std::string>();
    where = fmt::format("{}: column '{}'", source, core::printable(name));
    int idx = out.column_index(name);
    if (idx < 0) throw DataError(where + ": no such column in the data");
    if (!seen.insert(name).second) throw DataError(where + ": listed twice");
    ColumnSchema& col = out.columns[static_cast<size_t>(idx)];
    for (const auto& [key, value] : jc.items()) {
      if (key == "name" || key == "distinct" || key == "missing" || key == "codes" ||
          key == "levels") {
        continue;  // informational fields printed by `meg schema`
      }
      if (key == "type") {
        col.type = parse_enum<ColumnType>(value,
                                          {{"categorical", ColumnType::Categorical},
                                           {"integer", ColumnType::Integer},
                                           {"continuous", ColumnType::Continuous},
                                           {"id", ColumnType::Id},
                                           {"datetime", ColumnType::Datetime},
                                           {"date", ColumnType::Date},
                                           {"time", ColumnType::Time}},
                                          where + ": type");
        // A date/time column draws values inside its bins unless told otherwise.
        if (!jc.contains("decode")) {
          if (is_temporal(col.type)) col.decode = NumericDecode::Jitter;
          if (!is_temporal(col.type) && col.decode == NumericDecode::Jitter) {
            col.decode = NumericDecode::Empirical;
          }
        }
      } else if (key == "format") {
        if (!value.is_string()) throw DataError(where + ": format must be a string");
        col.format = value.get<std::string>();
      } else if (key == "discretizer") {
        col.discretizer = parse_enum<DiscretizerKind>(
            value, {{"quantile", DiscretizerKind::Quantile}, {"dpgmm", DiscretizerKind::Dpgmm}},
            where + ": discretizer");
      } else if (key == "decode") {
        col.decode = parse_enum<NumericDecode>(value,
                                               {{"empirical", NumericDecode::Empirical},
                                                {"uniform", NumericDecode::Uniform},
                                                {"jitter", NumericDecode::Jitter}},
                                               where + ": decode");
      } else if (key == "bins") {
        if (!value.is_number_integer() || value.get<long>() < 1 || value.get<long>() > 1000) {
          throw DataError(where + ": bins must be an integer in [1, 1000]");
        }
        col.bins = value.get<int>();
      } else if (key == "components") {
        if (!value.is_number_integer() || value.get<long>() < 1 || value.get<long>() > 100) {
          throw DataError(where + ": components must be an integer in [1, 100]");
        }
        col.components = value.get<int>();
      } else if (key == "missing_tokens") {
        col.missing_tokens = parse_tokens(value, where + ": missing_tokens");
      } else {
        throw DataError(
            fmt::format("{}: unknown field '{}' (expected type, format, discretizer, bins, "
                        "components, decode, missing_tokens)",
                        where, key));
      }
    }
    check_format(col, where);
  }
  return out;
}

nlohmann::json read_schema_file(const std::string& file) {
  const std::string path = file == "-" ? "<stdin>" : file;  // as messages name it
  // Checked as it is read: a NUL byte (not JSON text) stops the reading, the parser
  // then reports its position; and a schema file is small.
  constexpr size_t kMaxSchemaBytes = size_t{64} << 20;
  size_t checked = 0;  // bytes already searched for a NUL
  const std::string text = core::read_file(file, [&checked](std::string_view so_far) {
    const bool nul = so_far.find('\0', checked) != std::string_view::npos;
    checked = so_far.size();
    return nul || so_far.size() > kMaxSchemaBytes;
  });
  if (text.size() > kMaxSchemaBytes && text.find('\0') == std::string::npos) {
    throw DataError(
        fmt::format("{}: larger than {} MB, not a schema file", path, kMaxSchemaBytes >> 20));
  }
  if (const size_t nul = text.find('\0'); nul != std::string::npos) {
    const size_t line_start = text.rfind('\n', nul);
    const size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + nul, '\n'));
    const size_t col = nul - (line_start == std::string::npos ? 0 : line_start + 1) + 1;
    throw DataError(
        fmt::format("{}:{}:{}: NUL byte in input (not a JSON text file)", path, line, col));
  }
  return core::parse_json_text(text, path);
}

Schema load_schema_file(const Schema& inferred, const std::string& path) {
  return apply_schema_overrides(inferred, read_schema_file(path), path);
}

}  // namespace meg::data
