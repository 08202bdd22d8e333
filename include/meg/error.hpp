// Error types thrown by the meg library. Front ends turn them into exit codes
// (CLI) or exceptions of their own language (Python).
#pragma once
#include <stdexcept>
#include <string>

namespace meg {

namespace detail {
// The message with control characters escaped (\n, \r, \t, \xHH): a name or value from
// the input quoted in it (a column name with a newline or a NUL) keeps the message one
// whole line, and what() (a C string) does not end early.
inline std::string one_line(const std::string& s) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != 0x7f) {
      out += ch;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}
}  // namespace detail

// Base of every error meg throws on purpose. The message is kept on one line
// (detail::one_line).
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(detail::one_line(message)) {}
  explicit Error(const char* message) : Error(std::string(message)) {}
};

// A bad option value or API argument (the caller's fault). CLI exit code 2.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

// Bad input data: the message names file, line, column. CLI exit code 2.
class DataError : public Error {
 public:
  using Error::Error;
};

// A file cannot be opened, read or written (input or output). CLI exit code 2.
class IoError : public Error {
 public:
  using Error::Error;
};

// A model file that is corrupt, truncated or of another format version. CLI exit code 2.
class ModelFormatError : public Error {
 public:
  using Error::Error;
};

// The operation was cancelled (e.g. SIGINT); nothing was written.
class Cancelled : public Error {
 public:
  using Error::Error;
};

}  // namespace meg
