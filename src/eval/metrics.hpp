// Classification and regression scores, and the attack operating point.
#pragma once
#include <cstddef>
#include <vector>

namespace meg::eval {

// Index of the largest of the k probabilities of row r (ties -> lowest index).
std::vector<int> argmax_rows(const std::vector<float>& proba, size_t k);

double accuracy(const std::vector<int>& truth, const std::vector<int>& pred);

// Per-class precision, recall and F1 (index = class). NaN where undefined:
// precision of a class never predicted, recall of a class absent from
// `truth`, F1 of a class neither true nor predicted anywhere (a class that is
// true but never predicted has recall 0 and F1 0, as in scikit-learn).
struct ClassScores {
  std::vector<double> precision, recall, f1;
  std::vector<size_t> support;  // rows of each class in `truth`
};
ClassScores class_scores(const std::vector<int>& truth, const std::vector<int>& pred,
                         int num_classes);

// Macro-averaged F1 over the classes present in `truth` or `pred` (as
// scikit-learn does); a class with no true and no predicted row is skipped.
double macro_f1(const std::vector<int>& truth, const std::vector<int>& pred, int num_classes);

// (ROC-AUC is core::roc_auc.)
// The largest true-positive rate (share of label-1 rows scored above a
// threshold) among thresholds whose false-positive rate (share of label-0 rows
// above it) is at most `max_fpr`; rows tied at the threshold are all in or all
// out. NaN when one side is empty.
double tpr_at_fpr(const std::vector<double>& score, const std::vector<int>& label01,
                  double max_fpr);

// Regression scores of `pred` against `truth`: R^2 = 1 - SSE / SST (SST around
// the mean of `truth`; NaN when truth is constant or empty), mean absolute error
// and root mean squared error.
struct RegressionScores {
  double r2, mae, rmse;
};
RegressionScores regression_scores(const std::vector<double>& truth,
                                   const std::vector<double>& pred);

}  // namespace meg::eval
