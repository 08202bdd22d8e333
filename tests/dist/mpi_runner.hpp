// Running `meg` under mpirun in the distributed tests.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "../cli/cli_runner.hpp"

namespace meg::test {

// `meg ARGS` under mpirun with `np` ranks (OpenMPI refuses root without these).
// `env`: VAR=VALUE words for the environment of the run.
inline RunResult run_mpi(int np, const std::string& args, const std::filesystem::path& dir,
                         const std::string& env = "") {
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  return run_meg_with(
      env + " " + MEG_MPIEXEC + " --oversubscribe -np " + std::to_string(np) + " " + meg_bin(),
      args, dir);
}

inline void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// The line meg printed (mpirun adds its own notices on stderr).
inline std::string meg_error(const std::string& err) {
  const size_t at = err.find("meg: error: ");
  if (at == std::string::npos) return "";
  return err.substr(at, err.find('\n', at) - at);
}

}  // namespace meg::test
