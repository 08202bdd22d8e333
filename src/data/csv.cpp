#include "data/csv.hpp"

#include <cstring>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "core/file_io.hpp"
#include "meg/error.hpp"

namespace meg::data {
namespace {

[[noreturn]] void fail_at(const std::string& source, uint64_t line, uint64_t col,
                          const std::string& message) {
  if (col > 0) throw DataError(fmt::format("{}:{}:{}: {}", source, line, col, message));
  throw DataError(fmt::format("{}:{}: {}", source, line, message));
}

// Checks that `text` is valid UTF-8 without NUL bytes; reports the first bad byte.
void validate_utf8(std::string_view text, const std::string& source) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  uint64_t line = 1;
  size_t line_start = 0;
  auto bad = [&](size_t at, const std::string& what) {
    fail_at(source, line, at - line_start + 1, what);
  };
  while (i < n) {
    // Fast path over 8 ASCII bytes without NUL or LF.
    if (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      const uint64_t high = w & 0x8080808080808080ULL;
      const uint64_t zero = (w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL;
      const uint64_t x = w ^ 0x0a0a0a0a0a0a0a0aULL;
      const uint64_t lf = (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
      if ((high | zero | lf) == 0) {
        i += 8;
        continue;
      }
    }
    unsigned char c = p[i];
    if (c < 0x80) {
      if (c == 0) bad(i, "NUL byte in input (not a text CSV file?)");
      if (c == '\n') {
        ++line;
        line_start = i + 1;
      }
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      bad(i, fmt::format("invalid UTF-8 byte 0x{:02X}", c));
    }
    if (i + len > n) bad(i, fmt::format("invalid UTF-8 sequence starting with byte 0x{:02X}", c));
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) {
        bad(i, fmt::format("invalid UTF-8 sequence starting with byte 0x{:02X}", c));
      }
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      bad(i, "invalid UTF-8 (overlong or out-of-range sequence)");
    }
    i += len;
  }
}

}  // namespace

int CsvTable::column_index(std::string_view name) const {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

CsvTable parse_csv(std::string_view text, const std::string& source,
                   const CsvReadOptions& options) {
  CsvTable table;
  table.source = source;
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
      static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF) {
    text.remove_prefix(3);
  }
  validate_utf8(text, source);
  const char delim = options.delimiter;
  const char* p = text.data();
  const char* const end = p + text.size();

  uint64_t line = 1;
  const char* line_start = p;
  std::vector<std::string> row;  // fields of the current row (reused)
  size_t nfields = 0;
  bool header_done = false;
  size_t ncols = 0;

  auto col_of = [&](const char* at) { return static_cast<uint64_t>(at - line_start) + 1; };

  auto finish_row = [&](uint64_t row_line) {
    if (!header_done) {
      table.header.assign(row.begin(), row.begin() + static_cast<long>(nfields));
      ncols = nfields;
      std::unordered_map<std::string_view, size_t> seen;
      for (size_t c = 0; c < ncols; ++c) {
        const std::string& name = table.header[c];
        if (name.empty()) {
          fail_at(source, row_line, 0,
                  fmt::format("empty column name (column {} of the header)", c + 1));
        }
        auto [it, inserted] = seen.emplace(name, c);
        if (!inserted) {
          fail_at(source, row_line, 0,
                  fmt::format("duplicate column name '{}' (columns {} and {})", name,
                              it->second + 1, c + 1));
        }
      }
      table.columns.assign(ncols, {});
      header_done = true;
      return;
    }
    if (nfields != ncols) {
      fail_at(source, row_line, 0,
              fmt::format("row has {} field{}, the header has {}", nfields, nfields == 1 ? "" : "s",
                          ncols));
    }
    for (size_t c = 0; c < ncols; ++c) table.columns[c].push_back(std::move(row[c]));
    table.row_line.push_back(row_line);
  };

  while (p < end) {
    // Skip empty lines (documented normalisation).
    if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
      p += (*p == '\r') ? 2 : 1;
      ++line;
      line_start = p;
      continue;
    }
    const uint64_t row_line = line;
    nfields = 0;
    while (true) {
      if (row.size() <= nfields) row.emplace_back();
      std::string& field = row[nfields];
      field.clear();
      if (p < end && *p == '"') {
        const char* open = p;
        const uint64_t open_line = line;
        const uint64_t open_col = col_of(open);
        ++p;
        while (true) {
          const char* q = p;
          while (q < end && *q != '"' && *q != '\n') ++q;
          field.append(p, q);
          if (q >= end) {
            fail_at(source, open_line, open_col, "unterminated quoted field (quote opened here)");
          }
          if (*q == '\n') {
            field.push_back('\n');
            p = q + 1;
            ++line;
            line_start = p;
            continue;
          }
          // *q == '"'
          if (q + 1 < end && q[1] == '"') {
            field.push_back('"');
            p = q + 2;
            continue;
          }
          p = q + 1;
          break;
        }
        if (p < end && *p != delim && *p != '\n' &&
            !(*p == '\r' && (p + 1 == end || p[1] == '\n'))) {
          fail_at(source, line, col_of(p), "unexpected character after a closing quote");
        }
      } else {
        const char* q = p;
        while (q < end && *q != delim && *q != '\n' && *q != '"') ++q;
        if (q < end && *q == '"') {
          fail_at(source, line, col_of(q),
                  "quote inside an unquoted field (quote the whole field and double inner quotes)");
        }
        const char* stop = q;
        if ((stop == end || *stop == '\n') && stop > p && stop[-1] == '\r') --stop;
        field.assign(p, stop);
        p = q;
      }
      ++nfields;
      if (p < end && *p == delim) {
        ++p;
        continue;
      }
      // end of row
      if (p < end && *p == '\r') ++p;
      if (p < end && *p == '\n') {
        ++p;
        ++line;
        line_start = p;
      }
      break;
    }
    finish_row(row_line);
  }
  if (!header_done) fail_at(source, 1, 0, "empty file: expected a header row");
  if (options.require_rows && table.row_line.empty()) {
    fail_at(source, 2, 0, "no data rows after the header");
  }
  return table;
}

CsvTable read_csv(const std::string& path, const CsvReadOptions& options) {
  std::string text = core::read_file(path);
  return parse_csv(text, path == "-" ? std::string("<stdin>") : path, options);
}

void CsvWriter::field(std::string_view value) {
  if (!first_) out_.push_back(delimiter_);
  bool quote = false;
  for (char c : value) {
    if (c == delimiter_ || c == '"' || c == '\n' || c == '\r') {
      quote = true;
      break;
    }
  }
  if (!value.empty() && (value.front() == ' ' || value.back() == ' ')) quote = true;
  // A field starting with U+FEFF would be taken for a byte-order mark (and dropped)
  // if it began the file: quoting keeps it (found by fuzz/fuzz_csv.cpp).
  if (value.substr(0, 3) == "\xEF\xBB\xBF") quote = true;
  if (!quote) {
    out_.append(value);
  } else {
    out_.push_back('"');
    for (char c : value) {
      if (c == '"') out_.push_back('"');
      out_.push_back(c);
    }
    out_.push_back('"');
  }
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
