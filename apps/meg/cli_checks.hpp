// Checks run before a command starts its work, so a long fit or sample does
// not end in an error that was knowable at the start.
#pragma once
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "meg/error.hpp"

namespace meg::cli {

// Throws IoError naming `path` unless a file can be created there ("-" = stdout).
inline void check_output_path(const std::string& path) {
  if (path.empty() || path == "-") return;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    throw IoError(path + ": is a directory, cannot write a file there");
  }
  std::string dir = ".";
  if (auto slash = path.rfind('/'); slash != std::string::npos) {
    dir = slash == 0 ? "/" : path.substr(0, slash);
  }
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw IoError(path + ": cannot write: directory '" + dir + "' does not exist");
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    throw IoError(path + ": cannot write: directory '" + dir + "' is not writable");
  }
}

}  // namespace meg::cli
