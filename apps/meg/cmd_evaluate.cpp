// meg evaluate --train REAL_TRAIN.csv --test REAL_TEST.csv --target COLUMN
//              (--synthetic SYN.csv | --augmented AUG.csv | both)
//              [--task auto|classification|regression] [--schema S] [--json OUT.json]
//              [--seed S] [--threads T] [...]
// Every tunable option's flag, default and range is in meg::evaluate_option_table()
// (include/meg/evaluate.hpp); --list-options prints it.
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli_checks.hpp"
#include "cli_options.hpp"
#include "commands.hpp"
#include "meg/evaluate.hpp"
#include "meg/io.hpp"

namespace meg::cli {

namespace {

struct EvalArgs {
  EvaluateOptions options;
  std::string json;
  CLI::Option* json_option = nullptr;  // to tell `--json ''` from no --json
  // The table's options as given (key -> text), parsed by the library.
  std::vector<std::pair<std::string, CLI::Option*>> tunables;
  std::map<std::string, std::string> values;
  bool no_detection = false;
  bool list = false;
};

void add_eval_options(CLI::App* cmd, EvalArgs& a) {
  EvaluateOptions& o = a.options;
  // Required, but checked by EvaluateOptions::validate() so that --list-options needs none.
  cmd->add_option("--train", o.train, "Real train CSV (its schema is used for every table)");
  cmd->add_option("--test", o.test, "Real held-out test CSV");
  cmd->add_option("--synthetic", o.synthetic,
                  "Synthetic CSV to evaluate (from any tool): utility, fidelity, privacy");
  cmd->add_option("--augmented", o.augmented,
                  "Real train rows + synthetic rows (e.g. from `meg augment`): lift of "
                  "classifiers trained on it vs on real train");
  cmd->add_option("--target", o.target,
                  "Column the models predict: categorical -> classification, numeric -> "
                  "regression (R2, MAE)");
  cmd->add_option("--schema", o.schema, "JSON schema file overriding the inferred column types");
  a.json_option = cmd->add_option("--json", a.json, "Also write the full result as JSON here");
  for (const EvaluateOptionInfo& info : evaluate_option_table()) {
    if (info.key == "detection") {
      cmd->add_flag("--no-detection", a.no_detection, "Skip the detection classifier");
      continue;
    }
    CLI::Option* opt = cmd->add_option(info.flag, a.values[info.key],
                                       info.help + " (default " + info.default_value + ")");
    a.tunables.emplace_back(info.key, opt);
  }
  cmd->add_flag("--list-options", a.list, "List every option with its default and exit");
}

// Checks the inputs and outputs (the --json file and, for `meg report`, the HTML file
// `report_output`) before any work, then evaluates and writes --json. With --list-options:
// prints the option table instead (nothing evaluated).
std::optional<EvaluationResult> run(EvalArgs& a, const std::string& report_output) {
  if (a.list) {
    std::vector<ListedOption> rows;
    for (const EvaluateOptionInfo& info : evaluate_option_table()) {
      rows.push_back({info.key, info.flag, info.default_value, info.help});
    }
    print_option_list(rows);
    return std::nullopt;
  }
  const EvaluateOptions& o = a.options;
  check_one_stdin({{"--train", o.train},
                   {"--test", o.test},
                   {"--synthetic", o.synthetic},
                   {"--augmented", o.augmented},
                   {"--schema", o.schema}});
  const std::vector<std::string> inputs = {o.train, o.test, o.synthetic, o.augmented, o.schema};
  if (!report_output.empty()) check_output_path(report_output, inputs);
  if (a.json_option->count() > 0) check_output_path(a.json, inputs, "--json");
  for (const auto& [key, opt] : a.tunables) {
    if (opt->count() > 0) set_evaluate_option(a.options, key, a.values[key]);
  }
  a.options.detection = !a.no_detection;
  EvaluationResult result = evaluate(a.options);
  if (!a.json.empty()) write_text_file(a.json, to_json(result).dump(2) + "\n");
  return result;
}

}  // namespace

// Shared with `meg report` (cmd_report.cpp): adds the evaluation options to `cmd`
// and returns the function that runs the evaluation (and writes --json).
std::function<std::optional<EvaluationResult>(const std::string&)> add_evaluation_options(
    CLI::App* cmd) {
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
    const std::optional<EvaluationResult> result = run(*args, "");
    if (result) std::cout << format_evaluation(*result);  // flushed (and checked) by main
  });
}

}  // namespace meg::cli
