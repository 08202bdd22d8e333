// meg inspect MODEL [--dot | --json]
#include <cstdio>

#include <fmt/format.h>
#include <memory>
#include <string>

#include "commands.hpp"
#include "meg/model.hpp"

namespace meg::cli {
namespace {

std::string join(const nlohmann::ordered_json& names) {
  std::string s;
  for (const auto& n : names) {
    if (!s.empty()) s += ", ";
    s += n.get<std::string>();
  }
  return s.empty() ? "-" : s;
}

void print_text(const nlohmann::ordered_json& d, const std::string& privacy) {
  std::printf("training rows: %llu\n\ncolumns:\n",
              static_cast<unsigned long long>(d["training_rows"].get<uint64_t>()));
  for (const auto& c : d["columns"]) {
    std::printf("  %-24s %-12s %u codes\n", c["name"].get<std::string>().c_str(),
                c["type"].get<std::string>().c_str(), c["codes"].get<unsigned>());
  }
  std::printf("\nunits (class column, weight; parents of each column besides the class):\n");
  for (const auto& u : d["units"]) {
    std::printf("  unit %-20s weight %.4f\n", u["class"].get<std::string>().c_str(),
                u["weight"].get<double>());
    for (const auto& [col, parents] : u["parents"].items()) {
      std::printf("      %-24s <- %s\n", col.c_str(), join(parents).c_str());
    }
  }
  const auto& rm = d["row_model"];
  if (rm.contains("donor_rows") && rm["donor_rows"].get<uint64_t>() > 0) {
    std::printf(
        "\nnumeric cells decoded jointly: in-bin positions of %llu training rows, "
        "matched on the bins of %s\n",
        static_cast<unsigned long long>(rm["donor_rows"].get<uint64_t>()),
        join(rm["donor_key"]).c_str());
  }
  if (rm.contains("rules")) {
    std::printf("\nrules kept while sampling:\n");
    for (const auto& r : rm["rules"]) std::printf("  %s\n", r.get<std::string>().c_str());
  }
  std::printf("\noptions:\n");
  for (const auto& [k, v] : d["options"].items()) {
    if (k == "unit_overrides") {
      for (const auto& [unit, kv] : v.items())
        std::printf("  (unit %s) %s\n", unit.c_str(), kv.dump().c_str());
      continue;
    }
    std::printf("  %-22s %s\n", k.c_str(), v.get<std::string>().c_str());
  }
  if (d.contains("fit") && d["fit"].contains("validation_loglik_mixture")) {
    std::printf("\nvalidation log-likelihood per row: mixture %.4f (uniform weights %.4f)\n",
                d["fit"]["validation_loglik_mixture"].get<double>(),
                d["fit"]["validation_loglik_uniform"].get<double>());
  }
  if (d.contains("fit") && d["fit"].contains("smoothing_selection")) {
    const auto& sel = d["fit"]["smoothing_selection"];
    const auto& tried = sel["tried"];
    std::string chosen = sel["chosen_m"].is_number()
                             ? fmt::format("m = {}", sel["chosen_m"].get<double>())
                             : sel["chosen_m"].get<std::string>();
    std::printf(
        "smoothing strength: %s (held-out rows differ from their nearest fit row in %.3f "
        "values on average; synthetic rows at the last m tried: %.3f)\n",
        chosen.c_str(), sel["holdout_distance"].get<double>(),
        tried.empty() ? 0.0 : tried.back()["distance"].get<double>());
  }
  if (d.contains("fit") && d["fit"].contains("resample")) {
    const auto& rs = d["fit"]["resample"];
    std::string measured = "too few held-out rows to measure";
    if (rs.contains("holdout_auc_plain")) {
      measured = fmt::format(
          "held-out detection AUC {:.3f} plain, {:.3f} resampled; copies {:.4f} / {:.4f} "
          "(held-out rows {:.4f})",
          rs["holdout_auc_plain"].get<double>(), rs["holdout_auc_resampled"].get<double>(),
          rs.value("copy_rate_plain", 0.0), rs.value("copy_rate_resampled", 0.0),
          rs.value("copy_rate_holdout", 0.0));
    }
    std::printf("discriminator resampling (%s): %s, %u candidates a row a stage (%s)\n",
                rs["mode"].get<std::string>().c_str(), rs["used"].get<bool>() ? "used" : "not used",
                rs["candidates"].get<unsigned>(), measured.c_str());
    // Models from before the stages have none listed.
    if (rs.contains("stages")) {
      const auto& stages = rs["stages"];
      for (size_t s = 0; s < stages.size(); ++s) {
        const auto& st = stages[s];
        const std::string auc =
            st.contains("holdout_auc")
                ? fmt::format("held-out AUC {:.3f}", st["holdout_auc"].get<double>())
                : std::string("no tree lowered its validation loss: not measured");
        std::printf("  stage %zu%s: %d trees of depth %d, %s\n", s + 1,
                    s < rs.value("stages_used", size_t{0}) ? " (used)" : "", st["trees"].get<int>(),
                    st["depth"].get<int>(), auc.c_str());
      }
    }
  }
  if (!privacy.empty()) {
    std::printf(
        "\ndifferential privacy (units fitted on a pseudo-table sampled from the noisy "
        "network):\n%s",
        privacy.c_str());
  }
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  struct Args {
    std::string model;
    bool dot = false, json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "inspect", "Show a model's columns, units (structure and weight) and training options");
  cmd->add_option("MODEL", args->model, "Model file written by `meg fit`")->required();
  auto* dot = cmd->add_flag("--dot", args->dot, "Print the unit structures as Graphviz DOT");
  cmd->add_flag("--json", args->json, "Print everything as JSON")->excludes(dot);
  cmd->callback([args] {
    Model model = Model::load(args->model);
    if (args->dot) {
      std::fputs(model.to_dot().c_str(), stdout);
    } else if (args->json) {
      std::puts(model.describe().dump(2).c_str());
    } else {
      print_text(model.describe(), model.privacy_text());
    }
  });
}

}  // namespace meg::cli
