// Each subcommand lives in its own cmd_<name>.cpp and registers itself here.
// Commands only parse options, call the public API (include/meg) and print.
#pragma once
#include <CLI/CLI.hpp>

namespace meg::cli {

void add_schema_command(CLI::App& app);
void add_fit_command(CLI::App& app);
void add_sample_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
void add_evaluate_command(CLI::App& app);
void add_report_command(CLI::App& app);

}  // namespace meg::cli
