// JSON keys shared by the writer and the reader of an evaluation result.
#pragma once
#include "meg/evaluation_result.hpp"

namespace meg::report {

// The key of a part's model list.
inline const char* models_key(EvaluationTask task) {
  return task == EvaluationTask::Regression ? "regressors" : "classifiers";
}

}  // namespace meg::report
