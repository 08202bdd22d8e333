// The chunked CSV reader: block and chunk boundaries anywhere (inside a quoted
// newline, a CRLF, a UTF-8 sequence), errors in reading order with the right
// line and column whatever the sizes, input that is not text stops at once, and
// re-reading (rewind, spooled pipes).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "data/csv.hpp"
#include "data/csv_reader.hpp"
#include "helpers/pipe_feeder.hpp"
#include "meg/error.hpp"

using meg::DataError;
using meg::data::CsvChunk;
using meg::data::CsvReader;
using meg::data::CsvReadOptions;

namespace {

// What a reading gives: the header, every row with its line, and the error (if any).
struct Read {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<uint64_t> lines;
  std::string error;
  bool operator==(const Read&) const = default;
};

Read read_with(const std::string& text, size_t block, size_t chunk_rows,
               size_t chunk_bytes = 1 << 20) {
  Read out;
  CsvReadOptions o;
  o.block_bytes = block;
  o.chunk_rows = chunk_rows;
  o.chunk_bytes = chunk_bytes;
  try {
    CsvReader reader(meg::data::memory_source(text), "in.csv", o);
    out.header = reader.header();
    CsvChunk chunk;
    uint64_t expected_first = 0;
    while (reader.next(chunk)) {
      EXPECT_EQ(chunk.first_row(), expected_first);
      EXPECT_LE(chunk.num_rows(), chunk_rows);
      for (size_t r = 0; r < chunk.num_rows(); ++r) {
        std::vector<std::string> row;
        for (size_t c = 0; c < chunk.num_cols(); ++c) row.emplace_back(chunk.field(r, c));
        out.rows.push_back(std::move(row));
        out.lines.push_back(chunk.line(r));
      }
      expected_first += chunk.num_rows();
    }
  } catch (const DataError& e) {
    out.error = e.what();
  }
  return out;
}

// A plain whole-text implementation of the same rules, for the property test:
// one character at a time, no blocks. The first bad byte (NUL, invalid UTF-8)
// ends the readable text; an error reached before it wins.
Read reference(const std::string& text) {
  Read out;
  size_t n = text.size();
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t start = n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF ? 3 : 0;
  size_t bad = n;
  std::string bad_msg;
  for (size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", c);
    if (c == 0) {
      bad = i, bad_msg = "NUL byte in input (not a text CSV file?)";
      break;
    }
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0) {
      bad = i, bad_msg = std::string("invalid UTF-8 byte ") + hex;
      break;
    }
    bool broken = i + len > n;
    for (size_t k = 1; k < len && i + k < n; ++k) broken = broken || (s[i + k] & 0xC0) != 0x80;
    if (broken) {
      bad = i, bad_msg = std::string("invalid UTF-8 sequence starting with byte ") + hex;
      break;
    }
    uint32_t cp = c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      bad = i, bad_msg = "invalid UTF-8 (overlong or out-of-range sequence)";
      break;
    }
    i += len;
  }
  uint64_t line = 1;
  size_t line_start = start, i = start;
  auto err = [&](uint64_t l, uint64_t col, const std::string& m) {
    out.error = "in.csv:" + std::to_string(l) + (col ? ":" + std::to_string(col) : "") + ": " + m;
  };
  auto reached_bad = [&] {
    if (i == bad && bad < n) {
      err(line, i - line_start + 1, bad_msg);
      return true;
    }
    return false;
  };
  std::vector<std::vector<std::string>> rows;
  std::vector<uint64_t> lines;
  bool header_done = false;
  const char* kBareCr = "a carriage return (CR) without a line feed";
  while (true) {
    if (reached_bad()) break;
    if (i == n) break;
    if (s[i] == '\n') {
      ++i, ++line, line_start = i;
      continue;
    }
    if (s[i] == '\r') {
      const uint64_t cr_col = i - line_start + 1;
      ++i;
      if (reached_bad()) break;
      if (i == n) break;
      if (s[i] != '\n') {
        err(line, cr_col, kBareCr);
        break;
      }
      ++i, ++line, line_start = i;
      continue;
    }
    const uint64_t row_line = line;
    std::vector<std::string> row;
    bool failed = false, row_done = false;
    while (!failed && !row_done) {
      std::string field;
      if (s[i] == '"' && i < bad) {
        const uint64_t ql = line, qc = i - line_start + 1;
        ++i;
        while (true) {
          if (reached_bad()) {
            failed = true;
            break;
          }
          if (i == n) {
            err(ql, qc, "unterminated quoted field (quote opened here)");
            failed = true;
            break;
          }
          if (s[i] == '"') {
            ++i;
            if (reached_bad()) {
              failed = true;
              break;
            }
            if (i < n && s[i] == '"') {
              field += '"', ++i;
              continue;
            }
            break;
          }
          if (s[i] == '\n')
            field += '\n', ++i, ++line, line_start = i;
          else
            field += static_cast<char>(s[i++]);
        }
        if (failed) break;
        if (i < n && s[i] != ',' && s[i] != '\n' && s[i] != '\r') {
          err(line, i - line_start + 1, "unexpected character after a closing quote");
          failed = true;
          break;
        }
      } else {
        while (true) {
          if (reached_bad()) {
            failed = true;
            break;
          }
          if (i == n || s[i] == ',' || s[i] == '\n' || s[i] == '\r') break;
          if (s[i] == '"') {
            err(line, i - line_start + 1, "quote inside an unquoted field");
            failed = true;
            break;
          }
          field += static_cast<char>(s[i++]);
        }
        if (failed) break;
      }
      row.push_back(field);
      if (i < n && s[i] == ',') {
        ++i;
        if (reached_bad()) {
          failed = true;
          break;
        }
        continue;
      }
      if (i < n && s[i] == '\r') {
        const uint64_t cr_col = i - line_start + 1;
        ++i;
        if (reached_bad()) {
          failed = true;
          break;
        }
        if (i < n && s[i] != '\n') {
          err(line, cr_col, kBareCr);
          failed = true;
          break;
        }
      }
      if (i < n && s[i] == '\n') ++i, ++line, line_start = i;
      row_done = true;
    }
    if (failed) break;
    if (!header_done) {
      for (size_t c = 0; c < row.size() && out.error.empty(); ++c) {
        if (row[c].empty()) {
          err(row_line, 0,
              "empty column name (column " + std::to_string(c + 1) + " of the header)");
        }
      }
      if (!out.error.empty()) break;
      out.header = row;
      header_done = true;
      continue;
    }
    if (row.size() != out.header.size()) {
      err(row_line, 0,
          "row has " + std::to_string(row.size()) + " field" + (row.size() == 1 ? "" : "s") +
              ", the header has " + std::to_string(out.header.size()));
      break;
    }
    out.rows.push_back(row);
    out.lines.push_back(row_line);
  }
  if (!header_done && out.error.empty()) out.error = "in.csv:1: empty file: expected a header row";
  if (header_done && out.error.empty() && out.rows.empty()) {
    out.error = "in.csv:2: no data rows after the header";
  }
  if (!header_done) out.header.clear();
  return out;
}

