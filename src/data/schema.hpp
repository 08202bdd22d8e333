// Column types, missing-value tokens and discretiser choices: inferred from a
// table, printable as JSON, and overridable by a JSON schema file.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/csv.hpp"

namespace meg::data {

// Id: unique keys, not modelled, generated fresh (data/id_codec.hpp). Datetime, Date, Time:
// modelled as numbers, read and written by the column's `format` (data/datetime_format.hpp).
enum class ColumnType { Categorical, Integer, Continuous, Id, Datetime, Date, Time };
enum class DiscretizerKind { Quantile, Dpgmm };
// Jitter (date/time columns only): a training value's neighbourhood (datetime_codec.hpp).
enum class NumericDecode { Empirical, Uniform, Jitter };

const char* to_string(ColumnType t);
inline bool is_temporal(ColumnType t) {
  return t == ColumnType::Datetime || t == ColumnType::Date || t == ColumnType::Time;
}
// Modelled through a numeric codec (bins, discretizer, decode apply).
inline bool is_binned(ColumnType t) {
  return t == ColumnType::Integer || t == ColumnType::Continuous || is_temporal(t);
}
const char* to_string(DiscretizerKind d);
const char* to_string(NumericDecode d);

struct ColumnSchema {
  std::string name;
  ColumnType type = ColumnType::Categorical;
  std::string format;  // temporal columns: the date/time pattern (empty: inferred from the data)
  // Numeric and temporal columns only:
  DiscretizerKind discretizer = DiscretizerKind::Quantile;
  int bins = 20;        // quantile: max bins
  int components = 10;  // dpgmm: truncation K of the mixture
  NumericDecode decode =
      NumericDecode::Empirical;             // draw a training value from the bin, or uniform in it
  std::vector<std::string> missing_tokens;  // field texts read as missing in this column
  // Facts observed when the schema was inferred (printed, not required on input):
  size_t distinct = 0;  // distinct non-missing values
  size_t missing = 0;   // missing cells
};

struct Schema {
  std::vector<ColumnSchema> columns;
  int column_index(const std::string& name) const;
};

struct InferOptions {
  std::vector<std::string> missing_tokens{"", "?", "NA", "N/A", "NaN", "null"};
  size_t max_categorical_numeric =
      20;  // numeric columns with <= this many distinct values are categorical
  int bins = 20;
  DiscretizerKind discretizer = DiscretizerKind::Quantile;
  // An id column: at least this many present cells, nearly all distinct (column_roles.hpp).
  size_t min_id_rows = 500;
};

// Infers a schema: non-numeric -> categorical; numeric with few distinct values
// -> categorical; otherwise integer (all values integral) or continuous. (Fitting
// streams the file instead: TableBuilder infers the same schema chunk by chunk.)
Schema infer_schema(const CsvTable& table, const InferOptions& options = {});

// Whether a number's text is an integer that a double holds exactly (at most 15
// digits, an optional sign): such columns are inferred integer.
bool is_integer_text(std::string_view s);

// The schema as JSON, keys in a readable order ("missing_tokens" once at the
// top when every column shares them). Accepted back by apply_schema_overrides.
nlohmann::ordered_json schema_to_json(const Schema& schema);

// Applies a JSON schema file (as printed by schema_to_json, possibly partial:
// only the columns and fields it names are changed) on top of `inferred`.
// Unknown columns, types or fields give DataError naming `source`.
Schema apply_schema_overrides(const Schema& inferred, const nlohmann::json& overrides,
                              const std::string& source);

// Reads a schema override file (IoError / DataError naming LINE:COL of invalid JSON).
nlohmann::json read_schema_file(const std::string& path);
// Reads a schema override file and applies it (IoError / DataError on failure).
Schema load_schema_file(const Schema& inferred, const std::string& path);

}  // namespace meg::data
