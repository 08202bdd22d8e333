// Utility and detection: what classifiers learn from the tables.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/classifier.hpp"
#include "eval/prepared.hpp"

namespace meg::eval {

// TRTR (train on real train) and TSTR (train on synthetic), both scored on the
// real test rows: accuracy, macro-F1, and ROC-AUC when there are two classes.
// Unavailable classifiers appear with "available": false.
nlohmann::json utility_scores(const Preprocessor& pre, const PreparedTable& train,
                              const PreparedTable& test, const PreparedTable& synthetic,
                              int target, const std::vector<std::string>& models,
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