// Random CSV text over an alphabet rich in the characters that matter at a
// boundary: quotes, CR, LF, commas and multi-byte UTF-8; sometimes damaged.
std::string random_csv(uint64_t seed) {
  meg::core::Rng rng(seed);
  static const char* kPieces[] = {
      "a", "b", "7", " ", "\xC3\xA9", "\xE6\x9D\xB1", "\xF0\x9F\x98\x80"};
  static const char* kQuoted[] = {",", "\"\"", "\n", "\r\n", "x", "\xC3\xA9", "\r"};
  std::string text = rng.below(4) == 0 ? "\xEF\xBB\xBF" : "";
  const size_t rows = 1 + rng.below(12);
  for (size_t r = 0; r <= rows; ++r) {
    if (rng.below(6) == 0) text += rng.below(2) ? "\n" : "\r\n";  // blank line
    for (size_t c = 0; c < 3; ++c) {
      if (c) text += ',';
      if (r == 0) {
        text += static_cast<char>('a' + c);
        continue;
      }
      if (rng.below(3) == 0) {
        text += '"';
        for (size_t k = rng.below(5); k > 0; --k) text += kQuoted[rng.below(std::size(kQuoted))];
        text += '"';
      } else {
        for (size_t k = rng.below(5); k > 0; --k) text += kPieces[rng.below(std::size(kPieces))];
      }
    }
    if (r < rows || rng.below(2)) text += rng.below(3) == 0 ? "\r\n" : "\n";
  }
  if (rng.below(3) == 0 && !text.empty()) {  // damage one byte
    static const char kBad[] = {'\0', '\xFF', '\xC3', '"', '\r', ',', '\x80', '\xE6'};
    text[rng.below(text.size())] = kBad[rng.below(sizeof kBad)];
  }
  return text;
}

}  // namespace

TEST(CsvReader, QuotedNewlineSplitAcrossBlocks) {
  // Blocks of 8 bytes: "a,b\n1,\"x" | "\ny\"\n3,4\n": the quoted newline starts block 2.
  const std::string text = "a,b\n1,\"x\ny\"\n3,4\n";
  for (size_t block : {1, 2, 3, 8, 9, 10}) {
    Read r = read_with(text, block, 1);
    ASSERT_EQ(r.error, "") << block;
    ASSERT_EQ(r.rows.size(), 2u);
    EXPECT_EQ(r.rows[0], (std::vector<std::string>{"1", "x\ny"}));
    EXPECT_EQ(r.rows[1], (std::vector<std::string>{"3", "4"}));
    EXPECT_EQ(r.lines, (std::vector<uint64_t>{2, 4}));
  }
}

