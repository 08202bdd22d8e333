#include "eval/classifier.hpp"

#include "meg/error.hpp"

namespace meg::eval {

std::vector<std::string> classifier_names() {
  return {"logistic_regression", "random_forest", "gradient_boosting"};
}

int model_family(const std::string& name) {
  if (name == "logistic_regression" || name == "ridge_regression") return 0;
  if (name == "random_forest") return 1;
  if (name == "gradient_boosting") return 2;
  return -1;
}

std::string model_name(int family, bool regression) {
  if (family == 0) return regression ? "ridge_regression" : "logistic_regression";
  return classifier_names().at(static_cast<size_t>(family));
}

bool classifier_available(const std::string& name) {
  const int family = model_family(name);
  if (family == 0) return true;
  if (family > 0) return make_xgboost(TreeSettings{}) != nullptr;
  return false;
}

namespace {

// The booster settings of a tree family (1 = random forest, 2 = boosted trees).
TreeSettings tree_settings(int family, const ClassifierSettings& s) {
  TreeSettings t;
  if (family == 1) {
    t.forest = true;
    t.rounds = 1;
    t.max_depth = s.rf_max_depth;
    t.eta = 1.0;
    t.parallel_trees = s.rf_trees;
    t.subsample = 0.632;
    t.colsample_bynode = 0.0;  // sqrt(p)
  } else {
    t.rounds = s.gbt_rounds;
    t.max_depth = s.gbt_max_depth;
    t.eta = s.gbt_eta;
  }
  t.threads = s.threads;
  t.seed = s.seed;
  return t;
}

int checked_family(const std::string& name) {
  const int family = model_family(name);
  if (family < 0) throw InvalidArgument("unknown model '" + name + "'");
  return family;
}

}  // namespace

std::unique_ptr<Classifier> make_classifier(const std::string& name, const ClassifierSettings& s) {
  const int family = checked_family(name);
  if (family == 0) return make_logistic_regression(s.lr_c, s.lr_max_iter, s.threads);
  std::unique_ptr<Classifier> out = make_xgboost(tree_settings(family, s));
  if (!out) throw InvalidArgument("model '" + name + "' needs meg built with XGBoost");
  return out;
}

std::unique_ptr<Regressor> make_regressor(const std::string& name, const ClassifierSettings& s) {
  const int family = checked_family(name);
  if (family == 0) return make_ridge_regression(s.ridge_alpha);
  std::unique_ptr<Regressor> out = make_xgboost_regressor(tree_settings(family, s));
  if (!out) throw InvalidArgument("model '" + name + "' needs meg built with XGBoost");
  return out;
}

}  // namespace meg::eval
