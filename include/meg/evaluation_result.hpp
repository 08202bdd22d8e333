// The result of `meg evaluate` as a typed, versioned value: what evaluate()
// returns, what the text formatter and the HTML report read, and what the JSON
// (format "meg-evaluation") holds. docs/evaluation.md describes every field.
//
// Numbers that are undefined (e.g. the precision of a class never predicted)
// are NaN here and null in JSON. evaluation_from_json() accepts format_version
// 1 (meg before regression utility and attacks) and 2; anything else, a missing
// or mistyped field, or inconsistent sizes (a per-class list whose length is not
// the number of classes, a non-square matrix) is an InvalidArgument naming the
// field, so a result edited by hand or by another program renders or fails with
// one clear line.
#pragma once
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace meg {

inline constexpr const char* kEvaluationFormat = "meg-evaluation";
inline constexpr int kEvaluationFormatVersion = 2;

enum class EvaluationTask { Classification, Regression };
inline const char* to_string(EvaluationTask task) {
  return task == EvaluationTask::Regression ? "regression" : "classification";
}

// One model's scores on the real test rows. Classification: accuracy,
// macro-F1, per class (in the `classes` order) precision, recall and F1, and
// ROC-AUC with two classes. Regression: R², mean absolute error and root mean
// squared error. Fields of the other task stay NaN / empty.
struct EvaluationScore {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  double accuracy = kNaN, macro_f1 = kNaN, roc_auc = kNaN;
  std::vector<double> precision, recall, f1;
  double r2 = kNaN, mae = kNaN, rmse = kNaN;
};

// Row counts of the real train, real test and the other (synthetic or
// augmented) table.
struct EvaluationRows {
  uint64_t train = 0, test = 0, other = 0;
};

// The comparison shared by utility and lift: what the models predict.
struct EvaluationTarget {
  EvaluationTask task = EvaluationTask::Classification;
  std::string target;
  uint64_t num_features = 0;    // width of the model input
  EvaluationRows rows;          // rows used (target known)
  EvaluationRows rows_dropped;  // rows whose target is missing / a class train lacks
  // Classification: classes (train levels, most frequent first), the most
  // frequent class and the test accuracy of always predicting it.
  std::vector<std::string> classes;
  std::string majority_class;
  double majority_class_rate = EvaluationScore::kNaN;
  // Regression: the scores of always predicting the train mean.
  EvaluationScore mean_predictor;
};

// Utility: every model fitted on real train (TRTR) and on the synthetic table
// (TSTR), both scored on real test.
struct UtilityModel {
  std::string name;
  bool available = false;  // false: meg was built without XGBoost
  EvaluationScore trtr, tstr;
  double cpu_seconds = 0;
};
struct UtilityResult : EvaluationTarget {
  std::vector<UtilityModel> models;
};

// Lift (classification): every model fitted on real train and on the augmented
// table (real train + synthetic rows), with the difference augmented - real.
struct LiftModel {
  std::string name;
  bool available = false;
  EvaluationScore real, augmented, difference;
  double cpu_seconds = 0;  // the augmented fit
};
struct LiftResult : EvaluationTarget {
  std::vector<uint64_t> class_rows_train, class_rows_test, class_rows_augmented;
  uint64_t real_rows_included = 0;  // real train rows found in the augmented table
  std::vector<LiftModel> models;
};

// Chart data of one column: "bars" (shares of levels, the tail pooled) or
// "histogram" (shares of equal-width bins on [min, max], and the share missing).
// shares / missing hold one entry per table: real train, synthetic, real test.
struct ColumnChart {
  std::string type;  // "bars" | "histogram"
  std::vector<std::string> labels;
  std::vector<std::vector<double>> shares;
  double min = 0, max = 1;
  std::vector<double> missing;
};

struct ColumnFidelity {
  std::string name;
  std::string metric;  // "tv" (total variation) | "ks" (Kolmogorov-Smirnov)
  double synthetic = EvaluationScore::kNaN, test = EvaluationScore::kNaN;
  ColumnChart chart;
};

using DependenceMatrix = std::vector<std::vector<double>>;

struct DetectionResult {
  double roc_auc = EvaluationScore::kNaN;
  std::string classifier;
  int folds = 0, rounds = 0;
  uint64_t rows_real = 0, rows_synthetic = 0;
  uint64_t copied_pairs = 0;
};

struct FidelityResult {
  std::vector<ColumnFidelity> columns;
  double mean_distance_synthetic = EvaluationScore::kNaN,
         mean_distance_test = EvaluationScore::kNaN;
  std::vector<std::string> pairwise_columns;
  DependenceMatrix pairwise_train, pairwise_synthetic, pairwise_test;
  double pairwise_error_synthetic = EvaluationScore::kNaN,
         pairwise_error_test = EvaluationScore::kNaN;
  std::optional<DetectionResult> detection;
};

struct DcrSummary {
  double median = EvaluationScore::kNaN, p05 = EvaluationScore::kNaN;
  uint64_t queries = 0;
};

// A membership-inference attack: real train rows (members) against real test
// rows (non-members), balanced and seeded.
struct AttackResult {
  std::string name;   // "distance" | "density_ratio"
  std::string model;  // what scores a candidate
  double roc_auc = EvaluationScore::kNaN;
  double tpr_at_1pct_fpr = EvaluationScore::kNaN;
  uint64_t members = 0, non_members = 0;
  uint64_t reference_rows = 0;  // real rows the attack may use besides the candidates
};

struct PrivacyResult {
  double exact_copy_synthetic = EvaluationScore::kNaN, exact_copy_test = EvaluationScore::kNaN;
  DcrSummary dcr_synthetic, dcr_test;
  std::vector<AttackResult> attacks;  // empty in format_version 1 results
};

struct EvaluationTable {
  std::string path;
  uint64_t rows = 0;
};

struct EvaluationColumn {
  std::string name, type;
  uint64_t levels = 0;
  // "feature", "target", or "id" (left out of every measure: nearly one level
  // per row in real train, or declared so).
  std::string use = "feature";
};

struct EvaluationSettings {
  uint64_t seed = 0;
  int threads = 0;
  double lr_c = 1.0;
  int rf_trees = 0, rf_max_depth = 0;
  int gbt_rounds = 0, gbt_max_depth = 0;
  double gbt_eta = 0;
  double ridge_alpha = 1.0;
  uint64_t detection_rows = 0;
  int detection_folds = 0, detection_rounds = 0;
  uint64_t privacy_rows = 0, attack_rows = 0;
  uint64_t max_levels_per_column = 0, max_onehot_features = 0;
};

struct EvaluationResult {
  int format_version = kEvaluationFormatVersion;
  EvaluationTable train, test;
  std::optional<EvaluationTable> synthetic, augmented;
  std::string target;
  EvaluationTask task = EvaluationTask::Classification;
  std::vector<EvaluationColumn> columns;
  EvaluationSettings settings;
  std::optional<UtilityResult> utility;  // with a synthetic table
  std::optional<FidelityResult> fidelity;
  std::optional<PrivacyResult> privacy;
  std::optional<LiftResult> lift;         // with an augmented table
  std::map<std::string, double> seconds;  // wall time per part, and "total"
};

nlohmann::json to_json(const EvaluationResult& result);
// Throws InvalidArgument naming the first bad field.
EvaluationResult evaluation_from_json(const nlohmann::json& j);
// Throws InvalidArgument unless the parts and sizes agree (a synthetic table
// has utility, fidelity and privacy; an augmented one a lift; per-class lists
// have one entry per class; matrices are square; chart series match their
// labels). evaluation_from_json and the renderers call it.
void validate(const EvaluationResult& result);

}  // namespace meg
