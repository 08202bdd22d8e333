#include "dist/byte_ranges.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "dist/comm.hpp"
#include "meg/error.hpp"

namespace meg::dist {
namespace {

constexpr size_t kBlock = size_t{1} << 20;

std::string errno_text(int e) { return std::strerror(e); }

class RangeSource final : public data::ByteSource {
 public:
  RangeSource(const PreadFile& file, std::string header, uint64_t begin, uint64_t end)
      : file_(file), header_(std::move(header)), begin_(begin), end_(end) {}
  size_t read(char* out, size_t n) override {
    if (at_ < header_.size()) {
      n = std::min<size_t>(n, header_.size() - at_);
      std::memcpy(out, header_.data() + at_, n);
      at_ += n;
      return n;
    }
    const uint64_t file_at = begin_ + (at_ - header_.size());
    if (file_at >= end_) return 0;
    n = std::min<uint64_t>(n, end_ - file_at);
    const size_t got = file_.read_at(file_at, out, n);
    if (got == 0) throw IoError(file_.path() + ": the file shrank while it was being read");
    at_ += got;
    return got;
  }
  uint64_t size() const override { return header_.size() + (end_ - begin_); }
  void rewind() override { at_ = 0; }

 private:
  const PreadFile& file_;
  std::string header_;
  uint64_t begin_, end_;
  uint64_t at_ = 0;
};

}  // namespace

PreadFile::PreadFile(const std::string& path) : path_(path) {
  if (path == "-") {
    throw InvalidArgument(
        "DATA '-': a distributed fit reads a file (every rank reads its own byte range), "
        "not standard input");
  }
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw IoError(path + ": cannot open: " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    throw IoError(path + ": a distributed fit reads a regular file (byte ranges), not this");
  }
  size_ = static_cast<uint64_t>(st.st_size);
}

PreadFile::~PreadFile() {
  if (fd_ >= 0) ::close(fd_);
}

size_t PreadFile::read_at(uint64_t offset, char* out, size_t n) const {
  size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd_, out + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      throw IoError(path_ + ": read error: " + errno_text(errno));
    }
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  return done;
}

HeaderSpan find_header(const PreadFile& file) {
  std::vector<char> buf(kBlock);
  bool in_quotes = false, content = false;
  HeaderSpan h;
  for (uint64_t at = 0; at < file.size(); at += buf.size()) {
    const size_t n = file.read_at(at, buf.data(), buf.size());
    size_t i = 0;
    if (at == 0 && n >= 3 && std::memcmp(buf.data(), "\xEF\xBB\xBF", 3) == 0) i = 3;  // a BOM
    for (; i < n; ++i) {
      const char c = buf[i];
      if (c == '"') {
        in_quotes = !in_quotes;
        content = true;
      } else if (c == '\n') {
        ++h.lines;
        if (!in_quotes && content) {
          h.end = at + i + 1;
          return h;
        }
      } else if (c != '\r') {
        content = true;
      }
    }
    if (n < buf.size()) break;
  }
  h.end = file.size();  // the header is the whole file (or there is none): the reader says
  return h;
}

namespace {

// Adds the quotes and line feeds of p[0, n) to s in one pass (two std::count passes read
// the bytes twice: this halved the count's CPU): per lane byte counters, which a run of
// 255 steps cannot overflow, the compiler keeps in vector registers.
void add_counts(const char* p, size_t n, SliceCounts& s) {
  constexpr size_t kLanes = 32, kSteps = 255;
  size_t i = 0;
  while (i < n) {
    const size_t stop = std::min(n, i + kLanes * kSteps);
    std::array<uint8_t, kLanes> quotes{}, newlines{};
    for (; i + kLanes <= stop; i += kLanes) {
      for (size_t k = 0; k < kLanes; ++k) {
        quotes[k] = static_cast<uint8_t>(quotes[k] + (p[i + k] == '"'));
        newlines[k] = static_cast<uint8_t>(newlines[k] + (p[i + k] == '\n'));
      }
    }
    for (size_t k = 0; k < kLanes; ++k) {
      s.quotes += quotes[k];
      s.newlines += newlines[k];
    }
    for (; i < stop; ++i) {
      s.quotes += p[i] == '"';
      s.newlines += p[i] == '\n';
    }
  }
}

}  // namespace

