// RFC-4180 CSV tables in memory, and writing.
//
// Reading goes through CsvReader (data/csv_reader.hpp: the rules and the error
// messages are there); read_csv / parse_csv keep every cell, for the commands
// that need the whole table (evaluate, augment) and for tests. Fitting and
// schema inference stream the input instead (data/table_builder.hpp).
//
// Writing normalises: LF line ends, no BOM, a final newline, and quotes only
// around fields that need them (delimiter, quote, CR, LF, or a leading/trailing
// space). Reading and writing a file that already follows these rules gives
// back identical bytes.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "data/csv_reader.hpp"

namespace meg::data {

struct CsvTable {
  std::string source;  // file name used in messages ("<stdin>" for -)
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> columns;  // columns[c][r], verbatim field text
  std::vector<uint64_t> row_line;                 // 1-based line where data row r starts

  size_t num_cols() const { return header.size(); }
  size_t num_rows() const { return columns.empty() ? 0 : columns[0].size(); }
  // Index of the column named `name`, or -1.
  int column_index(std::string_view name) const;
};

// Reads a CSV file ("-" = standard input).
CsvTable read_csv(const std::string& path, const CsvReadOptions& options = {});
// Parses CSV text; `source` names it in error messages.
CsvTable parse_csv(std::string_view text, const std::string& source,
                   const CsvReadOptions& options = {});

// Whether a field must be quoted: it holds the delimiter, a quote, CR or LF, starts or
// ends with a space, or starts with U+FEFF (it would be taken for a byte-order mark).
bool csv_needs_quotes(std::string_view value, char delimiter = ',');
// Appends `value` as a CSV field: quoted (inner quotes doubled) when it needs quotes.
void append_csv_field(std::string& out, std::string_view value, char delimiter = ',');

// Buffered CSV writer. Fields are quoted only when needed.
class CsvWriter {
 public:
  explicit CsvWriter(std::string& out, char delimiter = ',') : out_(out), delimiter_(delimiter) {}
  void field(std::string_view value);
  void end_row();
  void row(const std::vector<std::string>& fields) {
    for (const auto& f : fields) field(f);
    end_row();
  }

 private:
  std::string& out_;
  char delimiter_;
  bool first_ = true;
  size_t fields_in_row_ = 0;
  bool last_empty_ = false;
};

// Serialises a table (header + rows) to CSV text.
std::string format_csv(const CsvTable& table, char delimiter = ',');
// Writes a table to `path` atomically ("-" = standard output).
void write_csv(const std::string& path, const CsvTable& table, char delimiter = ',');

}  // namespace meg::data
