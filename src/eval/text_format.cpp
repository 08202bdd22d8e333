// Terminal rendering of an evaluation result (fixed-width tables).
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "eval/evaluate.hpp"

namespace meg::eval {

namespace {

std::string f3(const nlohmann::json& v) {
  if (!v.is_number()) return "  -  ";
  return fmt::format("{:.3f}", v.get<double>());
}

const nlohmann::json& at(const nlohmann::json& j, const char* key) {
  static const nlohmann::json null_value;
  return j.is_object() && j.contains(key) ? j[key] : null_value;
}

}  // namespace

std::string format_text(const nlohmann::json& r) {
  std::string s;
  const auto& in = r["inputs"];
  s += fmt::format("meg evaluate: synthetic {} ({} rows)\n", in["synthetic"]["path"].get<std::string>(),
                   in["synthetic"]["rows"].get<size_t>());
  s += fmt::format("  real train {} ({} rows), real test {} ({} rows), target '{}'\n\n",
                   in["train"]["path"].get<std::string>(), in["train"]["rows"].get<size_t>(),
                   in["test"]["path"].get<std::string>(), in["test"]["rows"].get<size_t>(),
                   in["target"].get<std::string>());

  const auto& u = r["utility"];
  s += fmt::format("Utility (scored on real test; majority-class rate {} = '{}')\n",
                   f3(u["majority_class_rate"]), u["majority_class"].get<std::string>());
  bool binary = u["classes"].size() == 2;
  s += fmt::format("  {:<20} {:>9} {:>9} {:>9} {:>9}{}\n", "classifier", "TRTR acc", "TSTR acc",
                   "TRTR F1", "TSTR F1", binary ? "   TRTR AUC  TSTR AUC" : "");
  for (const auto& c : u["classifiers"]) {
    if (!c["available"].get<bool>()) {
      s += fmt::format("  {:<20} unavailable (meg built without XGBoost)\n",
                       c["name"].get<std::string>());
      continue;
    }
    s += fmt::format("  {:<20} {:>9} {:>9} {:>9} {:>9}", c["name"].get<std::string>(),
                     f3(c["trtr"]["accuracy"]), f3(c["tstr"]["accuracy"]),
                     f3(c["trtr"]["macro_f1"]), f3(c["tstr"]["macro_f1"]));
    if (binary) {
      s += fmt::format("  {:>9} {:>9}", f3(at(c["trtr"], "roc_auc")), f3(at(c["tstr"], "roc_auc")));
    }
    s += "\n";
  }
  const auto& dropped = u["rows_dropped"];
  if (dropped["train"].get<size_t>() + dropped["test"].get<size_t>() +
          dropped["synthetic"].get<size_t>() > 0) {
    s += fmt::format("  rows without a known target class, not scored: train {}, test {}, "
                     "synthetic {}\n",
                     dropped["train"].get<size_t>(), dropped["test"].get<size_t>(),
                     dropped["synthetic"].get<size_t>());
  }

  const auto& f = r["fidelity"];
  s += "\nFidelity (distance to real train; lower is better; real test shown for reference)\n";
  s += fmt::format("  {:<24} {:>6} {:>10} {:>10}\n", "column", "metric", "synthetic", "real test");
  for (const auto& c : f["columns"]) {
    s += fmt::format("  {:<24} {:>6} {:>10} {:>10}\n", c["name"].get<std::string>(),
                     c["metric"].get<std::string>(), f3(c["synthetic"]), f3(c["test"]));
  }
  s += fmt::format("  {:<24} {:>6} {:>10} {:>10}\n", "mean column distance", "",
                   f3(f["mean_column_distance"]["synthetic"]), f3(f["mean_column_distance"]["test"]));
  s += fmt::format("  {:<24} {:>6} {:>10} {:>10}\n", "pairwise dependence err", "",
                   f3(f["pairwise"]["error"]["synthetic"]), f3(f["pairwise"]["error"]["test"]));
  if (f.contains("detection")) {
    const auto& d = f["detection"];
    s += fmt::format("  detection ROC-AUC {} ({}, {}-fold CV on {} real + {} synthetic rows; "
                     "0.5 = indistinguishable)\n",
                     f3(d["roc_auc"]), d["classifier"].get<std::string>(), d["folds"].get<int>(),
                     d["rows"]["real"].get<size_t>(), d["rows"]["synthetic"].get<size_t>());
  }

  const auto& p = r["privacy"];
  s += "\nPrivacy (synthetic vs. real test, both measured against real train)\n";
  s += fmt::format("  {:<34} {:>10} {:>10}\n", "", "synthetic", "real test");
  s += fmt::format("  {:<34} {:>10} {:>10}\n", "exact copies of a train row",
                   f3(p["exact_copy_rate"]["synthetic"]), f3(p["exact_copy_rate"]["test"]));
  s += fmt::format("  {:<34} {:>10} {:>10}\n", "distance to closest record, median",
                   f3(p["dcr"]["synthetic"]["median"]), f3(p["dcr"]["test"]["median"]));
  s += fmt::format("  {:<34} {:>10} {:>10}\n", "distance to closest record, 5th pct",
                   f3(p["dcr"]["synthetic"]["p05"]), f3(p["dcr"]["test"]["p05"]));
  s += fmt::format("\nTime {:.1f} s\n", r["seconds"]["total"].get<double>());
  return s;
}

}  // namespace meg::eval
