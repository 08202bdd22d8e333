// Each subcommand lives in its own cmd_<name>.cpp and registers itself here.
// Commands only parse options, call the public API (include/meg) and print.
#pragma once
#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "meg/evaluation_result.hpp"

namespace meg::cli {

void add_schema_command(CLI::App& app);
void add_fit_command(CLI::App& app);
void add_sample_command(CLI::App& app);
void add_augment_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
void add_evaluate_command(CLI::App& app);
void add_report_command(CLI::App& app);

// The options shared by `evaluate` and `report`; the returned function checks the
// inputs and outputs (with `meg report`'s HTML path, "" for none) and runs the
// evaluation with the parsed values (defined in cmd_evaluate.cpp); nullopt (nothing
// evaluated) after printing the option table for --list-options.
std::function<std::optional<EvaluationResult>(const std::string&)> add_evaluation_options(
    CLI::App* cmd);

}  // namespace meg::cli
