// The whole evaluation of one synthetic table against real train and test
// tables: utility (TSTR / TRTR), fidelity (columns, pairs, detection) and
// privacy (exact copies, DCR, membership-inference attacks); and/or the lift of
// an augmented table (real train rows plus synthetic rows). The result is an
// EvaluationResult (include/meg/evaluation_result.hpp, docs/evaluation.md).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "data/csv.hpp"
#include "data/schema.hpp"
#include "eval/classifier.hpp"
#include "eval/features.hpp"
#include "meg/evaluation_result.hpp"

namespace meg::eval {

struct EvalConfig {
  std::string target;
  // Unset: regression when the target is numeric in the train schema,
  // classification otherwise. Set: the target is read as that task needs
  // (categorical for classification, numeric for regression).
  std::optional<EvaluationTask> task;
  uint64_t seed = 0;
  int threads = 1;
  std::vector<std::string> classifiers = classifier_names();
  ClassifierSettings classifier;  // threads / seed are overwritten from above
  EncoderLimits limits;
  bool detection = true;
  size_t detection_rows = 10000;
  int detection_folds = 5;
  int detection_rounds = 100;
  size_t privacy_rows = 2000;
  size_t attack_rows = 1000;  // 0 = no membership-inference attacks
  int histogram_bins = 30;
  size_t chart_levels = 24;
};

// `schema` describes `train` (inferred from it, possibly with overrides).
// `synthetic` (utility, fidelity, privacy) and `augmented` (lift) may each be
// null, not both.
EvaluationResult evaluate_tables(const data::CsvTable& train, const data::CsvTable& test,
                                 const data::CsvTable* synthetic, const data::CsvTable* augmented,
                                 const data::Schema& schema, const EvalConfig& config);

}  // namespace meg::eval
