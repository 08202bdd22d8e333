// Distributed `meg fit` and `meg sample` under mpirun (docs/distributed.md). The
// CLI calls these when dist::launched(); the results are byte for byte those of the
// single-process commands.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "dist/comm.hpp"
#include "meg/options.hpp"
#include "meg/progress.hpp"

namespace meg::dist {

struct FitReport {
  uint64_t rows = 0;              // training rows
  bool profiles_merged = false;   // the table built from merged profiles (not gathered rows)
  uint64_t gathered_bytes = 0;    // the profiles and codes, or the rows, allgathered (every rank's)
  uint64_t collective_bytes = 0;  // this rank's part of the allgathers and allreduces
  uint64_t reduced_bytes = 0;     // of which: the counts it summed (allreduce, sparse allgather)
  // CPU seconds (user + sys, every thread) of each phase, the largest over the ranks:
  // reading its rows, its rows' profiles and the exchange (merged profiles and codes, or
  // the rows), the table build, the fit (and rank 0's write).
  double cpu_read = 0, cpu_gather = 0, cpu_build = 0, cpu_fit = 0;
  double cpu_rank = 0;  // the largest total of a rank
};

// Collective. Rank r parses and profiles its byte range of `csv_path`
// (dist/byte_ranges.hpp), the profiles are merged across the ranks and the rows' codes
// allgathered (dist/merged_profiles.hpp; or, when a column cannot be merged, the rows),
// every rank builds the table and runs the fit, counting its
// share of the rows (the counts summed across the ranks: dist/mpi_reducer.hpp); the
// model is exactly `meg fit`'s, rank 0 writes it to `output` (atomically, only when
// every rank succeeded). Every rank returns, or throws the same agreed error.
FitReport fit_csv(const std::string& csv_path, const FitOptions& options,
                  const std::string& schema_path, const std::string& output,
                  const ProgressFn& progress);

// Collective. The table is the shards' rows in list order (dist/shards.hpp): rank r
// parses the whole shards assigned to it (every shard's header must be the first
// shard's), then as fit_csv. `name` names the table in messages of rank 0's build
// (a shard list file, or the first and last shard).
FitReport fit_shards(const std::vector<std::string>& shards, const std::string& name,
                     const FitOptions& options, const std::string& schema_path,
                     const std::string& output, const ProgressFn& progress);

// Collective. `dir` ends with '/': rank r writes dir/part-RRRRR.csv (header, then its
// consecutive share of the 32768-row chunks of the sample of n rows); the parts in
// rank order are the single-process sample. Returns the rows this rank wrote.
uint64_t sample_parts(const std::string& model_path, uint64_t n, uint64_t seed, int threads,
                      const std::string& dir);

// dir + "part-RRRRR.csv".
std::string part_path(const std::string& dir, int part);

}  // namespace meg::dist
