// The models of the utility comparison and of detection, with fixed,
// documented settings (see ClassifierSettings): a linear model (logistic
// regression for classification, ridge regression for regression), always
// built in; random forest and gradient-boosted trees through XGBoost's C
// library when meg was built with it (MEG_WITH_XGBOOST and the Debian packages
// found), as classifiers or as `reg:squarederror` regressors.
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
  // Ridge regression: least squares + alpha |w|^2 (intercept not penalised) on
  // the same features, solved exactly.
  double ridge_alpha = 1.0;
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

class Regressor {
 public:
  virtual ~Regressor() = default;
  virtual void fit(const Matrix& x, const std::vector<double>& y) = 0;
  virtual std::vector<double> predict(const Matrix& x) const = 0;
};

// The model families, in the order that picks each one's seed:
// "logistic_regression" (the linear model of the task: logistic for
// classification, ridge for regression; "ridge_regression" names it too),
// "random_forest", "gradient_boosting".
std::vector<std::string> classifier_names();
// The family index of a model name (either linear name -> 0); -1 if unknown.
int model_family(const std::string& name);
// The name a family's model is reported under for a task.
std::string model_name(int family, bool regression);
bool classifier_available(const std::string& name);
// Throw InvalidArgument for an unknown or unavailable name.
std::unique_ptr<Classifier> make_classifier(const std::string& name,
                                            const ClassifierSettings& settings);
std::unique_ptr<Regressor> make_regressor(const std::string& name,
                                          const ClassifierSettings& settings);

// Tree booster settings shared by the XGBoost models.
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
std::unique_ptr<Regressor> make_ridge_regression(double alpha);
// nullptr when meg was built without XGBoost.
std::unique_ptr<Classifier> make_xgboost(const TreeSettings& settings);
std::unique_ptr<Regressor> make_xgboost_regressor(const TreeSettings& settings);

}  // namespace meg::eval
