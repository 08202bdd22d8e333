// meg evaluate --train REAL_TRAIN.csv --test REAL_TEST.csv --target COLUMN
//              (--synthetic SYN.csv | --augmented AUG.csv | both)
//              [--task auto|classification|regression] [--schema S] [--json OUT.json]
//              [--seed S] [--threads T] [...]
// Every option's default and range is in meg::EvaluateOptions (include/meg/evaluate.hpp).
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli_checks.hpp"
#include "commands.hpp"
#include "meg/evaluate.hpp"
#include "meg/io.hpp"

namespace meg::cli {

namespace {

struct EvalArgs {
  EvaluateOptions options;
  std::string json;
  CLI::Option* json_option = nullptr;  // to tell `--json ''` from no --json
  std::string classifiers;
  bool no_detection = false;
};

void add_eval_options(CLI::App* cmd, EvalArgs& a) {
  EvaluateOptions& o = a.options;
  cmd->add_option("--train", o.train, "Real train CSV (its schema is used for every table)")
      ->required();
  cmd->add_option("--test", o.test, "Real held-out test CSV")->required();
  cmd->add_option("--synthetic", o.synthetic,
                  "Synthetic CSV to evaluate (from any tool): utility, fidelity, privacy");
  cmd->add_option("--augmented", o.augmented,
                  "Real train rows + synthetic rows (e.g. from `meg augment`): lift of "
                  "classifiers trained on it vs on real train");
  cmd->add_option("--target", o.target,
                  "Column the models predict: categorical -> classification, numeric -> "
                  "regression (R2, MAE)")
      ->required();
  cmd->add_option("--task", o.task,
                  "auto (default: from the target's type), classification or regression");
  cmd->add_option("--schema", o.schema, "JSON schema file overriding the inferred column types");
  a.json_option = cmd->add_option("--json", a.json, "Also write the full result as JSON here");
  cmd->add_option("--seed", o.seed, "Random seed (default 0)");
  cmd->add_option("--threads", o.threads,
                  "Worker threads (default: all cores; never changes "
                  "results)");
  cmd->add_option("--classifiers", a.classifiers,
                  "Comma-separated subset of logistic_regression,random_forest,gradient_boosting "
                  "(logistic_regression is ridge regression for a regression)");
  cmd->add_option("--gbt-rounds", o.gbt_rounds, "Boosted-trees rounds (default 200)");
  cmd->add_option("--rf-trees", o.rf_trees, "Random-forest trees (default 100)");
  cmd->add_flag("--no-detection", a.no_detection, "Skip the detection classifier");
  cmd->add_option("--detection-rows", o.detection_rows,
                  "Rows per side for detection (seeded subsample, default 10000)");
  cmd->add_option("--detection-folds", o.detection_folds, "Detection CV folds (default 5)");
  cmd->add_option("--privacy-rows", o.privacy_rows,
                  "Rows per table for distance to closest record (seeded subsample, default 2000)");
  cmd->add_option("--attack-rows", o.attack_rows,
                  "Membership-inference candidates per side: real train rows (members) and real "
                  "test rows (non-members); 0 = no attacks (default 1000)");
  cmd->add_option("--max-levels", o.max_levels_per_column,
                  "One-hot features per categorical column for the models; rarer levels share "
                  "one (default 100)");
  cmd->add_option("--max-features", o.max_onehot_features,
                  "One-hot features over all categorical columns (default 1000)");
}

// Checks the inputs and outputs (the --json file and, for `meg report`, the HTML file
// `report_output`) before any work, then evaluates and writes --json.
EvaluationResult run(EvalArgs& a, const std::string& report_output) {
  const EvaluateOptions& o = a.options;
  check_one_stdin({{"--train", o.train},
                   {"--test", o.test},
                   {"--synthetic", o.synthetic},
                   {"--augmented", o.augmented},
                   {"--schema", o.schema}});
  const std::vector<std::string> inputs = {o.train, o.test, o.synthetic, o.augmented, o.schema};
  if (!report_output.empty()) check_output_path(report_output, inputs);
  if (a.json_option->count() > 0) check_output_path(a.json, inputs, "--json");
  if (!a.classifiers.empty()) {
    a.options.classifiers.clear();
    std::stringstream ss(a.classifiers);
    for (std::string name; std::getline(ss, name, ',');) {
      if (!name.empty()) a.options.classifiers.push_back(name);
    }
  }
  a.options.detection = !a.no_detection;
  EvaluationResult result = evaluate(a.options);
  if (!a.json.empty()) write_text_file(a.json, to_json(result).dump(2) + "\n");
  return result;
}

}  // namespace

// Shared with `meg report` (cmd_report.cpp): adds the evaluation options to `cmd`
// and returns the function that runs the evaluation (and writes --json).
std::function<EvaluationResult(const std::string&)> add_evaluation_options(CLI::App* cmd) {
  auto args = std::make_shared<EvalArgs>();
  add_eval_options(cmd, *args);
  return [args](const std::string& report_output) { return run(*args, report_output); };
}

void add_evaluate_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand(
      "evaluate",
      "Score a synthetic table against real train/test tables: utility (TSTR/TRTR), "
      "fidelity and privacy; and/or the lift of an augmented table");
  add_eval_options(cmd, *args);
  cmd->callback([args] {
    const EvaluationResult result = run(*args, "");
    std::cout << format_evaluation(result);  // flushed (and checked) by main
  });
}

}  // namespace meg::cli