SliceCounts count_slice(const PreadFile& file, uint64_t begin, uint64_t end) {
  std::vector<char> buf(kBlock);
  SliceCounts s;
  for (uint64_t at = begin; at < end; at += buf.size()) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), end - at));
    const size_t n = file.read_at(at, buf.data(), want);
    add_counts(buf.data(), n, s);
    if (n < want) break;
  }
  return s;
}

Boundary find_boundary(const PreadFile& file, uint64_t start, bool in_quotes) {
  std::vector<char> buf(kBlock);
  Boundary b;
  // Byte start - 1 first: a line feed there outside quotes makes `start` a boundary.
  for (uint64_t at = start - 1; at < file.size(); at += buf.size()) {
    const size_t n = file.read_at(at, buf.data(), buf.size());
    for (size_t i = 0; i < n; ++i) {
      const char c = buf[i];
      if (c == '"') {
        in_quotes = !in_quotes;
      } else if (c == '\n') {
        if (at + i >= start) ++b.newlines;
        if (!in_quotes) {
          b.offset = at + i + 1;
          return b;
        }
      }
    }
    if (n < buf.size()) break;
  }
  b.offset = file.size();
  return b;
}

RankRange plan_range(const PreadFile& file) {
  const int r = rank(), p = size();
  RankRange out;
  SliceCounts mine;
  agreed([&] { out.header = find_header(file); });
  const uint64_t h = out.header.end, total = file.size();
  auto slice_start = [&](int i) {  // h + (total - h) * i / p without overflow
    const uint64_t len = total - h, q = len / static_cast<uint64_t>(p),
                   rem = len % static_cast<uint64_t>(p), k = static_cast<uint64_t>(i);
    return h + q * k + rem * k / static_cast<uint64_t>(p);
  };
  agreed([&] { mine = count_slice(file, slice_start(r), slice_start(r + 1)); });
  const std::vector<uint64_t> quotes = allgather(mine.quotes);
  const std::vector<uint64_t> newlines = allgather(mine.newlines);
  uint64_t quotes_before = 0, newlines_before = 0;
  for (int i = 0; i < r; ++i) {
    quotes_before += quotes[static_cast<size_t>(i)];
    newlines_before += newlines[static_cast<size_t>(i)];
  }
  Boundary b{r == 0 ? 0 : h, 0};
  const uint64_t start = slice_start(r);
  agreed([&] {
    if (r > 0 && start > h) {
      // The quote state before byte start - 1: the quotes of [h, start - 1).
      char last = 0;
      file.read_at(start - 1, &last, 1);
      const uint64_t q = quotes_before - (last == '"' ? 1 : 0);
      b = find_boundary(file, start, q % 2 == 1);
    }
  });
  std::vector<uint64_t> begins = allgather(b.offset);
  std::vector<uint64_t> lines = allgather(newlines_before + b.newlines);
  for (size_t i = 1; i < begins.size(); ++i) {
    if (begins[i] < begins[i - 1]) {  // only after a stray quote: an empty range
      begins[i] = begins[i - 1];
      lines[i] = lines[i - 1];
    }
  }
  out.begin = begins[static_cast<size_t>(r)];
  out.end = r + 1 < p ? begins[static_cast<size_t>(r) + 1] : total;
  out.line_offset = r == 0 ? 0 : lines[static_cast<size_t>(r)];
  return out;
}

std::unique_ptr<data::ByteSource> range_source(const PreadFile& file, const RankRange& range) {
  std::string header;
  if (range.begin > 0) {
    header.resize(range.header.end);
    header.resize(file.read_at(0, header.data(), header.size()));
  }
  return std::make_unique<RangeSource>(file, std::move(header), range.begin, range.end);
}

}  // namespace meg::dist
