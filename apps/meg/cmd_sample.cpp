// meg sample MODEL -n N -o OUT.csv [--seed S] [--threads T] [--where COL=VALUE ...]
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cli_checks.hpp"
#include "cli_progress.hpp"
#include "commands.hpp"
#include "meg/error.hpp"
#include "meg/model.hpp"
#if MEG_WITH_MPI
#include "dist/dist.hpp"
#endif

namespace meg::cli {
namespace {

uint64_t parse_count(const std::string& flag, const std::string& text, uint64_t min) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < min) {
    throw InvalidArgument("option " + flag + ": expected an integer >= " + std::to_string(min) +
                          ", got '" + text + "'");
  }
  return v;
}

// Creates `dir` (one level) unless it exists.
void make_directory(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
    throw IoError(dir + ": cannot create the directory: " + std::strerror(errno));
  }
}

}  // namespace

void add_sample_command(CLI::App& app) {
  struct Args {
    std::string model, rows, output, seed = "0", threads = "0";
    std::vector<std::string> where;
    bool quiet = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("sample", "Generate synthetic rows from a fitted model");
  cmd->add_option("MODEL", args->model, "Model file written by `meg fit`")->required();
  cmd->add_option("-n,--rows", args->rows, "Number of rows to generate")->required();
  cmd->add_option("-o,--output", args->output,
                  "Output CSV ('-' = stdout); DIR/ (ending in '/'): DIR/part-00000.csv, and under "
                  "mpirun one part per rank, the rank's consecutive share of the rows")
      ->required();
  cmd->add_option("--seed", args->seed, "Random seed (default 0)");
  cmd->add_option("--threads", args->threads,
                  "Worker threads (default: all cores; never changes results)");
  cmd->add_option(
         "--where", args->where,
         "Condition every row satisfies: COL=VALUE, or COL=LO..HI for a numeric column "
         "(either end may be open); repeatable. Write '=' and '\\' in COL as '\\=' and '\\\\'")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_flag("-q,--quiet", args->quiet,
                "No progress output (by default: a bar on a terminal, else a line every 10 s, "
                "on stderr)");
  cmd->callback([args] {
    uint64_t n = parse_count("-n", args->rows, 1);
    // The sampling plan holds one entry per 32768-row chunk: bound it (10^10 rows is
    // already about a terabyte of CSV).
    constexpr uint64_t kMaxRows = 10'000'000'000ULL;
    if (n > kMaxRows) {
      throw InvalidArgument("option -n: at most " + std::to_string(kMaxRows) +
                            " rows per run, got '" + args->rows +
                            "' (run several times with different --seed)");
    }
    uint64_t seed = parse_count("--seed", args->seed, 0);
    uint64_t threads = parse_count("--threads", args->threads, 0);
    if (threads > 1024) throw InvalidArgument("option --threads: expected at most 1024");
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
