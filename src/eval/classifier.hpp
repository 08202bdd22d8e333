// Classifiers used for TSTR / TRTR and for detection, with fixed, documented
// settings (see ClassifierSettings). Built-in logistic regression always; random
// forest and gradient-boosted trees through XGBoost's C library when meg was
// built with it (MEG_WITH_XGBOOST and the Debian packages found).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "eval/features.hpp"

namespace meg::eval {

struct ClassifierSettings {
  int threads = 1;
  uint64_t seed = 0;
  // Logistic regression: multinomial, L2 with sklearn's C (objective
  // C * sum(cross-entropy) + |W|^2 / 2, intercept not penalised), L-BFGS.
  double lr_c = 1.0;
  int lr_max_iter = 300;
  // Random forest (XGBoost): num_parallel_tree trees in one round, eta 1, row
  // subsample 0.632 (bootstrap-like), sqrt(p) features per split, hist.
  int rf_trees = 100;
  int rf_max_depth = 12;
  // Gradient-boosted trees (XGBoost): hist, depth 6, eta 0.1.
  int gbt_rounds = 200;
  int gbt_max_depth = 6;
  double gbt_eta = 0.1;
};

class Classifier {
 public:
  virtual ~Classifier() = default;
  // y[i] in [0, num_classes); num_classes >= 2.
  virtual void fit(const Matrix& x, const std::vector<int>& y, int num_classes) = 0;
  // rows x num_classes probabilities, row-major.
  virtual std::vector<float> predict_proba(const Matrix& x) const = 0;
};

// Names: "logistic_regression", "random_forest", "gradient_boosting".
std::vector<std::string> classifier_names();
bool classifier_available(const std::string& name);
// Throws InvalidArgument for an unknown or unavailable name.
std::unique_ptr<Classifier> make_classifier(const std::string& name,
                                            const ClassifierSettings& settings);

// Tree booster settings shared by the XGBoost classifiers.
struct TreeSettings {
  bool forest = false;
  int rounds = 1;
  int max_depth = 6;
  double eta = 0.1;
  int parallel_trees = 1;
  double subsample = 1.0;
  double colsample_bynode = 1.0;  // <= 0: sqrt(p) / p
  int threads = 1;
  uint64_t seed = 0;
};

std::unique_ptr<Classifier> make_logistic_regression(double c, int max_iter, int threads);
// nullptr when meg was built without XGBoost.
std::unique_ptr<Classifier> make_xgboost(const TreeSettings& settings);

}  // namespace meg::eval
