#include "core/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <vector>

#include "meg/error.hpp"

namespace meg::core {
namespace {

std::mutex g_temp_mutex;
std::set<std::string>& pending() {
  static std::set<std::string> files;
  return files;
}

std::string errno_text() { return std::strerror(errno); }

// A write that failed for lack of space or a size limit is a resource failure (exit 1),
// any other write failure an I/O error; both name the path and the cause.
[[noreturn]] void throw_write_error(const std::string& path, int err) {
  std::string msg = path + ": write error: " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT || err == EFBIG) throw Error(msg);
  throw IoError(msg);
}

}  // namespace

std::string resolve_symlinks(const std::string& path) {
  std::string p = path;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p;
    std::vector<char> buf(static_cast<size_t>(st.st_size > 0 ? st.st_size : 4095) + 1);
    const ssize_t n = ::readlink(p.c_str(), buf.data(), buf.size());
    if (n < 0 || static_cast<size_t>(n) >= buf.size()) return p;
    std::string target(buf.data(), static_cast<size_t>(n));
    if (target.empty()) return p;
    if (target[0] != '/') {
      const auto slash = p.rfind('/');
      if (slash != std::string::npos) target = p.substr(0, slash + 1) + target;
    }
    p = std::move(target);
  }
  throw IoError(path + ": cannot write: too many levels of symbolic links");
}

std::string read_file(const std::string& path,
                      const std::function<bool(std::string_view)>& enough) {
  int fd = 0;
  if (path != "-") {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw IoError(path + ": cannot open: " + errno_text());
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      ::close(fd);
      throw IoError(path + ": is a directory, expected a file");
    }
  }
  constexpr size_t kBlock = 1 << 20;
  std::string out;
  struct stat st {};
  if (path != "-" && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    // Room for the last (empty) read too: growing past the size would double the buffer.
    out.reserve(static_cast<size_t>(st.st_size) + kBlock);
  }
  size_t used = out.size();
  while (true) {
    if (out.size() < used + kBlock) out.resize(used + kBlock);
    ssize_t got = ::read(fd, out.data() + used, kBlock);
    if (got < 0) {
      if (errno == EINTR) continue;
      std::string msg =
          (path == "-" ? std::string("<stdin>") : path) + ": read error: " + errno_text();
      if (fd != 0) ::close(fd);
      throw IoError(msg);
    }
    if (got == 0) break;
    used += static_cast<size_t>(got);
    if (enough && enough(std::string_view(out.data(), used))) break;
  }
  out.resize(used);
  if (fd != 0) ::close(fd);
  return out;
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  if (path_ == "-") {
    is_stdout_ = true;
    file_ = stdout;
    return;
  }
  if (path_.empty()) throw InvalidArgument("output path is empty");
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    throw IoError(path_ + ": is a directory, cannot write a file there");
  }
  if (::stat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    // A device, FIFO or socket (e.g. /dev/null, a named pipe): write to it directly.
    // Renaming a temporary file over it would replace the device node itself.
    file_ = std::fopen(path_.c_str(), "wb");
    if (!file_) throw IoError(path_ + ": cannot write: " + errno_text());
    is_special_ = true;
    return;
  }
  // A symbolic link is written through to its target (like cp), atomically: the
  // temporary file goes beside the target and is renamed over it.
  target_ = resolve_symlinks(path_);
  std::string dir = ".";
  std::string base = target_;
  if (auto slash = target_.rfind('/'); slash != std::string::npos) {
    dir = slash == 0 ? "/" : target_.substr(0, slash);
    base = target_.substr(slash + 1);
  }
  // ".BASE.tmp-XXXXXX" adds 12 bytes: keep it within NAME_MAX (255) for long names.
  constexpr size_t kMaxBase = 255 - 12;
  if (base.size() > kMaxBase) base.resize(kMaxBase);
  std::string templ = (dir == "/" ? "" : dir) + "/." + base + ".tmp-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  int fd = ::mkstemp(buf.data());
  if (fd < 0) throw IoError(path_ + ": cannot write: " + errno_text());
  ::fchmod(fd, 0644);
  temp_path_ = buf.data();
  {
    std::lock_guard<std::mutex> lock(g_temp_mutex);
    pending().insert(temp_path_);
  }
  file_ = ::fdopen(fd, "wb");
  if (!file_) {
    ::close(fd);
    ::unlink(temp_path_.c_str());
    throw IoError(path_ + ": cannot write: " + errno_text());
  }
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
}

AtomicFile::~AtomicFile() {
  if (is_stdout_ || committed_) return;
  if (is_special_) {
    if (file_) std::fclose(file_);
    return;
  }
  if (file_) std::fclose(file_);
  ::unlink(temp_path_.c_str());
  std::lock_guard<std::mutex> lock(g_temp_mutex);
  pending().erase(temp_path_);
}

void AtomicFile::write(const char* data, size_t size) {
  if (size == 0) return;
  if (std::fwrite(data, 1, size, file_) != size) {
    throw_write_error(is_stdout_ ? std::string("<stdout>") : path_, errno);
  }
}

void AtomicFile::commit() {
  if (committed_) return;
  if (is_stdout_) {
    if (std::fflush(stdout) != 0) throw_write_error("<stdout>", errno);
    committed_ = true;
    return;
  }
  if (is_special_) {
    int rc = std::fclose(file_);
    file_ = nullptr;
    committed_ = true;
    if (rc != 0) throw_write_error(path_, errno);
    return;
  }
  bool ok = std::fflush(file_) == 0 && !std::ferror(file_);
  int err = errno;
  int close_rc = std::fclose(file_);
  if (ok && close_rc != 0) err = errno;
  file_ = nullptr;
  if (!ok || close_rc != 0) throw_write_error(path_, err);
  if (::rename(temp_path_.c_str(), target_.c_str()) != 0) {
    throw IoError(path_ + ": cannot write: " + errno_text());
  }
  committed_ = true;
  std::lock_guard<std::mutex> lock(g_temp_mutex);
  pending().erase(temp_path_);
}

void write_file_atomic(const std::string& path, const std::string& content) {
  AtomicFile f(path);
  f.write(content);
  f.commit();
}

void remove_pending_temp_files() noexcept {
  // Called from signal handlers: no locking (best effort), unlink is async-signal-safe.
  for (const auto& p : pending()) ::unlink(p.c_str());
}

}  // namespace meg::core
