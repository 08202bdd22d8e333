#include "data/csv.hpp"

#include <string>

#include "core/file_io.hpp"

namespace meg::data {

int CsvTable::column_index(std::string_view name) const {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

namespace {

CsvTable read_all(CsvReader& reader) {
  CsvTable table;
  table.source = reader.source();
  table.header = reader.header();
  table.columns.assign(table.header.size(), {});
  CsvChunk chunk;
  while (reader.next(chunk)) {
    for (size_t c = 0; c < chunk.num_cols(); ++c) {
      auto& column = table.columns[c];
      for (size_t r = 0; r < chunk.num_rows(); ++r) column.emplace_back(chunk.field(r, c));
    }
    for (size_t r = 0; r < chunk.num_rows(); ++r) table.row_line.push_back(chunk.line(r));
  }
  return table;
}

}  // namespace

CsvTable parse_csv(std::string_view text, const std::string& source,
                   const CsvReadOptions& options) {
  CsvReader reader(memory_source(text), source, options);
  return read_all(reader);
}

CsvTable read_csv(const std::string& path, const CsvReadOptions& options) {
  CsvReader reader(path, options);
  return read_all(reader);
}

bool csv_needs_quotes(std::string_view value, char delimiter) {
  for (char c : value) {
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') return true;
  }
  if (!value.empty() && (value.front() == ' ' || value.back() == ' ')) return true;
  // A field starting with U+FEFF would be taken for a byte-order mark (and dropped)
  // if it began the file: quoting keeps it (found by fuzz/fuzz_csv.cpp).
  return value.substr(0, 3) == "\xEF\xBB\xBF";
}

void append_csv_field(std::string& out, std::string_view value, char delimiter) {
  if (!csv_needs_quotes(value, delimiter)) {
    out.append(value);
    return;
  }
  out.push_back('"');
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void CsvWriter::field(std::string_view value) {
  if (!first_) out_.push_back(delimiter_);
  append_csv_field(out_, value, delimiter_);
  first_ = false;
  fields_in_row_++;
  last_empty_ = value.empty();
}

void CsvWriter::end_row() {
  // A row made of one empty field would read back as a blank (skipped) line.
  if (fields_in_row_ == 1 && last_empty_) out_.append("\"\"");
  out_.push_back('\n');
  first_ = true;
  fields_in_row_ = 0;
}

std::string format_csv(const CsvTable& table, char delimiter) {
  std::string out;
  size_t bytes = 0;
  for (const auto& col : table.columns) {
    for (const auto& cell : col) bytes += cell.size() + 1;
  }
  out.reserve(bytes + 1024);
  CsvWriter w(out, delimiter);
  w.row(table.header);
  const size_t n = table.num_rows();
  for (size_t r = 0; r < n; ++r) {
    for (const auto& col : table.columns) w.field(col[r]);
    w.end_row();
  }
  return out;
}

void write_csv(const std::string& path, const CsvTable& table, char delimiter) {
  core::write_file_atomic(path, format_csv(table, delimiter));
}

}  // namespace meg::data
