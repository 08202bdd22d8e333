// Streaming RFC-4180 CSV reader: the input is read in blocks, checked to be
// UTF-8 without NUL bytes as it arrives, and parsed by a resumable state
// machine into chunks of rows; neither the whole text nor the whole table is
// ever held. Rules: quoted fields may hold delimiters, quotes ("") and newlines;
// line ends are LF or CRLF (a CR without LF outside quotes is an error: CR-only
// files are refused with a message saying so); a UTF-8 BOM is skipped; the
// first non-blank row is the header (names non-empty and distinct); blank lines
// are dropped; every row has the header's number of fields.
//
// Errors are DataError "FILE:LINE[:COL]: message". They are raised in reading
// order: next() first hands out the rows before the error, and throws on the
// following call, so which error is reported never depends on the block or
// chunk sizes. The first bad byte stops the reading at once (nothing after it
// is read beyond the current block).
#pragma once
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace meg::data {

struct CsvReadOptions {
  char delimiter = ',';
  bool require_rows = true;       // a header with no data rows is an error
  size_t block_bytes = 1 << 20;   // bytes per read; never changes a result
  size_t chunk_rows = 8192;       // rows per chunk handed out by next()
  size_t chunk_bytes = 32 << 20;  // a chunk also ends once its field text passes this
  // Keep a copy of input that cannot be read twice (stdin, a pipe) in an unlinked
  // temporary file of $TMPDIR, so rewind() works.
  bool spool = false;
  // Added to the line of every data row and data error: a part of a file read after a
  // copy of its header (a byte range of a distributed read, src/dist) keeps the file's
  // line numbers.
  uint64_t line_offset = 0;
};

// Where the bytes come from. read() returns 0 only at the end of the input.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual size_t read(char* out, size_t n) = 0;
  // Total size in bytes when known (a regular file or text in memory), else 0.
  virtual uint64_t size() const { return 0; }
  // Starts again from the first byte; throws IoError when the input cannot be re-read.
  virtual void rewind() = 0;
};

// A file ("-" = standard input). Throws IoError when it cannot be opened or is a directory.
std::unique_ptr<ByteSource> open_file_source(const std::string& path, bool spool);
// Text in memory (not copied: it must outlive the source).
std::unique_ptr<ByteSource> memory_source(std::string_view text);

// Rows of one chunk: the unescaped text of every field, concatenated.
class CsvChunk {
 public:
  size_t num_rows() const { return lines_.size(); }
  size_t num_cols() const { return cols_; }
  std::string_view field(size_t row, size_t col) const {
    const size_t i = row * cols_ + col;
    const size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(text_.data() + begin, ends_[i] - begin);
  }
  uint64_t line(size_t row) const { return lines_[row]; }  // 1-based line where the row starts
  const uint64_t* lines() const { return lines_.data(); }
  uint64_t first_row() const { return first_row_; }  // table index of row 0 (0-based)
  size_t text_bytes() const { return text_.size(); }

  // A column's cells as ids into a dictionary of texts, set by a source that holds its
  // rows dictionary-encoded (dist::GatheredRows): cell r is texts[ids[r]], the same text
  // field(r, c) holds. A given `texts` pointer names one dictionary, whose ids keep their
  // meaning in every chunk, so a reader may map each distinct text once (ColumnProfile).
  struct Coded {
    const std::string_view* texts = nullptr;
    size_t size = 0;  // texts in the dictionary
    std::vector<uint32_t> ids;
  };
  std::vector<Coded> coded;  // per column, or empty (a CsvReader's chunks)

  // Building a chunk from rows parsed elsewhere (a RowSource other than CsvReader).
  void reset(size_t cols, uint64_t first_row) { clear(cols, first_row); }
  // Appends a row starting at `line` whose cells are given by `coded` only: the chunk
  // then has no text, and field() must not be called (table_builder reads `coded`).
  void add_coded_row(uint64_t line) { lines_.push_back(line); }
  // Appends a row of num_cols() fields starting at `line`.
  void add_row(const std::string_view* fields, uint64_t line) {
    for (size_t c = 0; c < cols_; ++c) {
      text_.append(fields[c]);
      ends_.push_back(static_cast<uint32_t>(text_.size()));
    }
    lines_.push_back(line);
  }

