// The rows one rank parsed from its byte range, in a compact form that is sent to
// rank 0: per column the distinct texts (in order of first appearance) and each
// row's text id in 1, 2 or 4 bytes; per row the line it starts on (for messages).
// Rank 0 hands the ranks' rows, in rank order, to the ordinary table builder through
// GatheredRows (a data::RowSource), so schema inference, codec fitting and encoding
// are exactly those of a single-process read of the same file (the cells also come as
// text ids: CsvChunk::coded).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "data/csv_reader.hpp"
#include "data/dataset.hpp"

namespace meg::dist {

struct RankRows {
  struct Column {
    std::string arena;           // the distinct texts, concatenated
    std::vector<uint64_t> ends;  // end of text id i in arena
    data::CodeColumn ids;        // each row's text id
    std::string_view text(size_t id) const {
      const uint64_t b = id == 0 ? 0 : ends[id - 1];
      return std::string_view(arena.data() + b, ends[id] - b);
    }
  };
  uint64_t rows = 0;
  // The line each row starts on: first_line, then a step per row (step 0 is 0; a step
  // is 1 for a one-line row, so the steps take a byte a row whatever the line numbers).
  uint64_t first_line = 0;
  data::CodeColumn line_steps;
  std::vector<Column> columns;
  uint64_t bytes() const;  // held in memory
};

using HeaderCheck =
    std::function<void(const std::string& source, const std::vector<std::string>& header)>;

// Parses every row of `source` (a header, then the rank's rows), named `name` in
// messages, with the file's line numbers (`line_offset`). `check` sees the header
// first. Throws the reader's DataError at the first bad byte or row.
RankRows parse_rows(std::unique_ptr<data::ByteSource> source, const std::string& name,
                    uint64_t line_offset, char delimiter, const HeaderCheck& check,
                    std::vector<std::string>* header);

std::vector<char> pack(const RankRows& rows);
RankRows unpack(std::span<const char> bytes);

class GatheredRows final : public data::RowSource {
 public:
  GatheredRows(std::string name, std::vector<std::string> header, std::vector<RankRows> parts);
  const std::string& source() const override { return name_; }
  const std::vector<std::string>& header() const override { return header_; }
  bool next(data::CsvChunk& chunk) override;
  uint64_t rows_read() const override { return rows_; }
  uint64_t bytes_read() const override { return 0; }
  uint64_t bytes_total() const override { return 0; }
  void rewind() override;
  uint64_t total_rows() const;
  // The parts back (the source then holds none).
  std::vector<RankRows> take_parts();

 private:
  std::string name_;
  std::vector<std::string> header_;
  std::vector<RankRows> parts_;
  // Per part and column, the views of its distinct texts: a chunk (never across two
  // parts) gives its cells as ids into them (CsvChunk::coded, no text), so the
  // profiles and codecs take each distinct text once instead of once a cell.
  std::vector<std::vector<std::vector<std::string_view>>> texts_;
  size_t part_ = 0;
  uint64_t row_ = 0, rows_ = 0;
  uint64_t line_ = 0;  // the line of the last row handed out (first_line before the first)
};

}  // namespace meg::dist
