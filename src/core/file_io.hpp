// File helpers: whole-file reads with clear errors, and atomic writes
// (temporary file in the target's directory, then rename).
#pragma once
#include <cstdio>
#include <functional>
#include <string>

namespace meg::core {

// Reads a whole file ("-" = standard input) in large blocks. Throws IoError
// naming the path when it cannot be opened or read (or is a directory).
std::string read_file(const std::string& path);

// Output that lands at `path` only when commit() is called: the data goes to a
// temporary file beside it, renamed over `path` on commit. If the object is
// destroyed without commit(), the temporary file is removed. "-" writes to
// standard output directly, and an existing device or FIFO (e.g. /dev/null) is
// written in place, since renaming over it would replace the device node.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::FILE* stream() { return file_; }
  void write(const char* data, size_t size);
  void write(const std::string& s) { write(s.data(), s.size()); }
  void commit();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string temp_path_;
  std::FILE* file_ = nullptr;
  bool is_stdout_ = false;
  bool is_special_ = false;  // an existing device/FIFO: written in place, never renamed over
  bool committed_ = false;
};

// Convenience: write `content` to `path` atomically.
void write_file_atomic(const std::string& path, const std::string& content);

// Removes every temporary file still registered (for signal handlers / abort paths).
void remove_pending_temp_files() noexcept;

}  // namespace meg::core
