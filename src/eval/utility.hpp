// Utility and detection: what classifiers learn from the tables.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/classifier.hpp"
#include "eval/prepared.hpp"

namespace meg::eval {

// The classifier comparisons of an evaluation, every model scored on the real
// test rows (accuracy, macro-F1, per-class precision / recall / F1, ROC-AUC
// when there are two classes):
//   utility  TRTR (fit on real train) vs TSTR (fit on `synthetic`);
//   lift     fit on real train vs fit on `augmented` (real train rows plus
//            synthetic rows, e.g. `meg augment`), with the difference
//            augmented - real.
// Either table may be null (its part is then null); not both. The real-train
// fit is shared: lift's "real" scores are TRTR's. The augmented fit uses the
// real fit's seed, so an augmented table equal to real train has zero lift.
// Unavailable classifiers appear with "available": false.
struct ClassifierResults {
  nlohmann::json utility;
  nlohmann::json lift;
};
ClassifierResults classifier_scores(const Preprocessor& pre, const PreparedTable& train,
                                    const PreparedTable& test, const PreparedTable* synthetic,
                                    const PreparedTable* augmented, int target,
                                    const std::vector<std::string>& models,
                                    const ClassifierSettings& settings);

struct DetectionSettings {
  size_t max_rows = 10000;  // per side (real train, synthetic), seeded subsample
  int folds = 5;            // stratified k-fold cross-validation
  int rounds = 100;         // boosted trees (depth 6, eta 0.1)
  int threads = 1;
  uint64_t seed = 0;
};

// ROC-AUC of out-of-fold predictions of a classifier separating real train
// rows (label 0) from synthetic rows (label 1), on every column (target
// included). 0.5 = indistinguishable, 1 = fully separable. Uses boosted trees,
// or logistic regression when meg was built without XGBoost.
nlohmann::json detection_score(const Preprocessor& pre, const PreparedTable& train,
                               const PreparedTable& synthetic, const DetectionSettings& settings);

}  // namespace meg::eval
