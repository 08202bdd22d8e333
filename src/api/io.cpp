#include "meg/io.hpp"

#include "core/file_io.hpp"

namespace meg {

void write_text_file(const std::string& path, const std::string& content) {
  core::write_file_atomic(path, content);
}

}  // namespace meg
