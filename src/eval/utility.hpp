// Utility and lift: what models trained on each table predict about the real
// test rows.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "eval/classifier.hpp"
#include "eval/prepared.hpp"
#include "meg/evaluation_result.hpp"

namespace meg::eval {

// The model comparisons of an evaluation, every model scored on the real test
// rows (classification: accuracy, macro-F1, per-class precision / recall / F1,
// ROC-AUC with two classes; regression: R², MAE, RMSE):
//   utility  TRTR (fit on real train) vs TSTR (fit on `synthetic`);
//   lift     fit on real train vs fit on `augmented` (real train rows plus
//            synthetic rows, e.g. `meg augment`), with the difference
//            augmented - real.
// Either table may be null (its part is then empty); not both. The real-train
// fit is shared: lift's "real" scores are TRTR's. The augmented fit uses the
// real fit's seed, so an augmented table equal to real train has zero lift.
// A model's seed comes from its family (model_family), not its place in
// `models`. Unavailable models appear with available = false.
struct ModelResults {
  std::optional<UtilityResult> utility;
  std::optional<LiftResult> lift;
};
ModelResults model_scores(const Preprocessor& pre, const PreparedTable& train,
                          const PreparedTable& test, const PreparedTable* synthetic,
                          const PreparedTable* augmented, int target, EvaluationTask task,
                          const std::vector<std::string>& models,
                          const ClassifierSettings& settings, const EncoderLimits& limits);

}  // namespace meg::eval
