// Progress reports from long operations. The callback is called from worker
// threads (never concurrently); it may throw meg::Cancelled to stop the work.
#pragma once
#include <cstddef>
#include <functional>
#include <string>

namespace meg {

struct Progress {
  std::string stage;      // "fit", "weights", "refit"
  size_t units_done = 0;  // units finished in this stage
  size_t units_total = 0;
  std::string unit;   // class column of the unit reporting ("" for stage events)
  std::string phase;  // "warmup", "adversarial", "done"
  int epoch = 0;      // epoch just finished within the phase
  int epochs = 0;     // epochs in the phase
  double elapsed_seconds = 0;
};

using ProgressFn = std::function<void(const Progress&)>;

}  // namespace meg
