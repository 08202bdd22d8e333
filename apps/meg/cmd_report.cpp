// meg report --train REAL_TRAIN.csv --test REAL_TEST.csv --synthetic SYN.csv --target COLUMN
//            -o REPORT.html [--json OUT.json] [--title T] [--label L] [evaluate's options]
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "meg/error.hpp"
#include "meg/evaluate.hpp"
#include "meg/io.hpp"

namespace meg::cli {

void add_report_command(CLI::App& app) {
  auto output = std::make_shared<std::string>();
  auto text = std::make_shared<ReportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Evaluate like `meg evaluate` and write a self-contained HTML report");
  auto evaluate_tables = add_evaluation_options(cmd);
  auto* output_option = cmd->add_option("-o,--output", *output, "HTML file to write (required)");
  cmd->add_option("--title", text->title, "Page title");
  cmd->add_option("--label", text->synthetic_label,
                  "Name of the synthetic table in legends (default 'synthetic')");
  cmd->callback([evaluate_tables, output, output_option, text, cmd] {
    const bool listing = cmd->get_option("--list-options")->count() > 0;
    if (!listing && output_option->count() == 0) throw InvalidArgument("--output is required");
    if (!listing && output->empty()) throw InvalidArgument("option -o: the output path is empty");
    const std::optional<EvaluationResult> result = evaluate_tables(*output);
    if (!result) return;  // --list-options
    write_text_file(*output, render_report(*result, *text));
    std::cerr << "meg: report written to " << *output << "\n";
  });
}

}  // namespace meg::cli
