// meg sample MODEL -n N -o OUT.csv [--seed S] [--threads T] [--where COL=VALUE ...]
// (the --where text is parsed by the library: TableCodec::parse_conditions)
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cli_checks.hpp"
#include "cli_options.hpp"
#include "cli_progress.hpp"
#include "commands.hpp"
#include "meg/error.hpp"
#include "meg/model.hpp"
#include "meg/options.hpp"
#if MEG_WITH_MPI
#include "dist/dist.hpp"
#endif

namespace meg::cli {
namespace {

// Creates `dir` (one level) unless it exists.
void make_directory(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
    throw IoError(dir + ": cannot create the directory: " + std::strerror(errno));
  }
}

}  // namespace

void add_sample_command(CLI::App& app) {
  struct Args {
    std::string model, rows, output;
    std::string seed = fit_option_info("seed").default_value;
    std::string threads = fit_option_info("threads").default_value;
    std::vector<std::string> where;
    bool quiet = false, list = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("sample", "Generate synthetic rows from a fitted model");
  // Required, but checked in the callback so that --list-options needs none.
  auto* model_opt = cmd->add_option("MODEL", args->model, "Model file written by `meg fit`");
  const std::string rows_help =
      "Number of rows to generate [1, " + std::to_string(kMaxSampleRows) + "]";
  auto* rows_opt = cmd->add_option("-n,--rows", args->rows, rows_help);
  auto* output_opt = cmd->add_option(
      "-o,--output", args->output,
      "Output CSV ('-' = stdout); DIR/ (ending in '/'): DIR/part-00000.csv, and under "
      "mpirun one part per rank, the rank's consecutive share of the rows");
  add_fit_option_flag(cmd, "seed", args->seed);
  add_fit_option_flag(cmd, "threads", args->threads);
  cmd->add_option(
         "--where", args->where,
         "Condition every row satisfies: COL=VALUE, or COL=LO..HI for a numeric or date/time "
         "column (either end may be open); COL= (or COL=NA, any missing token): missing. "
         "Repeatable: conditions on different columns all hold, several on one column allow "
         "any of their values (--where c=a --where c=b: c is a or b). Write '=' and '\\' in "
         "COL as '\\=' and '\\\\'")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_flag("-q,--quiet", args->quiet,
                "No progress output (by default: a bar on a terminal, else a line every 10 s, "
                "on stderr)");
  cmd->add_flag("--list-options", args->list, "List the options with their defaults and exit");
  cmd->callback([args, model_opt, rows_opt, output_opt, rows_help] {
    if (args->list) {
      print_option_list(
          {{"rows", "-n", "", rows_help}, listed_fit_option("seed"), listed_fit_option("threads")});
      return;
    }
    if (model_opt->count() == 0) throw InvalidArgument("MODEL is required");
    if (rows_opt->count() == 0) throw InvalidArgument("--rows is required");
    if (output_opt->count() == 0) throw InvalidArgument("--output is required");
    const uint64_t n = parse_unsigned_option("-n", args->rows, 1, UINT64_MAX);
    check_sample_rows(n);
    const uint64_t seed = parse_unsigned_option("--seed", args->seed, 0, UINT64_MAX);
    const auto threads = parse_unsigned_option("--threads", args->threads, 0, kMaxThreads);
    const bool parts = !args->output.empty() && args->output.back() == '/';
#if MEG_WITH_MPI
    if (dist::launched() && dist::size() > 1) {
      if (!parts) {
        throw InvalidArgument("option -o: under mpirun, a directory ending in '/' (each rank " +
                              std::string("writes DIR/part-RRRRR.csv), got '") + args->output +
                              "'");
      }
      if (!args->where.empty()) throw InvalidArgument("option --where: not supported under mpirun");
      dist::sample_parts(args->model, n, seed, static_cast<int>(threads), args->output);
      return;
    }
#endif
    if (parts) {  // one process: the whole sample is part 0
      make_directory(args->output);
      args->output += "part-00000.csv";
    }
    check_output_path(args->output, {args->model});
    Model model = Model::load(args->model);
    model.sample_to_file(n, seed, static_cast<int>(threads), args->output, args->where,
                         make_progress_printer(args->quiet));
    finish_progress();
  });
}

}  // namespace meg::cli
