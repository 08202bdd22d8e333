// Sampling a kDB given evidence (docs/conditional.md): E = {column -> allowed codes}.
//
// Evidence on the class (root) only is exact: the class is drawn from the prior
// restricted to its allowed set. Evidence on features uses likelihood weighting in
// ancestral order (an evidence node's value is drawn from its CPT restricted to the
// allowed set and the particle weight multiplied by the CPT mass of that set), then
// systematic resampling of the requested rows from the weighted particles.
// p(E) is computed exactly when cheap (see exact_log_evidence), else estimated by
// the mean particle weight.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "bn/kdb_model.hpp"
#include "data/dataset.hpp"

namespace meg::bn {

struct Evidence {
  // allowed[c]: sorted distinct allowed codes of table column c; empty = unconstrained.
  // Shorter than the column count means the remaining columns are unconstrained.
  std::vector<std::vector<uint32_t>> allowed;

  bool constrains(size_t c) const { return c < allowed.size() && !allowed[c].empty(); }
  bool empty() const;
};

// Joint evidence values enumerated at most by exact_log_evidence.
inline constexpr size_t kMaxExactCombos = 1 << 14;

// Exact natural-log p(E) when cheap: every constrained feature's parents are the class
// or constrained features and the constrained values have at most kMaxExactCombos
// joint combinations (covers evidence on the class alone). nullopt otherwise.
// -inf when p(E) = 0. Throws InvalidArgument on codes out of range.
std::optional<double> exact_log_evidence(const KdbModel& m, const Evidence& e);

// log p(E): exact when cheap, else the log of the mean likelihood weight over
// `particles` particles drawn from stream `seed` (deterministic).
double log_evidence(const KdbModel& m, const Evidence& e, size_t particles, uint64_t seed);

// n rows (row-major, table column order) drawn from p(. | E), each satisfying E.
// Output block b (kBlockRows rows) uses stream derive_seed(seed, {class_col, b, 1}):
// independent of `threads`. Feature evidence: max(4 * rows, 1024) particles per block.
// Throws InvalidArgument if E has probability zero (every particle weight zero).
void sample_with_evidence(const KdbModel& m, const Evidence& e, size_t n, uint64_t seed,
                          data::Code* out, int threads);

}  // namespace meg::bn
