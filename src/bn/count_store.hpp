// The sparse counts behind a counted (untrained) kDB: for every stored block, the
// values seen with their counts. The smoothed log-probabilities are a pure function
// of these counts, the layout and the smoothing settings (cpt.hpp), so a counted
// model is saved as counts (a few bytes per non-zero count) instead of one double
// per cell, and smooth_counts() rebuilds bit-identical parameters on load.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "bn/class_blocks.hpp"
#include "bn/kdb_layout.hpp"
#include "meg/options.hpp"

namespace meg::bn {

struct CountStore {
  Smoothing kind = Smoothing::Hierarchical;
  double alpha = 0.5;             // level-0 / Laplace pseudo-count
  std::vector<double> m;          // hierarchical strength per feature (structure order)
  std::vector<uint32_t> nnz;      // per block: number of values with a non-zero count
  std::vector<uint32_t> values;   // per entry, ascending within a block
  std::vector<uint32_t> counts;   // per entry, > 0

  nlohmann::json to_json() const;
  // Throws ModelFormatError unless the counts fit the layout and blocks.
  static CountStore from_json(const nlohmann::json& j, const KdbLayout& layout,
                              const ClassBlocks& blocks);
};

// Smooths level by level: level 0 = Laplace(alpha); level j = (n + m P_{j-1}) / (N + m), or
// Laplace in that mode. Calls fn(b, p) for every block b with p[0..r) = its probabilities
// (not logs; valid during the call only). Only the back-off levels' probabilities are
// kept while smoothing (a full-level block is never a back-off), not one per cell.
void for_each_smoothed_block(const KdbLayout& layout, const ClassBlocks& blocks,
                             const CountStore& store,
                             const std::function<void(size_t b, const double* p)>& fn);

// Smoothed probabilities of single cells straight from the counts, equal to bit to those
// of for_each_smoothed_block (same operations on the same numbers): a recursion down the
// cell's back-off chain, O(levels * log nnz) per cell, so scoring a few rows does not need
// a value per cell. Holds references to its arguments.
class CountLookup {
 public:
  CountLookup(const KdbLayout& layout, const ClassBlocks& blocks, const CountStore& store);
  // P(v | block b).
  double prob(size_t b, uint32_t v) const;

 private:
  const KdbLayout& layout_;
  const ClassBlocks& blocks_;
  const CountStore& store_;
  std::vector<size_t> first_entry_;  // num_blocks + 1
  std::vector<double> total_;        // per block: n(block), summed as the smoothing does
};

// log theta of every cell of `blocks` (blocks.total_cells()): the log of the above.
std::vector<double> smooth_counts(const KdbLayout& layout, const ClassBlocks& blocks,
                                  const CountStore& store);

// Unsigned integers stored with the narrowest of 1, 2 or 4 bytes: {"width", "data"}.
nlohmann::json pack_narrow(const std::vector<uint32_t>& v);
std::vector<uint32_t> unpack_narrow(const nlohmann::json& j, const char* what);

}  // namespace meg::bn
