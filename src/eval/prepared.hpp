// One preprocessing for every table of an evaluation: the schema of the REAL
// TRAIN table (with overrides) decides the column types, and every table
// (train, test, synthetic) is parsed into typed columns with it.
//
// Identifier columns (is_identifier_column) are left out of every measure:
// another table may have them or not, they are never parsed, and the
// evaluated columns (names(), kind(), ...) are the others, in train order.
//
// Categorical columns become codes against the train levels:
//   0..L-1      train levels (sorted by frequency, then text)
//   L           missing (a missing token of the column)
//   L+1+j       j-th level of this table that train never had ("unseen")
// Numeric (integer/continuous) columns become doubles, NaN = missing.
#pragma once
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "data/csv.hpp"
#include "data/datetime_format.hpp"
#include "data/schema.hpp"

namespace meg::eval {

enum class Kind { Categorical, Numeric };

struct PreparedColumn {
  std::string name;
  Kind kind = Kind::Categorical;
  std::vector<uint32_t> codes;      // categorical
  std::vector<double> values;       // numeric, NaN = missing
  std::vector<std::string> unseen;  // categorical levels not in train (code L+1+j)
};

struct PreparedTable {
  std::string source;                   // file name, for messages
  std::vector<PreparedColumn> columns;  // in the order of the TRAIN header
  size_t rows = 0;
};

// Whether a column of the real train table is an identifier for the evaluation
// (a key, not a measurement): the one place that decides it. Today from the
// data: a categorical column with at least 50 present cells of which at least
// 95% are distinct values, or an integer column with at least 1000 present
// cells all distinct. Such a column gives one-hot features that cannot
// generalise, distances that say nothing about privacy (synthetic keys are
// fresh by design) and detectors that separate on the key alone.
// `cells` are the column's train texts.
bool is_identifier_column(const data::ColumnSchema& column, const std::vector<std::string>& cells);

// A train column as the evaluation uses it.
struct ColumnUse {
  std::string name;
  data::ColumnType type;
  size_t levels;    // distinct present train values (categorical columns and identifiers)
  bool identifier;  // left out (is_identifier_column)
};

// Column layout and train levels, fitted on the real train table.
class Preprocessor {
 public:
  // `schema` must describe `train` (same column names, same order). Column
  // `keep` (the target) is never left out as an identifier.
  Preprocessor(const data::CsvTable& train, const data::Schema& schema,
               const std::string& keep = "");

  // Parses `table` with the train layout. Columns are matched by name (any
  // order); a missing or extra column, or a non-numeric value in a numeric
  // column, is a DataError naming the file (and line) and the column.
  PreparedTable prepare(const data::CsvTable& table) const;

  size_t num_columns() const { return names_.size(); }
  const std::vector<std::string>& names() const { return names_; }
  Kind kind(size_t c) const { return kinds_[c]; }
  // Train levels of categorical column c (empty for numeric columns).
  const std::vector<std::string>& levels(size_t c) const { return levels_[c]; }
  uint32_t missing_code(size_t c) const { return static_cast<uint32_t>(levels_[c].size()); }
  int column_index(const std::string& name) const;
  // Every train column, in train order, identifiers included.
  const std::vector<ColumnUse>& train_columns() const { return train_columns_; }

 private:
  std::vector<ColumnUse> train_columns_;
  std::vector<std::string> names_;
  std::vector<Kind> kinds_;
  std::vector<std::vector<std::string>> levels_;
  std::vector<std::vector<std::string>> missing_tokens_;
  std::vector<std::optional<data::TimePattern>> patterns_;  // date/time columns: read as seconds
};

inline bool is_missing(double v) { return std::isnan(v); }

}  // namespace meg::eval
