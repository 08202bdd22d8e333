#include "data/csv_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "meg/error.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace meg::data {
namespace {

std::string errno_text(int e) { return std::strerror(e); }

// A file descriptor: a regular file is re-read from its start offset (and must not
// change in between); anything else (a pipe, a terminal, a device) is copied into an
// unlinked temporary file while it is read when spooling was asked for.
class FileSource final : public ByteSource {
 public:
  FileSource(const std::string& path, bool spool) : name_(path == "-" ? "<stdin>" : path) {
    if (path != "-") {
      fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd_ < 0) throw IoError(path + ": cannot open: " + errno_text(errno));
      owned_ = true;
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      const int e = errno;
      close_all();
      throw IoError(name_ + ": cannot open: " + errno_text(e));
    }
    if (S_ISDIR(st.st_mode)) {
      close_all();
      throw IoError(path + ": is a directory, expected a file");
    }
    if (S_ISREG(st.st_mode)) {
      const off_t at = ::lseek(fd_, 0, SEEK_CUR);
      if (at >= 0) {
        regular_ = true;
        start_ = at;
        size_ = st.st_size > at ? static_cast<uint64_t>(st.st_size - at) : 0;
        stamp_ = st;
      }
    }
    if (!regular_ && spool) open_spool();
  }
  ~FileSource() override { close_all(); }

  size_t read(char* out, size_t n) override {
    const int fd = reading_spool_ ? spool_fd_ : fd_;
    while (true) {
      const ssize_t got = ::read(fd, out, n);
      if (got < 0) {
        if (errno == EINTR) continue;
        throw IoError(name_ + ": read error: " + errno_text(errno));
      }
      if (got > 0 && spool_fd_ >= 0 && !reading_spool_) to_spool(out, static_cast<size_t>(got));
      return static_cast<size_t>(got);
    }
  }
  uint64_t size() const override { return regular_ ? size_ : 0; }

  void rewind() override {
    if (regular_) {
      struct stat st {};
      if (::fstat(fd_, &st) != 0 || st.st_size != stamp_.st_size ||
          st.st_mtim.tv_sec != stamp_.st_mtim.tv_sec ||
          st.st_mtim.tv_nsec != stamp_.st_mtim.tv_nsec) {
        throw IoError(name_ + ": the file changed while it was being read");
      }
      if (::lseek(fd_, start_, SEEK_SET) != start_) {
        throw IoError(name_ + ": cannot read it again: " + errno_text(errno));
      }
      return;
    }
    if (spool_fd_ < 0) throw IoError(name_ + ": cannot be read twice (not a regular file)");
    if (::lseek(spool_fd_, 0, SEEK_SET) != 0) {
      throw IoError(name_ + ": cannot read the spooled copy again: " + errno_text(errno));
    }
    reading_spool_ = true;
  }

 private:
  void open_spool() {
    const char* dir = std::getenv("TMPDIR");
    std::string templ = std::string(dir && *dir ? dir : "/tmp") + "/meg-spool-XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    spool_fd_ = ::mkstemp(buf.data());
    if (spool_fd_ < 0) {
      const int e = errno;
      close_all();
      throw IoError(name_ + ": cannot create a temporary copy in " +
                    templ.substr(0, templ.rfind('/')) + ": " + errno_text(e) +
                    " (set TMPDIR to a writable directory)");
    }
    // Unlinked at once: the copy disappears with the process, whatever ends it.
    ::unlink(buf.data());
    spool_dir_ = templ.substr(0, templ.rfind('/'));
  }
  void to_spool(const char* data, size_t n) {
    while (n > 0) {
      const ssize_t put = ::write(spool_fd_, data, n);
      if (put < 0) {
        if (errno == EINTR) continue;
        throw IoError(name_ + ": cannot keep a temporary copy in " + spool_dir_ + ": " +
                      errno_text(errno) + " (set TMPDIR to a directory with room)");
      }
      data += put;
      n -= static_cast<size_t>(put);
    }
  }
  void close_all() {
    if (owned_ && fd_ >= 0) ::close(fd_);
    if (spool_fd_ >= 0) ::close(spool_fd_);
    fd_ = spool_fd_ = -1;
  }

  std::string name_;
  int fd_ = 0;
  bool owned_ = false;
  bool regular_ = false;
  off_t start_ = 0;
  uint64_t size_ = 0;
  struct stat stamp_ {};
  int spool_fd_ = -1;
  std::string spool_dir_;
  bool reading_spool_ = false;
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view text) : text_(text) {}
  size_t read(char* out, size_t n) override {
    n = std::min(n, text_.size() - at_);
    std::memcpy(out, text_.data() + at_, n);
    at_ += n;
    return n;
  }
  uint64_t size() const override { return text_.size(); }
  void rewind() override { at_ = 0; }

 private:
  std::string_view text_;
  size_t at_ = 0;
};

