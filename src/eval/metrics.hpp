// Classification scores.
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

// ROC-AUC of `score` for the rows with label 1 against the rows with label 0
// (Mann-Whitney with average ranks for ties). NaN when one side is empty.
double roc_auc(const std::vector<int>& label01, const std::vector<double>& score);

}  // namespace meg::eval