 private:
  friend class CsvReader;
  void clear(size_t cols, uint64_t first_row) {
    text_.clear();
    ends_.clear();
    lines_.clear();
    coded.clear();
    cols_ = cols;
    first_row_ = first_row;
  }
  std::string text_;
  std::vector<uint32_t> ends_;  // end of field i (row * cols + col) in text_
  std::vector<uint64_t> lines_;
  size_t cols_ = 0;
  uint64_t first_row_ = 0;
};

// Where a table's rows come from, chunk by chunk (data/table_builder.hpp reads one):
// a CSV file (CsvReader) or rows gathered from the ranks of a distributed read.
class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual const std::string& source() const = 0;  // the name used in messages
  virtual const std::vector<std::string>& header() const = 0;
  // The next rows; false when the input is exhausted.
  virtual bool next(CsvChunk& chunk) = 0;
  virtual uint64_t rows_read() const = 0;  // data rows handed out so far
  virtual uint64_t bytes_read() const = 0;
  virtual uint64_t bytes_total() const = 0;  // 0 when unknown
  // Reads the data rows again from the first one.
  virtual void rewind() = 0;
};

class CsvReader final : public RowSource {
 public:
  // Opens `path` ("-" = standard input; named "<stdin>" in messages) and reads the header.
  explicit CsvReader(const std::string& path, const CsvReadOptions& options = {});
  // Reads `source`, named `name` in messages, and reads the header.
  CsvReader(std::unique_ptr<ByteSource> source, std::string name,
            const CsvReadOptions& options = {});
  ~CsvReader() override;
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  const std::string& source() const override { return name_; }
  const std::vector<std::string>& header() const override { return header_; }
  size_t num_cols() const { return header_.size(); }

  // The next rows (at most options.chunk_rows); false when the input is exhausted.
  bool next(CsvChunk& chunk) override;

  uint64_t rows_read() const override { return rows_; }  // data rows handed out so far
  uint64_t bytes_read() const override { return consumed_; }
  uint64_t bytes_total() const override { return source_->size(); }  // 0 when unknown

  // Reads the data rows again from the first one (the source is re-read or its spool).
  void rewind() override;

 private:
  enum class State { RowStart, FieldStart, Unquoted, Quoted, QuoteInQuoted, Cr };
  enum class Step { Full, NeedMore, End };

  void start();
  bool fill();  // reads a block; false at the end of the input
  void validate();
  Step parse(CsvChunk& chunk);
  void end_field(CsvChunk& chunk);
  bool end_row(CsvChunk& chunk);  // true when the chunk is full
  void set_header(const CsvChunk& chunk);
  void append(CsvChunk& chunk, const char* begin, const char* end);
  [[noreturn]] void fail(uint64_t line, uint64_t col, const std::string& message) const;
  uint64_t col_at(uint64_t abs) const { return abs - line_start_ + 1; }

  std::unique_ptr<ByteSource> source_;
  std::string name_;
  CsvReadOptions options_;
  std::vector<std::string> header_;

  // Input buffer: bytes [pos_, len_) are unread; [0, valid_) have passed the UTF-8 check.
  std::vector<char> buf_;
  size_t pos_ = 0, valid_ = 0, len_ = 0;
  uint64_t base_ = 0;      // offset in the input of buf_[0]
  uint64_t consumed_ = 0;  // bytes read from the source
  bool eof_ = false;
  uint64_t bad_at_ = UINT64_MAX;  // offset of the first bad byte
  std::string bad_message_;

  // Parser state (kept across blocks).
  State state_ = State::RowStart;
  bool in_header_ = true;
  uint64_t line_ = 1, line_start_ = 0;
  uint64_t row_line_ = 0;
  uint64_t quote_line_ = 0, quote_col_ = 0;  // the open quote of the current quoted field
  uint64_t cr_line_ = 0, cr_col_ = 0;        // a CR waiting for its LF
  size_t fields_ = 0;                        // fields of the current row
  uint64_t rows_ = 0;
  bool done_ = false;           // the end of the input was reached
  std::exception_ptr pending_;  // error found after rows still to hand out
  CsvChunk scratch_;            // the header row
};

}  // namespace meg::data
