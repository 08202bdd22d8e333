// Checks run before a command starts its work, so a long fit or sample does
// not end in an error that was knowable at the start.
#pragma once
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "core/file_io.hpp"
#include "meg/error.hpp"

namespace meg::cli {

// Throws InvalidArgument when `output` (option `flag`) is the same file as one of
// `inputs` (same device and inode, so a symbolic or hard link to an input counts):
// writing it would replace an input the command still reads.
inline void check_not_an_input(const std::string& output, const std::vector<std::string>& inputs,
                               const std::string& flag = "-o") {
  if (output.empty() || output == "-") return;
  struct stat out {};
  if (::stat(output.c_str(), &out) != 0 || !S_ISREG(out.st_mode)) return;
  for (const auto& in : inputs) {
    struct stat st {};
    if (in.empty() || in == "-" || ::stat(in.c_str(), &st) != 0) continue;
    if (st.st_dev == out.st_dev && st.st_ino == out.st_ino) {
      throw InvalidArgument("option " + flag + " '" + output + "': is the input file '" + in +
                            "'; writing it would replace the input (choose another path)");
    }
  }
}

// Throws unless a file can be created at `path` (option `flag`; "-" = stdout) and
// `path` is none of `inputs`.
inline void check_output_path(const std::string& path, const std::vector<std::string>& inputs = {},
                              const std::string& flag = "-o") {
  if (path.empty()) throw InvalidArgument("option " + flag + ": the output path is empty");
  if (path == "-") return;
  check_not_an_input(path, inputs, flag);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    throw IoError(path + ": is a directory, cannot write a file there");
  }
  const std::string target = core::resolve_symlinks(path);
  std::string dir = ".";
  if (auto slash = target.rfind('/'); slash != std::string::npos) {
    dir = slash == 0 ? "/" : target.substr(0, slash);
  }
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw IoError(path + ": cannot write: directory '" + dir + "' does not exist");
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    throw IoError(path + ": cannot write: directory '" + dir + "' is not writable");
  }
}

// Throws unless at most one of the (option, path) inputs is standard input ("-"):
// the second would read an empty stream.
inline void check_one_stdin(const std::vector<std::pair<std::string, std::string>>& inputs) {
  std::string first;
  for (const auto& [flag, path] : inputs) {
    if (path != "-") continue;
    if (!first.empty()) {
      throw InvalidArgument("options " + first + " and " + flag +
                            " both read standard input ('-'); at most one input can");
    }
    first = flag;
  }
}

}  // namespace meg::cli
