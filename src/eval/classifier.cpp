#include "eval/classifier.hpp"

#include "meg/error.hpp"

namespace meg::eval {

std::vector<std::string> classifier_names() {
  return {"logistic_regression", "random_forest", "gradient_boosting"};
}

bool classifier_available(const std::string& name) {
  if (name == "logistic_regression") return true;
  if (name == "random_forest" || name == "gradient_boosting") {
    return make_xgboost(TreeSettings{}) != nullptr;
  }
  return false;
}

std::unique_ptr<Classifier> make_classifier(const std::string& name, const ClassifierSettings& s) {
  std::unique_ptr<Classifier> out;
  if (name == "logistic_regression") {
    out = make_logistic_regression(s.lr_c, s.lr_max_iter, s.threads);
  } else if (name == "random_forest") {
    TreeSettings t;
    t.forest = true;
    t.rounds = 1;
    t.max_depth = s.rf_max_depth;
    t.eta = 1.0;
    t.parallel_trees = s.rf_trees;
    t.subsample = 0.632;
    t.colsample_bynode = 0.0;  // sqrt(p)
    t.threads = s.threads;
    t.seed = s.seed;
    out = make_xgboost(t);
  } else if (name == "gradient_boosting") {
    TreeSettings t;
    t.rounds = s.gbt_rounds;
    t.max_depth = s.gbt_max_depth;
    t.eta = s.gbt_eta;
    t.threads = s.threads;
    t.seed = s.seed;
    out = make_xgboost(t);
  } else {
    throw InvalidArgument("unknown classifier '" + name + "'");
  }
  if (!out) throw InvalidArgument("classifier '" + name + "' needs meg built with XGBoost");
  return out;
}

}  // namespace meg::eval
