// The one hook a distributed fit needs inside the model code: counts over rows add up
// across processes. A process that holds the table but counts only its share of the
// rows sums its counts with the other processes' (integer sums: exact, in any order),
// and every process then computes the same parameters from the same totals. The model
// code (bn) sees only this interface; src/dist implements it on MPI and installs it for
// the length of a distributed fit (CountReducerScope). No reducer installed (null): a
// single process counts every row, as always.
//
// Every process must make the same calls with the same sizes in the same order (they
// are collectives): callers that count on several threads at once must not call these
// concurrently (ensemble::fit_units fits the units one after another while a reducer
// is installed, the threads then count the features of one unit).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace meg::core {

class CountReducer {
 public:
  virtual ~CountReducer() = default;
  // The rows [begin, end) of `rows` rows (positions in the same view on every process)
  // that this process counts; the processes' shares are disjoint and cover [0, rows).
  virtual std::pair<size_t, size_t> share(size_t rows) const = 0;
  // counts[i] := the sum of counts[i] over the processes (every process, same size).
  virtual void sum(std::span<uint32_t> counts) = 0;
  virtual void sum(std::span<uint64_t> counts) = 0;
  // Every process's `bytes`, in process order (this one's included).
  virtual std::vector<std::vector<uint8_t>> allgather(std::span<const uint8_t> bytes) = 0;
};

// Every process's `mine`, concatenated in process order (an allgather of their bytes):
// the values one process computing every part would hold. Throws Error naming `what` (a
// plural: "held-out scores") when a part is not a whole number of doubles.
std::vector<double> allgather_doubles(CountReducer& reducer, std::span<const double> mine,
                                      const char* what);

// The reducer installed for this process (null: none, a plain single-process fit).
CountReducer* count_reducer();

// Installs `reducer` for its lifetime (one at a time; not thread-safe to nest).
class CountReducerScope {
 public:
  explicit CountReducerScope(CountReducer* reducer);
  ~CountReducerScope();
  CountReducerScope(const CountReducerScope&) = delete;
  CountReducerScope& operator=(const CountReducerScope&) = delete;

 private:
  CountReducer* previous_;
};

}  // namespace meg::core
