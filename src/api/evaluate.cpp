#include "meg/evaluate.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "core/parallel.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"
#include "eval/classifier.hpp"
#include "eval/evaluate.hpp"
#include "meg/error.hpp"
#include "report/html_report.hpp"
#include "report/text_report.hpp"

namespace meg {

void EvaluateOptions::validate() const {
  auto need = [](const std::string& v, const char* what) {
    if (v.empty()) throw InvalidArgument(fmt::format("evaluate: {} is required", what));
  };
  auto range = [](long v, long lo, long hi, const char* option) {
    if (v < lo || v > hi) {
      throw InvalidArgument(
          fmt::format("evaluate: {} must be in [{}, {}], got {}", option, lo, hi, v));
    }
  };
  need(train, "the real train table (--train)");
  need(test, "the real test table (--test)");
  if (synthetic.empty() && augmented.empty()) {
    throw InvalidArgument(
        "evaluate: the synthetic table (--synthetic) or the augmented table "
        "(--augmented) is required");
  }
  need(target, "the target column (--target)");
  if (task != "auto" && task != "classification" && task != "regression") {
    throw InvalidArgument(
        fmt::format("evaluate: --task must be auto, classification or regression, got '{}'", task));
  }
  if (threads < 0) throw InvalidArgument("evaluate: --threads must be >= 0");
  if (classifiers.empty()) throw InvalidArgument("evaluate: at least one classifier is needed");
  for (const std::string& c : classifiers) {
    if (eval::model_family(c) < 0) {
      throw InvalidArgument(
          fmt::format("evaluate: unknown classifier '{}' (logistic_regression, ridge_regression, "
                      "random_forest, gradient_boosting)",
                      c));
    }
  }
  range(gbt_rounds, 1, 100000, "--gbt-rounds");
  range(rf_trees, 1, 10000, "--rf-trees");
  range(detection_rows, 10, 100000000, "--detection-rows");
  range(detection_folds, 2, 20, "--detection-folds");
  range(detection_rounds, 1, 100000, "--detection-rounds");
  range(privacy_rows, 1, 100000000, "--privacy-rows");
  range(attack_rows, 0, 1000000, "--attack-rows");
  range(max_levels_per_column, 1, 100000, "--max-levels");
  range(max_onehot_features, 1, 1000000, "--max-features");
}

EvaluationResult evaluate(const EvaluateOptions& o) {
  o.validate();
  data::CsvTable train = data::read_csv(o.train);
  data::CsvTable test = data::read_csv(o.test);
  std::optional<data::CsvTable> synthetic, augmented;
  if (!o.synthetic.empty()) synthetic = data::read_csv(o.synthetic);
  if (!o.augmented.empty()) augmented = data::read_csv(o.augmented);
  data::Schema schema = data::infer_schema(train);
  if (!o.schema.empty()) schema = data::load_schema_file(schema, o.schema);
  eval::EvalConfig c;
  c.target = o.target;
  if (o.task == "classification") c.task = EvaluationTask::Classification;
  if (o.task == "regression") c.task = EvaluationTask::Regression;
  c.seed = o.seed;
  c.threads = core::resolve_threads(o.threads);
  c.classifiers = o.classifiers;
  c.classifier.gbt_rounds = o.gbt_rounds;
  c.classifier.rf_trees = o.rf_trees;
  c.detection = o.detection;
  c.detection_rows = static_cast<size_t>(o.detection_rows);
  c.detection_folds = o.detection_folds;
  c.detection_rounds = o.detection_rounds;
  c.privacy_rows = static_cast<size_t>(o.privacy_rows);
  c.attack_rows = static_cast<size_t>(o.attack_rows);
  c.limits.max_levels_per_column = static_cast<size_t>(o.max_levels_per_column);
  c.limits.max_onehot_features = static_cast<size_t>(o.max_onehot_features);
  return eval::evaluate_tables(train, test, synthetic ? &*synthetic : nullptr,
                               augmented ? &*augmented : nullptr, schema, c);
}

std::string format_evaluation(const EvaluationResult& result) {
  return report::format_text(result);
}

std::string render_report(const EvaluationResult& result, const ReportOptions& options) {
  report::ReportText text;
  text.title = options.title;
  text.synthetic_label = options.synthetic_label;
  return report::render_html(result, text);
}

}  // namespace meg
