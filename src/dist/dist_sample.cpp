#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "dist/dist.hpp"
#include "ensemble/meg_model.hpp"
#include "meg/error.hpp"

namespace meg::dist {

std::string part_path(const std::string& dir, int part) {
  return fmt::format("{}part-{:05d}.csv", dir, part);
}

uint64_t sample_parts(const std::string& model_path, uint64_t n, uint64_t seed, int threads,
                      const std::string& dir) {
  std::unique_ptr<ensemble::MegModel> model;
  agreed([&] {
    if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
      throw IoError(dir + ": cannot create the directory: " + std::strerror(errno));
    }
    model = std::make_unique<ensemble::MegModel>(ensemble::MegModel::load(model_path));
  });
  const uint64_t chunks = (n + ensemble::kChunkRows - 1) / ensemble::kChunkRows;
  const auto p = static_cast<uint64_t>(size()), r = static_cast<uint64_t>(rank());
  const ensemble::ChunkRange range{chunks * r / p, chunks * (r + 1) / p};
  uint64_t rows = 0;
  const std::string path = part_path(dir, rank());
  try {
    agreed([&] {
      model->sample_to_file(
          n, seed, threads, path, [&](uint64_t written) { rows = written; }, range);
    });
  } catch (...) {
    ::unlink(path.c_str());  // no part is left when any rank failed
    throw;
  }
  return rows;
}

}  // namespace meg::dist
