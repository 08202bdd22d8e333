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
