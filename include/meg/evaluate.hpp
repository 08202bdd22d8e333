// Evaluation of a synthetic table against the real train and test tables it
// should resemble: utility (TSTR / TRTR), fidelity and privacy; and the lift of
// an augmented table (real train rows plus synthetic rows, e.g. `meg augment`):
// classifiers trained on real train vs on the augmented table. As JSON, as a
// readable text table, and as a self-contained HTML report.
//
// Every table is read with the schema inferred from the REAL TRAIN table
// (plus the overrides of `schema`), so the synthetic table may come from any
// tool; a table whose columns differ from real train's (by name, any order) is
// a DataError. Result JSON (format "meg-evaluation", format_version 1):
//   inputs      paths and row counts (train, test, synthetic and/or augmented),
//               target
//   columns     [{name, type, levels}]
//   settings    every fixed setting used (classifiers, sample sizes, seed)
//   utility     majority_class_rate, classes, classifiers: [{name, available,
//               trtr: SCORE, tstr: SCORE}]
//   fidelity    columns: [{name, metric (tv|ks), synthetic, test, chart}],
//               mean_column_distance {synthetic, test}, pairwise {columns,
//               train, synthetic, test (matrices), error {synthetic, test}},
//               detection {roc_auc, classifier, folds, rows}
//   privacy     exact_copy_rate {synthetic, test}, dcr {synthetic, test:
//               {median, p05, queries}}
//   lift        classes, majority_class_rate, rows / rows_dropped {train, test,
//               augmented}, class_rows {train, test, augmented} (per class),
//               real_rows_included (real train rows found in the augmented
//               table, one to one), classifiers: [{name, available, real:
//               SCORE, augmented: SCORE, difference (augmented - real, same
//               shape; null where either is null), cpu_seconds (augmented fit)}]
//   seconds     wall time per part
// SCORE = {accuracy, macro_f1, precision, recall, f1 (per class, in the
// `classes` order; null where undefined), roc_auc (2 classes)}, on the real
// test rows. utility, fidelity and privacy are present when a synthetic table
// is given, lift when an augmented table is given. The lift's "real" model is
// TRTR's, and the augmented model uses the same seed.
// "test" entries score the real test table the same way, as a reference.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace meg {

struct EvaluateOptions {
  std::string train;      // real train CSV (defines the schema and the levels)
  std::string test;       // real held-out test CSV
  std::string synthetic;  // synthetic CSV to evaluate (utility, fidelity, privacy)
  std::string augmented;  // real train rows + synthetic rows (lift); one of the two is needed
  std::string target;     // categorical class column
  std::string schema;     // optional JSON schema override file (as `meg schema` prints)
  uint64_t seed = 0;
  int threads = 0;  // 0 = all cores; results do not depend on it
  // Classifiers: any of logistic_regression, random_forest, gradient_boosting.
  std::vector<std::string> classifiers = {"logistic_regression", "random_forest",
                                          "gradient_boosting"};
  int gbt_rounds = 200;  // boosted trees: depth 6, eta 0.1
  int rf_trees = 100;    // random forest: depth 12, subsample 0.632, sqrt(p) features
  bool detection = true;
  long detection_rows = 10000;  // per side, seeded subsample
  int detection_folds = 5;
  int detection_rounds = 100;
  long privacy_rows = 2000;  // DCR queries per table, seeded subsample

  // Throws InvalidArgument naming the bad option.
  void validate() const;
};

// Runs the evaluation. DataError for bad inputs (file and column named),
// IoError for unreadable files.
nlohmann::json evaluate(const EvaluateOptions& options);

// Fixed-width text rendering of an evaluate() result.
std::string format_evaluation(const nlohmann::json& result);

struct ReportOptions {
  std::string title = "Synthetic data report";
  std::string synthetic_label = "synthetic";  // legend name of the synthetic table
};

// A self-contained HTML page (inline CSS and SVG, no scripts, no network) of
// an evaluate() result.
std::string render_report(const nlohmann::json& result, const ReportOptions& options = {});

}  // namespace meg
