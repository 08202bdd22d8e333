#include "meg/io.hpp"

#include "core/file_io.hpp"

namespace meg {

void write_text_file(const std::string& path, const std::string& content) {
  core::write_file_atomic(path, content);
}

}  // namespace meg

namespace meg {

void remove_temporary_files() noexcept { core::remove_pending_temp_files(); }

}  // namespace meg
