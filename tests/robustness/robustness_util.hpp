// Shared helpers of the robustness tests: scratch directories, leftover
// temporary files, and a small model fitted on demand.
#pragma once
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/cli_runner.hpp"

namespace meg::test {

// Names of the atomic-write temporaries (".NAME.tmp-XXXXXX") left in `dir`.
inline std::vector<std::string> leftover_temporaries(const std::filesystem::path& dir) {
  std::vector<std::string> found;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.find(".tmp-") != std::string::npos) found.push_back(name);
  }
  return found;
}

// A small model (the first 60 rows of car.csv), fitted into `dir` once.
inline std::string small_model(const std::filesystem::path& dir) {
  const auto model = dir / "small.meg";
  if (std::filesystem::exists(model)) return model.string();
  std::ifstream in("data/car.csv");
  std::string text, line;
  for (int i = 0; i < 61 && std::getline(in, line); ++i) text += line + "\n";
  write_bytes(dir / "small.csv", text);
  RunResult r = run_meg(
      "fit " + (dir / "small.csv").string() + " -o " + model.string() + " --quiet --seed 1", dir);
  if (r.code != 0) throw std::runtime_error("fitting the small model failed: " + r.err);
  return model.string();
}

}  // namespace meg::test
