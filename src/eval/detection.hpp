// Detection: can a classifier tell real train rows from synthetic rows?
#pragma once
#include <cstddef>
#include <cstdint>

#include "eval/features.hpp"
#include "eval/prepared.hpp"
#include "meg/evaluation_result.hpp"

namespace meg::eval {

struct DetectionSettings {
  size_t max_rows = 10000;  // per side (real train, synthetic), seeded subsample
  int folds = 5;            // stratified k-fold cross-validation
  int rounds = 100;         // boosted trees (depth 6, eta 0.1)
  int threads = 1;
  uint64_t seed = 0;
  EncoderLimits limits;
};

// ROC-AUC of out-of-fold predictions of a classifier separating real train
// rows (label 0) from synthetic rows (label 1), on every evaluated column
// (target included). 0.5 = indistinguishable, 1 = fully separable. Uses boosted
// trees, or logistic regression when meg was built without XGBoost.
// A synthetic row equal to a sampled real row shares its fold (see the .cpp).
DetectionResult detection_score(const Preprocessor& pre, const PreparedTable& train,
                                const PreparedTable& synthetic, const DetectionSettings& settings);

}  // namespace meg::eval
