// File helpers: whole-file reads with clear errors, and atomic writes
// (temporary file in the target's directory, then rename).
#pragma once
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace meg::core {

// Reads a whole file ("-" = standard input) in large blocks. Throws IoError
// naming the path when it cannot be opened or read (or is a directory). `enough`,
// if given, sees the bytes read so far after each block and stops the reading
// early by returning true (bad bytes are then reported without reading on, e.g.
// from /dev/zero).
std::string read_file(const std::string& path,
                      const std::function<bool(std::string_view)>& enough = {});

// Output that lands at `path` only when commit() is called: the data goes to a
// temporary file beside it, renamed over `path` on commit. If the object is
// destroyed without commit(), the temporary file is removed. "-" writes to
// standard output directly; a symbolic link is written through to its target (the
// link stays); and an existing device or FIFO (e.g. /dev/null) is
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
  std::string target_;  // path_ with symbolic links followed: where the file lands
  std::string temp_path_;
  std::FILE* file_ = nullptr;
  bool is_stdout_ = false;
  bool is_special_ = false;  // an existing device/FIFO: written in place, never renamed over
  bool committed_ = false;
};

// `path` with every symbolic link of its last component followed (a dangling link gives
// the file it points to); `path` itself when it is not a link.
std::string resolve_symlinks(const std::string& path);

// Convenience: write `content` to `path` atomically.
void write_file_atomic(const std::string& path, const std::string& content);

// Removes every temporary file still registered (for signal handlers / abort paths).
void remove_pending_temp_files() noexcept;

}  // namespace meg::core