// First byte in [p, end) equal to a, b, c or d; end if none.
inline const char* find_any(const char* p, const char* end, char a, char b, char c, char d) {
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c),
                vd = _mm_set1_epi8(d);
  while (end - p >= 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)),
                                   _mm_or_si128(_mm_cmpeq_epi8(x, vc), _mm_cmpeq_epi8(x, vd)));
    const int mask = _mm_movemask_epi8(m);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p < end && *p != a && *p != b && *p != c && *p != d) ++p;
  return p;
}

constexpr const char* kBareCr =
    "a carriage return (CR) without a line feed outside quotes: line ends must be LF or CRLF "
    "(CR-only line ends, as in old Mac files, are not read; convert them, e.g. tr '\\r' "
    "'\\n'); a field holding a CR must be quoted";

}  // namespace

std::unique_ptr<ByteSource> open_file_source(const std::string& path, bool spool) {
  return std::make_unique<FileSource>(path, spool);
}

std::unique_ptr<ByteSource> memory_source(std::string_view text) {
  return std::make_unique<MemorySource>(text);
}

CsvReader::CsvReader(const std::string& path, const CsvReadOptions& options)
    : CsvReader(open_file_source(path, options.spool), path == "-" ? "<stdin>" : path, options) {}

CsvReader::CsvReader(std::unique_ptr<ByteSource> source, std::string name,
                     const CsvReadOptions& options)
    : source_(std::move(source)), name_(std::move(name)), options_(options) {
  options_.block_bytes = std::max<size_t>(1, options_.block_bytes);
  options_.chunk_rows = std::max<size_t>(1, options_.chunk_rows);
  // Room for a block after the few bytes of an unfinished UTF-8 sequence (or the BOM).
  buf_.resize(options_.block_bytes + 8);
  start();
}

CsvReader::~CsvReader() = default;

void CsvReader::fail(uint64_t line, uint64_t col, const std::string& message) const {
  if (col > 0) throw DataError(fmt::format("{}:{}:{}: {}", name_, line, col, message));
  throw DataError(fmt::format("{}:{}: {}", name_, line, message));
}

void CsvReader::start() {
  pos_ = valid_ = len_ = 0;
  base_ = consumed_ = 0;
  eof_ = false;
  bad_at_ = UINT64_MAX;
  bad_message_.clear();
  state_ = State::RowStart;
  in_header_ = true;
  line_ = 1;
  line_start_ = 0;
  fields_ = 0;
  rows_ = 0;
  done_ = false;
  pending_ = nullptr;
  while (len_ < 3 && fill()) {
  }
  if (len_ >= 3 && valid_ >= 3 && static_cast<unsigned char>(buf_[0]) == 0xEF &&
      static_cast<unsigned char>(buf_[1]) == 0xBB && static_cast<unsigned char>(buf_[2]) == 0xBF) {
    pos_ = 3;
    line_start_ = 3;  // columns are counted after the BOM
  }
  scratch_.clear(0, 0);
  while (true) {
    const Step s = parse(scratch_);
    if (s == Step::Full) break;
    if (s == Step::End) fail(1, 0, "empty file: expected a header row");
    fill();
  }
}

bool CsvReader::fill() {
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, len_ - pos_);
    base_ += pos_;
    len_ -= pos_;
    valid_ -= pos_;
    pos_ = 0;
  }
  if (eof_ || bad_at_ != UINT64_MAX) return false;  // nothing is read past a bad byte
  const size_t want = std::min(options_.block_bytes, buf_.size() - len_);
  const size_t got = source_->read(buf_.data() + len_, want);
  if (got == 0) eof_ = true;
  len_ += got;
  consumed_ += got;
  validate();
  return got > 0;
}

