// Discriminator-weighted resampling (docs/design.md §7a). At fit time a boosted-tree
// discriminator (ensemble/discriminator_boost.hpp) learns to tell training rows from the
// fitted mixture's rows; at sample time each chunk draws `candidates` x its rows and keeps
// its rows by weighted sampling without replacement with weights w = p/(1-p) = e^logit
// (Efraimidis-Spirakis keys u^(1/w)): rows the discriminator finds too synthetic are kept
// less often. The sample count is exact, the selection has no loop that can stall, and
// every draw comes from the chunk's seeded streams (same bytes at any thread count).
// A second stage (option `resample_stages`) learns the training rows against the rows the
// first keeps and selects among them in turn (K^2 candidates a row kept). Whether each stage
// is used is decided by held-out rows (fit_resampler); option `resample`.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "ensemble/discriminator_boost.hpp"
#include "meg/options.hpp"
#include "train/unit.hpp"

namespace meg::ensemble {

// One selection: a discriminator and the candidate rows drawn per row it keeps.
struct ResampleStage {
  CodeBooster booster;
  uint32_t candidates = 4;
};

// Stages applied in turn: the first keeps 1/K1 of the candidates, the second 1/K2 of those,
// and so on; a stage's discriminator learned real rows against the previous stages' output.
struct Resampler {
  std::vector<ResampleStage> stages;

  // Candidate rows drawn per row kept (the product of the stages' K).
  uint32_t candidates() const;
  // Indices (ascending) of `keep` of the n candidate rows (row-major, num_cols codes each);
  // the logits on up to `threads` threads (the same picks at any count).
  void select(const data::Code* rows, size_t n, size_t num_cols, size_t keep, uint64_t seed,
              std::vector<uint32_t>& picked, int threads = 1) const;

  nlohmann::json to_json() const;
  static Resampler from_json(const nlohmann::json& j, const std::vector<uint32_t>& cardinality);
};

struct ResampleFit {
  std::optional<Resampler> resampler;  // empty: sampling is left as it is
  nlohmann::json summary;              // what was measured and decided (fit summary "resample")
};

// Trains the discriminator on `train` (real rows) against rows of the mixture (units,
// weights), then measures the detection AUC of a fresh discriminator on `holdout` rows
// (two-fold) against plain and resampled mixture rows. With options.resample = auto the
// resampler is kept only when it lowers that AUC; `on` keeps it, `off` never calls this.
ResampleFit fit_resampler(const std::vector<train::GanblrUnit>& units,
                          const std::vector<double>& weights, const data::DatasetView& train,
                          const data::DatasetView& holdout, const FitOptions& options,
                          uint64_t seed);

// Area under the ROC curve of scores of positives vs negatives (core::roc_auc; 0.5 when a
// side is empty).
double roc_auc(const std::vector<double>& pos, const std::vector<double>& neg);

}  // namespace meg::ensemble
