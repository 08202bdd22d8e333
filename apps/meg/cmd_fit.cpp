// meg fit DATA.csv -o MODEL [options]
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli_checks.hpp"
#include "cli_progress.hpp"
#include "commands.hpp"
#include "meg/dp_options.hpp"
#include "meg/error.hpp"
#include "meg/model.hpp"
#include "meg/options.hpp"
#if MEG_WITH_MPI
#include "dist/dist.hpp"
#include "dist/shards.hpp"
#endif

namespace meg::cli {
namespace {

double parse_dp_number(const char* flag, const std::string& text) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size()) {
    throw InvalidArgument(std::string(flag).append(": expected a number, got '").append(text) +
                          "'");
  }
  return v;
}

#if MEG_WITH_MPI
// Rank 0's last line of a distributed fit.
void report_distributed_fit(const std::string& output, bool quiet, const dist::FitReport& r) {
  finish_progress();
  if (quiet || dist::rank() != 0) return;
  std::fprintf(stderr,
               "meg: model written to %s (%llu training rows, %d ranks; %.1f MB of %s "
               "allgathered, %.1f MB of counts summed a rank, %llu bytes a rank in "
               "collectives; CPU a rank, the most of the ranks: %.1f s, of which read %.1f s, "
               "profiles and exchange %.1f s, table built %.1f s, fit %.1f s)\n",
               output.c_str(), static_cast<unsigned long long>(r.rows), dist::size(),
               static_cast<double>(r.gathered_bytes) / 1e6,
               r.profiles_merged ? "merged profiles and codes" : "rows",
               static_cast<double>(r.reduced_bytes) / 1e6,
               static_cast<unsigned long long>(r.collective_bytes), r.cpu_rank, r.cpu_read,
               r.cpu_gather, r.cpu_build, r.cpu_fit);
}
#endif

}  // namespace

