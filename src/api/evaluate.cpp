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

namespace meg {

void EvaluateOptions::validate() const {
  auto need = [](const std::string& v, const char* what) {
    if (v.empty()) throw InvalidArgument(fmt::format("evaluate: {} is required", what));
  };
  need(train, "the real train table (--train)");
  need(test, "the real test table (--test)");
  if (synthetic.empty() && augmented.empty()) {
    throw InvalidArgument(
        "evaluate: the synthetic table (--synthetic) or the augmented table "
        "(--augmented) is required");
  }
  need(target, "the target column (--target)");
  if (threads < 0) throw InvalidArgument("evaluate: --threads must be >= 0");
  if (classifiers.empty()) throw InvalidArgument("evaluate: at least one classifier is needed");
  for (const std::string& c : classifiers) {
    const auto names = eval::classifier_names();
    if (std::find(names.begin(), names.end(), c) == names.end()) {
      throw InvalidArgument(
          fmt::format("evaluate: unknown classifier '{}' (logistic_regression, random_forest, "
                      "gradient_boosting)",
                      c));
    }
  }
  if (gbt_rounds < 1 || gbt_rounds > 100000) {
    throw InvalidArgument("evaluate: --gbt-rounds must be in [1, 100000]");
  }
  if (rf_trees < 1 || rf_trees > 10000) {
    throw InvalidArgument("evaluate: --rf-trees must be in [1, 10000]");
  }
  if (detection_rows < 10) throw InvalidArgument("evaluate: --detection-rows must be >= 10");
  if (detection_folds < 2 || detection_folds > 20) {
    throw InvalidArgument("evaluate: --detection-folds must be in [2, 20]");
  }
  if (detection_rounds < 1) throw InvalidArgument("evaluate: --detection-rounds must be >= 1");
  if (privacy_rows < 1) throw InvalidArgument("evaluate: --privacy-rows must be >= 1");
}

nlohmann::json evaluate(const EvaluateOptions& o) {
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
  return eval::evaluate_tables(train, test, synthetic ? &*synthetic : nullptr,
                               augmented ? &*augmented : nullptr, schema, c);
}

std::string format_evaluation(const nlohmann::json& result) { return eval::format_text(result); }

std::string render_report(const nlohmann::json& result, const ReportOptions& options) {
  report::ReportText text;
  text.title = options.title;
  text.synthetic_label = options.synthetic_label;
  return report::render_html(result, text);
}

}  // namespace meg