void CsvReader::validate() {
  const auto* s = reinterpret_cast<const unsigned char*>(buf_.data());
  size_t i = valid_;
  auto bad = [&](const std::string& message) {
    bad_at_ = base_ + i;
    bad_message_ = message;
    valid_ = i;
  };
  while (i < len_) {
    // Fast path over 8 ASCII bytes without NUL.
    if (i + 8 <= len_) {
      uint64_t w;
      std::memcpy(&w, s + i, 8);
      const uint64_t high = w & 0x8080808080808080ULL;
      const uint64_t zero = (w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL;
      if ((high | zero) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = s[i];
    if (c < 0x80) {
      if (c == 0) return bad("NUL byte in input (not a text CSV file?)");
      ++i;
      continue;
    }
    const core::Utf8Step step = core::utf8_step(s + i, len_ - i);
    switch (step.kind) {
      case core::Utf8Step::Ok:
        break;
      case core::Utf8Step::BadLead:
        return bad(fmt::format("invalid UTF-8 byte 0x{:02X}", c));
      case core::Utf8Step::Truncated:
        if (!eof_) {
          valid_ = i;  // the rest of the sequence is in the next block
          return;
        }
        [[fallthrough]];
      case core::Utf8Step::BadContinuation:
        return bad(fmt::format("invalid UTF-8 sequence starting with byte 0x{:02X}", c));
      case core::Utf8Step::BadValue:
        return bad("invalid UTF-8 (overlong or out-of-range sequence)");
    }
    i += step.len;
  }
  valid_ = i;
}

void CsvReader::append(CsvChunk& chunk, const char* begin, const char* end) {
  if (!in_header_ && fields_ >= chunk.cols_) return;  // a ragged row: only its fields are counted
  const size_t n = static_cast<size_t>(end - begin);
  if (chunk.text_.size() + n > UINT32_MAX) fail(row_line_, 0, "a row longer than 4 GiB");
  chunk.text_.append(begin, n);
}

void CsvReader::end_field(CsvChunk& chunk) {
  if (in_header_ || fields_ < chunk.cols_) {
    chunk.ends_.push_back(static_cast<uint32_t>(chunk.text_.size()));
  }
  ++fields_;
}

bool CsvReader::end_row(CsvChunk& chunk) {
  const size_t n = fields_;
  fields_ = 0;
  if (in_header_) {
    set_header(chunk);
    in_header_ = false;
    return true;
  }
  if (n != chunk.cols_) {
    fail(row_line_, 0,
         fmt::format("row has {} field{}, the header has {}", n, n == 1 ? "" : "s", chunk.cols_));
  }
  chunk.lines_.push_back(row_line_);
  return chunk.lines_.size() >= options_.chunk_rows || chunk.text_.size() >= options_.chunk_bytes;
}

void CsvReader::set_header(const CsvChunk& chunk) {
  std::vector<std::string> names;
  size_t begin = 0;
  for (uint32_t end : chunk.ends_) {
    names.emplace_back(chunk.text_.data() + begin, end - begin);
    begin = end;
  }
  std::unordered_map<std::string_view, size_t> seen;
  for (size_t c = 0; c < names.size(); ++c) {
    if (names[c].empty()) {
      fail(row_line_, 0, fmt::format("empty column name (column {} of the header)", c + 1));
    }
    auto [it, inserted] = seen.emplace(names[c], c);
    if (!inserted) {
      fail(row_line_, 0,
           fmt::format("duplicate column name '{}' (columns {} and {})", names[c], it->second + 1,
                       c + 1));
    }
  }
  if (!header_.empty() && names != header_) {
    throw IoError(name_ + ": the header changed between two readings of the input");
  }
  header_ = std::move(names);
}

CsvReader::Step CsvReader::parse(CsvChunk& chunk) {
  const char delim = options_.delimiter;
  const char* const buf = buf_.data();
  const char* const limit = buf + valid_;
  const char* p = buf + pos_;
  auto abs = [&](const char* q) { return base_ + static_cast<uint64_t>(q - buf); };
  auto newline = [&] {
    ++line_;
    line_start_ = abs(p);
  };
  // At the end of the checked bytes: the bad byte is reported once the parser
  // reaches it; otherwise it is the end of the input (true) or more must be read.
  auto at_end = [&] {
    pos_ = static_cast<size_t>(p - buf);
    if (abs(p) == bad_at_) fail(line_, col_at(bad_at_), bad_message_);
    return eof_;
  };
  auto finish_row = [&] {  // the row ended at p; true when the chunk is full
    state_ = State::RowStart;
    const bool full = end_row(chunk);
    pos_ = static_cast<size_t>(p - buf);
    return full;
  };
  // At the end of the checked bytes inside a field: more must be read (NeedMore), or
  // the input ended and so did the field and its row (Full when the chunk is).
  auto field_at_limit = [&]() -> std::optional<Step> {
    if (!at_end()) return Step::NeedMore;
    end_field(chunk);
    if (finish_row()) return Step::Full;
    return std::nullopt;
  };
  // The field ends at *p if it is the delimiter, LF or CR: consumes it (*full when the
  // row it ended filled the chunk). False when *p ends no field.
  auto field_end = [&](bool* full) {
    const char c = *p;
    if (c != delim && c != '\n' && c != '\r') return false;
    end_field(chunk);
    if (c == '\r') {  // the row ends if LF (or the end) follows
      cr_line_ = line_;
      cr_col_ = col_at(abs(p));
    }
    ++p;
    if (c == delim) {
      state_ = State::FieldStart;
    } else if (c == '\r') {
      state_ = State::Cr;
    } else {
      newline();
      *full = finish_row();
    }
    return true;
  };
  while (true) {
    switch (state_) {
      case State::RowStart: {
        if (p == limit) return at_end() ? Step::End : Step::NeedMore;
        if (*p == '\n') {  // a blank line
          ++p;
          newline();
          continue;
        }
        row_line_ = line_;
        fields_ = 0;
        if (*p == '\r') {  // a blank CRLF line, or a bare CR
          cr_line_ = line_;
          cr_col_ = col_at(abs(p));
          ++p;
          state_ = State::Cr;
          continue;
        }
        state_ = State::FieldStart;
        continue;
      }
      case State::FieldStart: {
        if (p == limit) {  // "x," at the end of the input: a last, empty field
          if (auto step = field_at_limit()) return *step;
          continue;
        }
        if (*p == '"') {
          quote_line_ = line_;
          quote_col_ = col_at(abs(p));
          ++p;
          state_ = State::Quoted;
        } else {
          state_ = State::Unquoted;
        }
        continue;
      }
      case State::Unquoted: {
        const char* q = find_any(p, limit, delim, '\n', '\r', '"');
        append(chunk, p, q);
        p = q;
        if (p == limit) {
          if (auto step = field_at_limit()) return *step;
          continue;
        }
        bool full = false;
        if (!field_end(&full)) {
          fail(line_, col_at(abs(p)),
               "quote inside an unquoted field (quote the whole field and double inner quotes)");
        }
        if (full) return Step::Full;
        continue;
      }
      case State::Quoted: {
        const char* q = find_any(p, limit, '"', '\n', '"', '\n');
        append(chunk, p, q);
        p = q;
        if (p == limit) {
          if (!at_end()) return Step::NeedMore;
          fail(quote_line_, quote_col_, "unterminated quoted field (quote opened here)");
        }
        if (*p == '\n') {
          append(chunk, p, p + 1);
          ++p;
          newline();
        } else {
          ++p;
          state_ = State::QuoteInQuoted;
        }
        continue;
      }
      case State::QuoteInQuoted: {
        if (p == limit) {
          if (auto step = field_at_limit()) return *step;
          continue;
        }
        bool full = false;
        if (*p == '"') {  // "" inside quotes
          append(chunk, p, p + 1);
          ++p;
          state_ = State::Quoted;
        } else if (!field_end(&full)) {
          fail(line_, col_at(abs(p)), "unexpected character after a closing quote");
        }
        if (full) return Step::Full;
        continue;
      }
      case State::Cr: {  // a CR ended a field (or began a line): only LF or the end may follow
        if (p == limit) {
          if (!at_end()) return Step::NeedMore;
          state_ = State::RowStart;
          if (fields_ > 0 && finish_row()) return Step::Full;
          continue;
        }
        if (*p != '\n') fail(cr_line_, cr_col_, kBareCr);
        ++p;
        newline();
        state_ = State::RowStart;
        if (fields_ > 0 && finish_row()) return Step::Full;
        continue;
      }
    }
  }
}

bool CsvReader::next(CsvChunk& chunk) {
  if (pending_) std::rethrow_exception(pending_);
  chunk.clear(header_.size(), rows_);
  if (done_) return false;
  try {
    while (true) {
      const Step s = parse(chunk);
      if (s == Step::Full) break;
      if (s == Step::End) {
        done_ = true;
        break;
      }
      fill();
    }
  } catch (const DataError&) {
    // Hand out the rows before the error first; the error comes with the next call.
    pending_ = std::current_exception();
    const size_t rows = chunk.lines_.size();
    chunk.ends_.resize(rows * chunk.cols_);
    chunk.text_.resize(chunk.ends_.empty() ? 0 : chunk.ends_.back());
    if (rows == 0) throw;
    rows_ += rows;
    return true;
  }
  rows_ += chunk.num_rows();
  if (done_ && rows_ == 0 && options_.require_rows) {
    try {
      fail(2, 0, "no data rows after the header");
    } catch (const DataError&) {
      pending_ = std::current_exception();
      throw;
    }
  }
  return chunk.num_rows() > 0;
}

void CsvReader::rewind() {
  source_->rewind();
  start();
}

}  // namespace meg::data