void add_fit_command(CLI::App& app) {
  struct Args {
    std::vector<std::string> data;  // one table, or its shards
    std::string output, schema, shard_list;
    // Shortcut flags: each maps onto one key of the option table.
    std::vector<std::pair<std::string, std::string>> shortcuts;
    std::vector<std::string> options, unit_options;
    bool quiet = false;
    bool list = false;
    // Differential privacy (docs/privacy.md).
    std::string epsilon, delta;
    bool public_schema = false;
    std::vector<std::string> dp_options;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("fit", "Fit a MEG model on a CSV table and save it");
  cmd->add_option("DATA", args->data,
                  "Training CSV with a header row ('-' = stdin). The file is streamed, never "
                  "held whole; stdin or a pipe is also copied into an unlinked temporary file "
                  "in $TMPDIR (default /tmp, gone when meg exits) in case a second pass is "
                  "needed, so $TMPDIR needs room for the input. Several files: shards of one "
                  "table, same header, rows in the given order (MPI builds; under mpirun each "
                  "rank reads whole shards; docs/distributed.md)");
  cmd->add_option("--shard-list", args->shard_list,
                  "File listing the table's shards, one path a line (instead of DATA; MPI "
                  "builds; docs/distributed.md)");
  cmd->add_option("-o,--output", args->output, "Model file to write");
  cmd->add_option("--schema", args->schema, "JSON schema file overriding inferred column types");
  struct Shortcut {
    const char* flag;
    const char* key;
    const char* help;
  };
  static const Shortcut kShortcuts[] = {
      {"--units", "units",
       "Class columns of the units, comma separated; auto (default: every column up to a "
       "structure-cost budget) or all"},
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
  cmd->add_option("--epsilon", args->epsilon,
                  "Fit with (epsilon, delta)-differential privacy (docs/privacy.md); needs "
                  "--schema giving every column's type");
  cmd->add_option("--delta", args->delta,
                  "Delta of a private fit (default 1e-6; must be < 1/rows)");
  cmd->add_flag("--public-schema", args->public_schema,
                "Private fit: the schema file's \"levels\" and \"edges\" are public knowledge "
                "and are used at no privacy cost");
  cmd->add_option("--dp-option", args->dp_options,
                  "Private fit setting KEY=VALUE (repeatable): split_domain, split_structure, "
                  "delta_levels, k, snr, floor, smoothing, bins, rows_factor");
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
    if (args->data.empty() && args->shard_list.empty()) {
      throw InvalidArgument("fit: missing DATA (the training CSV)");
    }
    if (!args->data.empty() && !args->shard_list.empty()) {
      throw InvalidArgument("fit: give DATA or --shard-list, not both");
    }
    const bool sharded = args->data.size() > 1 || !args->shard_list.empty();
#if !MEG_WITH_MPI
    if (sharded) {
      throw InvalidArgument(
          "fit: shards (several DATA files or --shard-list) need a build with "
          "-DMEG_WITH_MPI=ON; concatenate them (one header) for this build");
    }
#endif
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
      set_unit_override(options, spec.substr(0, colon), spec.substr(colon + 1, eq - colon - 1),
                        spec.substr(eq + 1));
    }
    validate_options(options);
    const bool dp = cmd->count("--epsilon") > 0;
    if (!dp && (cmd->count("--delta") || args->public_schema || !args->dp_options.empty())) {
      throw InvalidArgument("fit: --delta, --public-schema and --dp-option need --epsilon");
    }
    DpOptions dp_options;
    if (dp) {
      dp_options.epsilon = parse_dp_number("--epsilon", args->epsilon);
      if (cmd->count("--delta")) dp_options.delta = parse_dp_number("--delta", args->delta);
      dp_options.public_schema = args->public_schema;
      for (const auto& kv : args->dp_options) {
        auto eq = kv.find('=');
        if (eq == std::string::npos) {
          throw InvalidArgument(
              std::string("--dp-option '").append(kv).append("': expected KEY=VALUE"));
        }
        set_dp_option(dp_options, kv.substr(0, eq), kv.substr(eq + 1));
      }
      // The seed keys the noise too: reproducible, and known to whoever knows the seed.
      if (cmd->count("--seed")) dp_options.noise_seed = options.seed;
      validate_dp_options(dp_options);
    }
    const std::string data = sharded ? std::string() : args->data.front();
    if (!sharded) check_one_stdin({{"DATA", data}, {"--schema", args->schema}});
    std::vector<std::string> inputs = args->data;
    inputs.push_back(args->schema);
    if (!args->shard_list.empty()) inputs.push_back(args->shard_list);
    check_output_path(args->output, inputs);
#if MEG_WITH_MPI
    if (sharded) {  // every rank reads whole shards; rank 0 writes the model
      if (dp) throw InvalidArgument("fit: --epsilon does not read shards (one table file)");
      const std::vector<std::string> shards =
          args->shard_list.empty() ? args->data : dist::read_shard_list(args->shard_list);
      check_output_path(args->output, shards);
      const std::string name = !args->shard_list.empty() ? args->shard_list
                               : shards.size() == 1      ? shards.front()
                                                         : shards.front() + " .. " + shards.back();
      const bool root = dist::rank() == 0;
      report_distributed_fit(
          args->output, args->quiet,
          dist::fit_shards(shards, name, options, args->schema, args->output,
                           root ? make_progress_printer(args->quiet) : ProgressFn{}));
      return;
    }
#endif
#if MEG_WITH_MPI
    if (dist::launched()) {  // every rank reads a byte range; rank 0 writes the model
      if (dp) throw InvalidArgument("fit: --epsilon is not supported under mpirun");
      const bool root = dist::rank() == 0;
      report_distributed_fit(
          args->output, args->quiet,
          dist::fit_csv(data, options, args->schema, args->output,
                        root ? make_progress_printer(args->quiet) : ProgressFn{}));
      return;
    }
#endif
    Model model =
        dp ? Model::fit_csv_private(data, options, dp_options, args->schema,
                                    make_progress_printer(args->quiet))
           : Model::fit_csv(data, options, args->schema, make_progress_printer(args->quiet));
    finish_progress();
    model.save(args->output);
    if (!args->quiet) {
      std::fprintf(stderr, "meg: model written to %s (%llu training rows)\n", args->output.c_str(),
                   static_cast<unsigned long long>(model.training_rows()));
    }
  });
}

}  // namespace meg::cli
