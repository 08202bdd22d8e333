// Counted (maximum-likelihood) parameters of a kDB with smoothing.
//
// Hierarchical (default): level 0 is P(x | y) with Laplace alpha; level j shrinks
// the counts of its configuration toward level j-1:
//   P_j(x | pi_j, y) = (n(x, pi_j, y) + m * P_{j-1}(x | pi_{j-1}, y)) / (n(pi_j, y) + m).
// With m = 0 the strength is chosen per feature by held-out log-likelihood: 20%
// of the rows (seeded) are held out, every m of a grid is scored on them with
// counts of the other 80%, and the best m is then applied to the counts of all rows.
// Laplace: P_j = (n + alpha) / (n(pi_j, y) + alpha * r) when n(pi_j, y) > 0, else P_{j-1}.
// Class prior: (n(y) + alpha) / (n + alpha * C). Every probability is > 0.
// Only the distributions of configurations seen with their class are stored (see
// class_blocks.hpp): an unseen (pi_j, y) equals its back-off in both modes.
#pragma once
#include <cstdint>
#include <vector>

#include "bn/class_blocks.hpp"
#include "bn/count_store.hpp"
#include "bn/kdb_layout.hpp"
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

// The grid of strengths tried when m is chosen by held-out log-likelihood.
const std::vector<double>& smoothing_grid();

CountedParameters fit_counts(const KdbLayout& layout, const data::DatasetView& data,
                             const SmoothingSpec& spec);

}  // namespace meg::bn
