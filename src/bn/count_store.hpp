// The sparse counts behind a counted (untrained) kDB: for every stored block, the
// values seen with their counts. The smoothed log-probabilities are a pure function
// of these counts, the layout and the smoothing settings (cpt.hpp), so a counted
// model is saved as counts instead of one double per cell, and smooth_counts()
// rebuilds bit-identical parameters on load. Saved (model format 2): the non-zero
// counts per block as varints, and each entry as one varint of its value's gap within
// the block and its count when below 4 (count_store.cpp, pack_entries): mostly one byte
// an entry. Format 1 (fixed widths, values and counts apart) still loads.
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
  double alpha = 0.5;            // level-0 / Laplace pseudo-count
  std::vector<double> m;         // hierarchical strength per feature (structure order)
  std::vector<uint32_t> nnz;     // per block: number of values with a non-zero count
  std::vector<uint32_t> values;  // per entry, ascending within a block
  std::vector<uint32_t> counts;  // per entry, > 0

  nlohmann::json to_json() const;
  // Throws ModelFormatError unless the counts fit the layout and blocks.
  static CountStore from_json(const nlohmann::json& j, const KdbLayout& layout,
                              const ClassBlocks& blocks);
};

// The cells of feature f's blocks: its full-level blocks' and its back-off blocks', two
// contiguous ranges of cells (groups are numbered full levels first, then each feature's
// back-off levels together). index() maps one of them into [0, size()).
struct FeatureCells {
  size_t top_begin = 0, top_end = 0, backoff_begin = 0, backoff_end = 0;
  size_t size() const { return (top_end - top_begin) + (backoff_end - backoff_begin); }
  size_t index(size_t cell) const {
    return cell >= backoff_begin && cell < backoff_end
               ? (top_end - top_begin) + (cell - backoff_begin)
               : cell - top_begin;
  }
};
FeatureCells feature_cells(const KdbLayout& layout, const ClassBlocks& blocks, size_t f);

// The smoothed probabilities p[0..r) of block b of feature f (structure order), from its
// count entries [first, last) of `store`: at level 0 (below = nullptr) Laplace(alpha);
// above it (n + m P) / (N + m) with P = `below`, the probabilities of its back-off block,
// or in Laplace mode Laplace(alpha) when the block has counts, else P. n: scratch of r.
void smooth_block(const CountStore& store, size_t f, size_t first, size_t last, uint32_t r,
                  const double* below, double* n, double* p);

// Smooths the counts one feature at a time, level by level: level 0 = Laplace(alpha);
// level j = (n + m P_{j-1}) / (N + m), or Laplace in that mode. Holds the probabilities of
// one feature's back-off levels only (a full-level block is never a back-off).
class CountSmoother {
 public:
  CountSmoother(const KdbLayout& layout, const ClassBlocks& blocks, const CountStore& store);
  // Calls fn(b, p) for every block b of feature f (structure order), p[0..r) = its
  // probabilities (not logs; valid during the call only).
  // With `top` false, only its back-off blocks (every level below the full one).
  void smooth_feature(size_t f, const std::function<void(size_t b, const double* p)>& fn,
                      bool top = true);

 private:
  const KdbLayout& layout_;
  const ClassBlocks& blocks_;
  const CountStore& store_;
  std::vector<size_t> first_entry_;  // num_blocks + 1
  std::vector<double> backoff_, n_, top_;
};

// All features' blocks, in feature order.
void for_each_smoothed_block(const KdbLayout& layout, const ClassBlocks& blocks,
                             const CountStore& store,
                             const std::function<void(size_t b, const double* p)>& fn);

// log theta of every cell of `blocks` (blocks.total_cells()): the log of the above.
std::vector<double> smooth_counts(const KdbLayout& layout, const ClassBlocks& blocks,
                                  const CountStore& store);

// Unsigned integers stored with the narrowest of 1, 2 or 4 bytes: {"width", "data"}.
nlohmann::json pack_narrow(const std::vector<uint32_t>& v);
// Unsigned integers as LEB128 varints (7 bits a byte, low first): {"varint"}. For arrays
// of mostly small numbers with a few large ones (counts, gaps between values).
nlohmann::json pack_varint(const std::vector<uint32_t>& v);
// Either form; throws ModelFormatError naming `what` if malformed.
std::vector<uint32_t> unpack_narrow(const nlohmann::json& j, const char* what);

}  // namespace meg::bn
