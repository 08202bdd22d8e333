// Error types thrown by the meg library. Front ends turn them into exit codes
// (CLI) or exceptions of their own language (Python).
#pragma once
#include <stdexcept>
#include <string>

namespace meg {

// Base of every error meg throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
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
