// Small I/O helpers for front ends.
#pragma once
#include <string>

namespace meg {

// Writes `content` to `path` atomically (temporary file + rename); "-" = stdout.
void write_text_file(const std::string& path, const std::string& content);

}  // namespace meg