TEST(CsvReader, CrlfSplitAcrossBlocks) {
  // With 5-byte blocks the CR ends block 1 and the LF starts block 2: "a,b\r" + "\n" ...
  const std::string text = "a,b\r\n1,2\r\n\r\n3,4\r\n";
  for (size_t block = 1; block <= 8; ++block) {
    Read r = read_with(text, block, 1);
    ASSERT_EQ(r.error, "") << block;
    EXPECT_EQ(r.header, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(r.rows, (std::vector<std::vector<std::string>>{{"1", "2"}, {"3", "4"}}));
    EXPECT_EQ(r.lines, (std::vector<uint64_t>{2, 4}));
  }
}

TEST(CsvReader, Utf8SequenceSplitAcrossBlocks) {
  // "é" (2 bytes), "東" (3 bytes) and "😀" (4 bytes) cut at every possible place.
  const std::string text = "name,n\n\xC3\xA9,1\n\xE6\x9D\xB1,2\n\xF0\x9F\x98\x80,3\n";
  for (size_t block = 1; block <= 12; ++block) {
    Read r = read_with(text, block, 2);
    ASSERT_EQ(r.error, "") << block;
    ASSERT_EQ(r.rows.size(), 3u);
    EXPECT_EQ(r.rows[0][0], "\xC3\xA9");
    EXPECT_EQ(r.rows[1][0], "\xE6\x9D\xB1");
    EXPECT_EQ(r.rows[2][0], "\xF0\x9F\x98\x80");
  }
  // A sequence cut by the end of the input is an error at its first byte.
  EXPECT_EQ(read_with("a\n\xE6\x9D", 1, 1).error,
            "in.csv:2:1: invalid UTF-8 sequence starting with byte 0xE6");
}

TEST(CsvReader, BadByteInTheThirdBlockHasItsLineAndColumn) {
  // 16-byte blocks; the NUL is byte 32 (block 3), line 4, column 7.
  const std::string text = std::string("id,text\n1,abcdef\n2,ghijkl\n3,mnop") + '\0' + "qr\n4,st\n";
  ASSERT_EQ(text.find('\0') / 16, 2u);
  CsvReadOptions o;
  o.block_bytes = 16;
  o.chunk_rows = 100;
  CsvReader reader(meg::data::memory_source(text), "in.csv", o);
  CsvChunk chunk;
  ASSERT_TRUE(reader.next(chunk));  // the rows before the bad byte come first
  EXPECT_EQ(chunk.num_rows(), 2u);
  try {
    reader.next(chunk);
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_STREQ(e.what(), "in.csv:4:7: NUL byte in input (not a text CSV file?)");
  }
  EXPECT_LE(reader.bytes_read(), 48u);          // nothing read past the block holding the bad byte
  EXPECT_THROW(reader.next(chunk), DataError);  // and the error stays
  for (size_t block = 1; block <= 40; ++block) {
    EXPECT_EQ(read_with(text, block, 1).error,
              "in.csv:4:7: NUL byte in input (not a text CSV file?)")
        << block;
  }
}

TEST(CsvReader, EndlessNulInputStopsAtOnce) {
  // Like `meg schema - < /dev/zero`: the first block is enough.
  struct Zeros : meg::data::ByteSource {
    explicit Zeros(size_t* counter) : served(counter) {}
    size_t* served;
    size_t read(char* out, size_t n) override {
      std::fill(out, out + n, '\0');
      *served += n;
      return n;
    }
    void rewind() override {}
  };
  size_t served = 0;
  auto zeros = std::make_unique<Zeros>(&served);
  CsvReadOptions o;
  o.block_bytes = 1 << 16;
  try {
    CsvReader reader(std::move(zeros), "<stdin>", o);
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_STREQ(e.what(), "<stdin>:1:1: NUL byte in input (not a text CSV file?)");
  }
  EXPECT_LE(served, size_t{1} << 16);
}

TEST(CsvReader, CrOnlyLineEndsAreNamed) {
  const std::string msg = read_with("a,b\r1,2\r3,4\r", 1 << 20, 10).error;
  EXPECT_EQ(msg.rfind("in.csv:1:4: a carriage return (CR) without a line feed", 0), 0u) << msg;
  EXPECT_NE(msg.find("CR-only line ends"), std::string::npos);
  // A CR inside quotes is field text; a final CR without LF ends the last row.
  Read ok = read_with("a,b\r\n\"x\ry\",2\r", 3, 10);
  ASSERT_EQ(ok.error, "");
  EXPECT_EQ(ok.rows, (std::vector<std::vector<std::string>>{{"x\ry", "2"}}));
}

TEST(CsvReader, ErrorsComeInReadingOrder) {
  // A ragged row before a bad byte is reported, whatever the block and chunk sizes.
  const std::string text = "a,b\n1,2\n3\n4,\xFF\n";
  for (size_t block : {1, 3, 7, 1 << 20}) {
    for (size_t rows : {1, 2, 100}) {
      EXPECT_EQ(read_with(text, block, rows).error, "in.csv:3: row has 1 field, the header has 2");
    }
  }
}

TEST(CsvReader, AnyBlockOrChunkSizeGivesTheSameResult) {
  // Seeded random texts (quotes, CR, LF, multi-byte UTF-8, damaged bytes): every
  // block and chunk size gives the reference reading, rows, lines and error alike.
  size_t with_error = 0;
  for (uint64_t seed = 0; seed < 400; ++seed) {
    const std::string text = random_csv(seed);
    const Read want = reference(text);
    with_error += !want.error.empty();
    for (size_t block : {1, 2, 3, 5, 7, 16, 1 << 20}) {
      for (size_t rows : {1, 3, 1000}) {
        Read got = read_with(text, block, rows, block == 2 ? 8 : 1 << 20);
        // The reference words errors in short: compare the message prefix.
        if (!want.error.empty()) {
          ASSERT_EQ(got.error.substr(0, want.error.size()), want.error)
              << "seed " << seed << " block " << block << " rows " << rows;
          got.error = want.error;
        }
        ASSERT_EQ(got, want) << "seed " << seed << " block " << block << " rows " << rows;
      }
    }
  }
  EXPECT_GT(with_error, 50u);  // the damaged texts exercise the error paths
  EXPECT_LT(with_error, 350u);
}

TEST(CsvReader, RewindReadsTheSameRows) {
  const std::string text = "a,b\n1,2\n3,4\n5,6\n";
  CsvReadOptions o;
  o.block_bytes = 3;
  o.chunk_rows = 2;
  CsvReader reader(meg::data::memory_source(text), "in.csv", o);
  CsvChunk chunk;
  std::vector<std::string> first, second;
  while (reader.next(chunk)) {
    for (size_t r = 0; r < chunk.num_rows(); ++r) first.emplace_back(chunk.field(r, 1));
  }
  EXPECT_EQ(reader.rows_read(), 3u);
  reader.rewind();
  EXPECT_EQ(reader.rows_read(), 0u);
  while (reader.next(chunk)) {
    for (size_t r = 0; r < chunk.num_rows(); ++r) second.emplace_back(chunk.field(r, 1));
  }
  EXPECT_EQ(first, (std::vector<std::string>{"2", "4", "6"}));
  EXPECT_EQ(second, first);
}

TEST(CsvReader, APipeIsSpooledForASecondReading) {
  std::string text = "x,y\n";
  for (int i = 0; i < 20000; ++i) text += std::to_string(i) + ",v" + std::to_string(i % 7) + "\n";
  meg::test::PipeFeeder pipe(text);
  CsvReadOptions o;
  o.spool = true;
  o.block_bytes = 4096;
  CsvReader reader(pipe.path(), o);
  EXPECT_EQ(reader.bytes_total(), 0u);  // unknown for a pipe
  CsvChunk chunk;
  uint64_t rows = 0;
  while (reader.next(chunk)) rows += chunk.num_rows();
  EXPECT_EQ(rows, 20000u);
  reader.rewind();
  rows = 0;
  std::string last;
  while (reader.next(chunk)) {
    rows += chunk.num_rows();
    last = std::string(chunk.field(chunk.num_rows() - 1, 0));
  }
  EXPECT_EQ(rows, 20000u);
  EXPECT_EQ(last, "19999");
}

TEST(CsvReader, APipeIsNotReReadWithoutSpooling) {
  meg::test::PipeFeeder pipe("a\n1\n");
  CsvReader once(pipe.path());
  CsvChunk chunk;
  while (once.next(chunk)) {
  }
  EXPECT_THROW(once.rewind(), meg::IoError);
}

TEST(CsvReader, ARegularFileIsReReadAndItsSizeIsKnown) {
  CsvReader reader("tests/data/fixtures/quoted_crlf.csv");
  EXPECT_GT(reader.bytes_total(), 0u);
  CsvChunk chunk;
  uint64_t rows = 0;
  while (reader.next(chunk)) rows += chunk.num_rows();
  EXPECT_EQ(reader.bytes_read(), reader.bytes_total());
  reader.rewind();
  uint64_t again = 0;
  while (reader.next(chunk)) again += chunk.num_rows();
  EXPECT_EQ(again, rows);
}
