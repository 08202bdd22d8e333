// Evaluation of a synthetic table against the real train and test tables it
// should resemble: utility (TSTR / TRTR, classification or regression),
// fidelity, privacy (exact copies, distance to closest record,
// membership-inference attacks); and the lift of an augmented table (real
// train rows plus synthetic rows, e.g. `meg augment`): models trained on real
// train vs on the augmented table. As a typed result (evaluation_result.hpp,
// JSON format "meg-evaluation"; docs/evaluation.md), as a readable text table,
// and as a self-contained HTML report.
//
// Every table is read with the schema inferred from the REAL TRAIN table
// (plus the overrides of `schema`), so the synthetic table may come from any
// tool; a table whose columns differ from real train's (by name, any order) is
// a DataError. Identifier columns (about one value per row in real train) are
// left out of every measure.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "meg/evaluation_result.hpp"

namespace meg {

// Every option of `meg evaluate` / `meg report` and of meg.evaluate() in
// Python, with its default; the ranges are in evaluate_option_table() (below).
struct EvaluateOptions {
  std::string train;      // real train CSV (defines the schema and the levels)
  std::string test;       // real held-out test CSV
  std::string synthetic;  // synthetic CSV to evaluate (utility, fidelity, privacy)
  std::string augmented;  // real train rows + synthetic rows (lift); one of the two is needed
  std::string target;     // the column the models predict
  // "auto" (regression for a numeric target, classification otherwise),
  // "classification" or "regression" (the target is read as that task needs).
  std::string task = "auto";
  std::string schema;  // optional JSON schema override file (as `meg schema` prints)
  uint64_t seed = 0;
  int threads = 0;  // 0 = all cores; results do not depend on it
  // Models: any of logistic_regression (the linear model: logistic for
  // classification, ridge for regression; ridge_regression names it too),
  // random_forest, gradient_boosting.
  std::vector<std::string> classifiers = {"logistic_regression", "random_forest",
                                          "gradient_boosting"};
  int gbt_rounds = 200;  // [1, 100000] boosted trees: depth 6, eta 0.1
  int rf_trees = 100;    // [1, 10000] random forest: depth 12, subsample 0.632, sqrt(p) features
  bool detection = true;
  long detection_rows = 10000;  // >= 10: per side, seeded subsample
  int detection_folds = 5;      // [2, 20]
  int detection_rounds = 100;   // >= 1
  long privacy_rows = 2000;     // >= 1: DCR queries per table, seeded subsample
  // Membership-inference candidates per side (members = real train rows,
  // non-members = real test rows); 0 = no attacks. [0, 1000000].
  long attack_rows = 1000;
  // One-hot width caps of the model input: levels per categorical column
  // [1, 100000] and over all columns [1, 1000000] (the rest -> "other").
  long max_levels_per_column = 100;
  long max_onehot_features = 1000;

  // Throws InvalidArgument naming the bad option.
  void validate() const;
};

// The tunable options of EvaluateOptions (all but the file names and the target), defined
// once: key (Python's keyword), flag (the CLI's), help with the range, and the default.
// The CLI builds its flags and --list-options from it; Python's defaults are checked
// against it by a test.
struct EvaluateOptionInfo {
  std::string key;
  std::string flag;
  std::string help;
  std::string default_value;
};
const std::vector<EvaluateOptionInfo>& evaluate_option_table();
// Parses `value` into the option `key` (InvalidArgument naming the flag and the range).
void set_evaluate_option(EvaluateOptions& options, const std::string& key,
                         const std::string& value);
std::string get_evaluate_option(const EvaluateOptions& options, const std::string& key);

// Runs the evaluation. DataError for bad inputs (file and column named),
// IoError for unreadable files.
EvaluationResult evaluate(const EvaluateOptions& options);

// Fixed-width text rendering of a result.
std::string format_evaluation(const EvaluationResult& result);

struct ReportOptions {
  std::string title = "Synthetic data report";
  std::string synthetic_label = "synthetic";  // legend name of the synthetic table
};

// A self-contained HTML page (inline CSS and SVG, no scripts, no network) of a
// result.
std::string render_report(const EvaluationResult& result, const ReportOptions& options = {});

}  // namespace meg
