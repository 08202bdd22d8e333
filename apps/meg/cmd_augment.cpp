// meg augment DATA.csv --target COL (--balance | --ratio CLASS=K ...) -o OUT.csv
//   [--model MODEL] [--k K] [--seed S] [--threads T] [--quiet]
#include <cstdio>
#include <cstdlib>
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

namespace meg::cli {

void add_augment_command(CLI::App& app) {
  struct Args {
    std::string data, target, output, model, k;
    std::string seed = fit_option_info("seed").default_value;
    std::string threads = fit_option_info("threads").default_value;
    std::vector<std::string> ratios;
    bool balance = false, quiet = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "augment", "Write the real rows plus class-conditional synthetic rows of minority classes");
  cmd->add_option("DATA", args->data, "Real CSV with a header row")->required();
  cmd->add_option("--target", args->target, "Class column to rebalance")->required();
  cmd->add_option("-o,--output", args->output, "Output CSV: real rows then synthetic rows")
      ->required();
  cmd->add_flag("--balance", args->balance, "Raise every class to the majority class count");
  cmd->add_option("--ratio", args->ratios,
                  "CLASS=K: class CLASS reaches K times its real count (K >= 1; repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--model", args->model, "Use this model file instead of fitting one on DATA");
  add_fit_option_flag(cmd, "k", args->k);
  add_fit_option_flag(cmd, "seed", args->seed);  // for fitting and sampling
  add_fit_option_flag(cmd, "threads", args->threads);
  cmd->add_flag("-q,--quiet", args->quiet, "No progress or summary output");
  // Runs while parsing, before the required arguments are checked.
  cmd->add_flag_callback(
      "--list-options",
      [] {
        print_option_list(
            {listed_fit_option("k"), listed_fit_option("seed"), listed_fit_option("threads")});
        throw CLI::Success();
      },
      "List the options with their defaults and exit (a fit's options: meg fit --list-options)");
  cmd->callback([args, cmd] {
    AugmentRequest req;
    req.data_path = args->data;
    req.target = args->target;
    req.balance = args->balance;
    req.output_path = args->output;
    for (const auto& spec : args->ratios) {
      const size_t eq = spec.rfind('=');
      const std::string num = eq == std::string::npos ? "" : spec.substr(eq + 1);
      char* end = nullptr;
      const double k = std::strtod(num.c_str(), &end);
      if (eq == std::string::npos || eq == 0 || num.empty() || *end != '\0') {
        throw InvalidArgument("option --ratio '" + spec + "': expected CLASS=K");
      }
      for (const auto& [name, earlier] : req.ratios) {
        if (name == spec.substr(0, eq)) {
          throw InvalidArgument("option --ratio '" + spec + "': class '" + name +
                                "' is given twice");
        }
      }
      req.ratios.emplace_back(spec.substr(0, eq), k);
    }
    FitOptions options;
    set_option(options, "seed", args->seed);
    set_option(options, "threads", args->threads);
    if (cmd->count("--k")) set_option(options, "k", args->k);
    validate_options(options);
    req.seed = options.seed;
    req.threads = options.threads;
    check_one_stdin({{"DATA", args->data}, {"--model", args->model}});
    check_output_path(args->output, {args->data, args->model});
    plan_augment(req);  // bad target / classes / ratios fail before fitting
    Model model = args->model.empty()
                      ? Model::fit_csv(args->data, options, "", make_progress_printer(args->quiet))
                      : Model::load(args->model);
    if (args->model.empty()) finish_progress();
    const AugmentSummary s = augment_csv(model, req);
    if (!args->quiet) {
      std::fprintf(stderr, "meg: %s written (%s)\n", args->output.c_str(), args->target.c_str());
      std::fprintf(stderr, "  %-24s %10s %10s %10s\n", "class", "real", "synthetic", "total");
      for (size_t i = 0; i < s.classes.size(); ++i) {
        std::fprintf(stderr, "  %-24s %10llu %10llu %10llu\n", s.classes[i].c_str(),
                     static_cast<unsigned long long>(s.real[i]),
                     static_cast<unsigned long long>(s.synthetic[i]),
                     static_cast<unsigned long long>(s.real[i] + s.synthetic[i]));
      }
    }
  });
}

}  // namespace meg::cli
