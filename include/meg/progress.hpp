// Progress reports from long operations. The callback is called from worker
// threads (never concurrently); it may throw meg::Cancelled to stop the work.
//
// Stages, in the order a fit reports them:
//   "read"    the input is read, its schema inferred and its rows encoded
//             (rows, bytes, bytes_total);
//   "reread"  a second pass over the input, for columns whose codes or levels the
//             first could not keep (docs/data.md) (rows, bytes, bytes_total);
//   "search"  the units' structures searched (units_done, units_total, unit, phase "done"),
//             before any unit is counted: once on the fit rows, once on all rows when the
//             refit searches again;
//   "guard"   once: the model-size guard's estimate of the fit's and its model's heap
//             (bytes) and the limit (bytes_total, option max_model_mb), after the search;
//   "select", "fit", "weights", "refit"  the units (units_done, units_total, unit, phase);
// and a sample reports "sample" (rows, rows_total).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace meg {

struct Progress {
  std::string stage;
  // Unit stages:
  size_t units_done = 0;  // units finished in this stage
  size_t units_total = 0;
  std::string unit;   // class column of the unit reporting ("" for stage events)
  std::string phase;  // "warmup", "adversarial", "done"
  int epoch = 0;      // epoch just finished within the phase
  int epochs = 0;     // epochs in the phase
  // Reading and sampling stages:
  uint64_t rows = 0;           // rows read (or written) so far
  uint64_t rows_total = 0;     // rows to write (sampling); 0 when not known
  uint64_t bytes = 0;          // bytes of the input read so far
  uint64_t bytes_total = 0;    // the input's size; 0 when not known (standard input, a pipe)
  double elapsed_seconds = 0;  // since the operation began
};

using ProgressFn = std::function<void(const Progress&)>;

}  // namespace meg
