// meg fit DATA.csv -o MODEL [options]
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli_checks.hpp"
#include "cli_progress.hpp"
#include "commands.hpp"
#include "meg/error.hpp"
#include "meg/model.hpp"
#include "meg/options.hpp"

namespace meg::cli {

void add_fit_command(CLI::App& app) {
  struct Args {
    std::string data, output, schema;
    // Shortcut flags: each maps onto one key of the option table.
    std::vector<std::pair<std::string, std::string>> shortcuts;
    std::vector<std::string> options, unit_options;
    bool quiet = false;
    bool list = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("fit", "Fit a MEG model on a CSV table and save it");
  cmd->add_option("DATA", args->data,
                  "Training CSV with a header row ('-' = stdin). The file is streamed, never "
                  "held whole; stdin or a pipe is also copied into an unlinked temporary file "
                  "in $TMPDIR (default /tmp, gone when meg exits) in case a second pass is "
                  "needed, so $TMPDIR needs room for the input");
  cmd->add_option("-o,--output", args->output, "Model file to write");
  cmd->add_option("--schema", args->schema, "JSON schema file overriding inferred column types");
  struct Shortcut {
    const char* flag;
    const char* key;
    const char* help;
  };
  static const Shortcut kShortcuts[] = {
      {"--units", "units", "Class columns of the units, comma separated (default: all columns)"},
      {"--k", "k", "kDB parents per feature besides the class"},
      {"--epochs", "epochs", "Adversarial epochs per unit"},
      {"--warmup-epochs", "warmup_epochs", "Conditional log-likelihood epochs per unit"},
      {"--batch-size", "batch_size", "Generator mini-batch size"},
      {"--adversarial", "adversarial", "score_function (corrected) or none (reference behaviour)"},
      {"--weighting", "weighting", "em, softmax_loglik, uniform or reference"},
      {"--threads", "threads", "Worker threads (default: all cores; never changes results)"},
      {"--seed", "seed", "Random seed (default 0)"},
  };
  auto values = std::make_shared<std::vector<std::string>>(std::size(kShortcuts));
  for (size_t i = 0; i < std::size(kShortcuts); ++i) {
    cmd->add_option(kShortcuts[i].flag, (*values)[i], kShortcuts[i].help);
  }
  cmd->add_option("--option", args->options,
                  "Set any option: KEY=VALUE (repeatable; see --list-options)");
  cmd->add_option("--unit-option", args->unit_options,
                  "Override an option for one unit: COLUMN:KEY=VALUE (repeatable)");
  cmd->add_flag("--list-options", args->list, "List every option with its default and exit");
  cmd->add_flag("-q,--quiet", args->quiet,
                "No progress output (by default: a bar on a terminal, else a line every 10 s "
                "and per unit, on stderr)");
  cmd->callback([args, values, cmd] {
    if (args->list) {
      for (const auto& o : option_table()) {
        std::printf("%-22s %-16s %s%s\n", o.key.c_str(), o.default_value.c_str(), o.help.c_str(),
                    o.per_unit ? " [per unit]" : "");
      }
      return;
    }
    if (args->data.empty()) throw InvalidArgument("fit: missing DATA (the training CSV)");
    if (args->output.empty())
      throw InvalidArgument("fit: missing -o MODEL (the model file to write)");
    FitOptions options;
    for (size_t i = 0; i < std::size(kShortcuts); ++i) {
      if (cmd->count(kShortcuts[i].flag)) set_option(options, kShortcuts[i].key, (*values)[i]);
    }
    for (const auto& kv : args->options) {
      auto eq = kv.find('=');
      if (eq == std::string::npos) {
        throw InvalidArgument(std::string("--option '").append(kv).append("': expected KEY=VALUE"));
      }
      set_option(options, kv.substr(0, eq), kv.substr(eq + 1));
    }
    for (const auto& spec : args->unit_options) {
      auto colon = spec.find(':');
      auto eq = spec.find('=', colon == std::string::npos ? 0 : colon);
      if (colon == std::string::npos || eq == std::string::npos || colon == 0) {
        throw InvalidArgument(
            std::string("--unit-option '").append(spec).append("': expected COLUMN:KEY=VALUE"));
      }
      std::string column = spec.substr(0, colon);
      auto it = options.unit_overrides.find(column);
      if (it == options.unit_overrides.end())
        it = options.unit_overrides.emplace(column, options.unit).first;
      set_unit_option(it->second, spec.substr(colon + 1, eq - colon - 1), spec.substr(eq + 1));
    }
    validate_options(options);
    check_one_stdin({{"DATA", args->data}, {"--schema", args->schema}});
    check_output_path(args->output, {args->data, args->schema});
    Model model =
        Model::fit_csv(args->data, options, args->schema, make_progress_printer(args->quiet));
    finish_progress();
    model.save(args->output);
    if (!args->quiet) {
      std::fprintf(stderr, "meg: model written to %s (%llu training rows)\n", args->output.c_str(),
                   static_cast<unsigned long long>(model.training_rows()));
    }
  });
}

}  // namespace meg::cli
