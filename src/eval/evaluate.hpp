// The whole evaluation of one synthetic table against real train and test
// tables: utility (TSTR / TRTR), fidelity (columns, pairs, detection) and
// privacy (exact copies, DCR); and/or the lift of an augmented table (real
// train rows plus synthetic rows). The result is JSON (see docs in
// include/meg/evaluate.hpp); format_text() renders it for a terminal.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/csv.hpp"
#include "data/schema.hpp"
#include "eval/classifier.hpp"

namespace meg::eval {

struct EvalConfig {
  std::string target;
  uint64_t seed = 0;
  int threads = 1;
  std::vector<std::string> classifiers = classifier_names();
  ClassifierSettings classifier;  // threads / seed are overwritten from above
  bool detection = true;
  size_t detection_rows = 10000;
  int detection_folds = 5;
  int detection_rounds = 100;
  size_t privacy_rows = 2000;
  int histogram_bins = 30;
  size_t chart_levels = 24;
};

// `schema` describes `train` (inferred from it, possibly with overrides).
// `synthetic` (utility, fidelity, privacy) and `augmented` (lift) may each be
// null, not both.
nlohmann::json evaluate_tables(const data::CsvTable& train, const data::CsvTable& test,
                               const data::CsvTable* synthetic, const data::CsvTable* augmented,
                               const data::Schema& schema, const EvalConfig& config);

// A readable, fixed-width text rendering of an evaluation result.
std::string format_text(const nlohmann::json& result);

}  // namespace meg::eval
