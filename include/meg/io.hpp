// Small I/O helpers for front ends.
#pragma once
#include <string>

namespace meg {

// Writes `content` to `path` atomically (temporary file + rename); "-" = stdout.
void write_text_file(const std::string& path, const std::string& content);

}  // namespace meg

namespace meg {

// Deletes the temporary files of outputs still being written. Safe to call
// from a signal handler (it only unlinks); used by the CLI on SIGINT/SIGTERM.
void remove_temporary_files() noexcept;

}  // namespace meg
