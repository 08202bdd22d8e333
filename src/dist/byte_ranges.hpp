// Cutting one CSV file into byte ranges that start at row boundaries, for the ranks
// of a distributed read. A quoted field may hold newlines, so a newline is a row
// boundary only outside quotes, and whether an offset is inside quotes depends on
// every quote before it. The cut is found without any rank reading the whole file:
//
//  1. every rank finds the header's end h itself (the first non-blank row: a short
//     quote-aware scan from the start of the file);
//  2. the data bytes [h, size) are cut into p equal slices; rank r counts the quotes
//     and line feeds of its slice (a memchr-speed pass over size/p bytes) and the
//     ranks allgather the counts (16 bytes a rank);
//  3. rank r > 0 knows from the quotes before its slice whether its slice starts
//     inside a quoted field (RFC 4180 doubles quotes inside quoted fields, so the
//     parity of the quote count is the state), scans forward from there with that
//     state to the first line feed outside quotes, and starts its range just after
//     it (a range may be empty when a quoted field spans a whole slice);
//  4. the starts are allgathered; rank r reads [start r, start r+1).
//
// Cost: each rank reads its slice twice (counts, then parsing) plus the bytes from
// its slice's start to the next row boundary; two allgathers of p words. A stray
// quote in an unquoted field makes the parity wrong after it, but the rank whose
// range holds the first such quote started at a true boundary and reports it as
// the plain reader would (docs/distributed.md), and agreement picks the lowest
// failing rank.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/csv_reader.hpp"

namespace meg::dist {

// A regular file read at offsets (pread). Throws IoError naming the path.
class PreadFile {
 public:
  explicit PreadFile(const std::string& path);
  ~PreadFile();
  PreadFile(const PreadFile&) = delete;
  PreadFile& operator=(const PreadFile&) = delete;
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // Reads up to n bytes at `offset` (fewer only at the end of the file).
  size_t read_at(uint64_t offset, char* out, size_t n) const;

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

struct HeaderSpan {
  uint64_t end = 0;    // the offset just after the header row's line feed (size: none)
  uint64_t lines = 0;  // line feeds in [0, end)
};
HeaderSpan find_header(const PreadFile& file);

struct SliceCounts {
  uint64_t quotes = 0, newlines = 0;
};
SliceCounts count_slice(const PreadFile& file, uint64_t begin, uint64_t end);

struct Boundary {
  uint64_t offset = 0;    // the first row boundary at or after the scan's start
  uint64_t newlines = 0;  // line feeds in [start, offset)
};
// The first row boundary at or after `start` (> 0), given whether byte start - 1 is
// inside quotes... precisely: `in_quotes` is the quote state before byte start - 1.
Boundary find_boundary(const PreadFile& file, uint64_t start, bool in_quotes);

struct RankRange {
  uint64_t begin = 0, end = 0;  // bytes of the file this rank parses
  uint64_t line_offset = 0;     // line feeds between the header's end and `begin`
  HeaderSpan header;
};
// Collective: every rank calls it; errors are agreed (dist/comm.hpp).
RankRange plan_range(const PreadFile& file);

// The bytes a rank parses: the header's bytes, then [begin, end) of the file.
std::unique_ptr<data::ByteSource> range_source(const PreadFile& file, const RankRange& range);

}  // namespace meg::dist
