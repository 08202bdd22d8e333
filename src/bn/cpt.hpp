// Counted (maximum-likelihood) parameters of a kDB with smoothing.
//
// Hierarchical (default): level 0 is P(x | y) with Laplace alpha; level j shrinks
// the counts of its configuration toward level j-1:
//   P_j(x | pi_j, y) = (n(x, pi_j, y) + m * P_{j-1}(x | pi_{j-1}, y)) / (n(pi_j, y) + m).
// Laplace: P_j = (n + alpha) / (n(pi_j, y) + alpha * r) when n(pi_j, y) > 0, else P_{j-1}.
// Class prior: (n(y) + alpha) / (n + alpha * C). Every probability is > 0.
// Only the distributions of configurations seen with their class are stored (see
// class_blocks.hpp): an unseen (pi_j, y) equals its back-off in both modes.
//
// Counting is one pass over the rows per feature (feature_counts.hpp) with the rows of
// a mask counted apart; UnitCounts then gives the layout and parameters of either the
// unmasked rows or all rows, and chooses m per feature by held-out log-likelihood
// (the masked rows held out).
#pragma once
#include <cstdint>
#include <vector>

#include "bn/class_blocks.hpp"
#include "bn/count_store.hpp"
#include "bn/feature_counts.hpp"
#include "bn/kdb_layout.hpp"
#include "bn/kdb_structure.hpp"
#include "data/dataset.hpp"
#include "meg/options.hpp"

namespace meg::bn {

struct SmoothingSpec {
  Smoothing kind = Smoothing::Hierarchical;
  double m = 0.0;      // 0 = choose per feature by held-out log-likelihood
  double alpha = 0.5;  // Laplace pseudo-count (level 0, Laplace mode, class prior)
  uint64_t seed = 0;   // held-out split for choosing m
};

// The log-probabilities themselves are a pure function of these (smooth_counts), built
// only when needed (KdbModel builds them on first use).
struct CountedParameters {
  ClassBlocks blocks;             // stored (group, class) distributions: n(pi, c) > 0 or level 0
  std::vector<double> log_prior;  // C
  std::vector<double> m;          // hierarchical strength used per feature (structure order)
  CountStore counts;              // sparse counts of the blocks, with the smoothing settings
};

// A counted unit: the configurations seen (layout) and the parameters counted on them.
struct CountedKdb {
  KdbLayout layout;
  CountedParameters params;
};

// The grid of strengths tried when m is chosen by held-out log-likelihood.
const std::vector<double>& smoothing_grid();

// The full-level counts of every feature of a structure over some rows.
class UnitCounts {
 public:
  enum class Part { All, Unmasked };

  UnitCounts() = default;
  // Counts every feature of `structure` over the rows of `data`; mask[i] != 0 marks view
  // row i (null: none). Features are counted in parallel on `threads` (the result does
  // not depend on it). O(rows x features), one pass each.
  static UnitCounts count(const KdbStructure& structure, const std::vector<uint32_t>& cardinality,
                          const data::DatasetView& data, const uint8_t* mask, int threads);

  // The layout of the configurations seen in `part` and the parameters counted from it,
  // with strength m[f] per feature (structure order). O(occurring cells x levels).
  CountedKdb parameters(Part part, Smoothing kind, double alpha,
                        const std::vector<double>& m) const;

  // Per feature (structure order), the strength of smoothing_grid() under which the
  // counts of the unmasked rows give the masked rows the highest log-likelihood; 0 for
  // a feature without parents. From the counts alone (each masked cell once, weighted
  // by its rows): no pass over the rows.
  std::vector<double> held_out_strengths(double alpha) const;

  // Rows counted in `part`.
  uint64_t rows(Part part) const;
  const KdbStructure& structure() const { return structure_; }

 private:
  KdbStructure structure_;
  std::vector<uint32_t> cardinality_;
  std::vector<FeatureCounts> features_;  // structure order
  std::vector<uint64_t> class_all_, class_masked_;
};

// Held-out rows for choosing m: a seeded fifth of the view's rows (by position).
std::vector<uint8_t> held_out_mask(size_t rows, uint64_t seed);

// Counts and parameters of a kDB on all rows of `data`; with spec.m = 0 (hierarchical)
// m is chosen per feature on the same rows first (held_out_mask(rows, spec.seed)).
CountedKdb fit_counts(const KdbStructure& structure, const std::vector<uint32_t>& cardinality,
                      const data::DatasetView& data, const SmoothingSpec& spec, int threads = 1);

}  // namespace meg::bn
