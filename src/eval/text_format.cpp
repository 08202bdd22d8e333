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

std::string signed3(const nlohmann::json& v) {
  if (!v.is_number()) return "  -  ";
  return fmt::format("{:+.3f}", v.get<double>());
}

const nlohmann::json& at(const nlohmann::json& j, const char* key) {
  static const nlohmann::json null_value;
  return j.is_object() && j.contains(key) ? j[key] : null_value;
}

// The line counting rows whose target is missing or a class train never had (none: empty).
std::string dropped_rows(const nlohmann::json& dropped, const char* other) {
  const size_t train = dropped["train"].get<size_t>(), test = dropped["test"].get<size_t>(),
               rest = dropped[other].get<size_t>();
  if (train + test + rest == 0) return "";
  return fmt::format("  rows without a known target class, not scored: train {}, test {}, {} {}\n",
                     train, test, other, rest);
}

// Utility, fidelity and privacy of a synthetic table.
std::string synthetic_sections(const nlohmann::json& r) {
  std::string s;
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
  s += dropped_rows(u["rows_dropped"], "synthetic");

  const auto& f = r["fidelity"];
  s += "\nFidelity (distance to real train; lower is better; real test shown for reference)\n";
  s += fmt::format("  {:<24} {:>6} {:>10} {:>10}\n", "column", "metric", "synthetic", "real test");
  for (const auto& c : f["columns"]) {
    s += fmt::format("  {:<24} {:>6} {:>10} {:>10}\n", c["name"].get<std::string>(),
                     c["metric"].get<std::string>(), f3(c["synthetic"]), f3(c["test"]));
  }
  s += fmt::format("  {:<24} {:>6} {:>10} {:>10}\n", "mean column distance", "",
                   f3(f["mean_column_distance"]["synthetic"]),
                   f3(f["mean_column_distance"]["test"]));
  s += fmt::format("  {:<24} {:>6} {:>10} {:>10}\n", "pairwise dependence err", "",
                   f3(f["pairwise"]["error"]["synthetic"]), f3(f["pairwise"]["error"]["test"]));
  if (f.contains("detection")) {
    const auto& d = f["detection"];
    s += fmt::format(
        "  detection ROC-AUC {} ({}, {}-fold CV on {} real + {} synthetic rows; "
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
  return s;
}

std::string lift_section(const nlohmann::json& l, const std::string& path) {
  std::string s;
  const auto& rows = l["rows"];
  s += fmt::format(
      "Lift (trained on real train vs on augmented {}; scored on real test; "
      "lift = augmented - real)\n",
      path);
  const auto& classes = l["classes"];
  const auto& counts = l["class_rows"];
  s += fmt::format("  {:<24} {:>10} {:>10} {:>10}\n", "rows of class", "real train", "augmented",
                   "real test");
  for (size_t c = 0; c < classes.size(); ++c) {
    s += fmt::format("  {:<24.24} {:>10} {:>10} {:>10}\n", classes[c].get<std::string>(),
                     counts["train"][c].get<size_t>(), counts["augmented"][c].get<size_t>(),
                     counts["test"][c].get<size_t>());
  }
  s += fmt::format("  {:<24} {:>10} {:>10} {:>10}\n", "all", rows["train"].get<size_t>(),
                   rows["augmented"].get<size_t>(), rows["test"].get<size_t>());
  s += dropped_rows(l["rows_dropped"], "augmented");
  const size_t included = l["real_rows_included"].get<size_t>();
  const size_t train_rows = rows["train"].get<size_t>() + l["rows_dropped"]["train"].get<size_t>();
  if (included < train_rows) {
    s += fmt::format("  note: the augmented table holds only {} of the {} real train rows\n",
                     included, train_rows);
  }
  s += fmt::format("  {:<20} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "classifier", "real acc",
                   "aug acc", "acc lift", "real F1", "aug F1", "F1 lift");
  std::string per_class;
  for (const auto& c : l["classifiers"]) {
    const std::string name = c["name"].get<std::string>();
    if (!c["available"].get<bool>()) {
      s += fmt::format("  {:<20} unavailable (meg built without XGBoost)\n", name);
      continue;
    }
    const auto &real = c["real"], &aug = c["augmented"], &diff = c["difference"];
    s += fmt::format("  {:<20} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", name, f3(real["accuracy"]),
                     f3(aug["accuracy"]), signed3(diff["accuracy"]), f3(real["macro_f1"]),
                     f3(aug["macro_f1"]), signed3(diff["macro_f1"]));
    per_class += fmt::format("  {}\n", name);
    for (size_t k = 0; k < classes.size(); ++k) {
      per_class += fmt::format("    {:<22.22}", classes[k].get<std::string>());
      for (const char* m : {"precision", "recall", "f1"}) {
        per_class += fmt::format("  {:>5} -> {:<5}", f3(real[m][k]), f3(aug[m][k]));
      }
      while (per_class.back() == ' ') per_class.pop_back();
      per_class += "\n";
    }
  }
  s += fmt::format("  {:<24}  {:^14}  {:^14}  {:^14}", "per class, real -> aug", "precision",
                   "recall", "F1");
  while (s.back() == ' ') s.pop_back();
  s += "\n";
  return s + per_class;
}

}  // namespace

std::string format_text(const nlohmann::json& r) {
  std::string s;
  const auto& in = r["inputs"];
  const char* evaluated = in.contains("synthetic") ? "synthetic" : "augmented";
  s += fmt::format("meg evaluate: {} {} ({} rows)\n", evaluated,
                   in[evaluated]["path"].get<std::string>(), in[evaluated]["rows"].get<size_t>());
  s += fmt::format("  real train {} ({} rows), real test {} ({} rows), target '{}'\n\n",
                   in["train"]["path"].get<std::string>(), in["train"]["rows"].get<size_t>(),
                   in["test"]["path"].get<std::string>(), in["test"]["rows"].get<size_t>(),
                   in["target"].get<std::string>());
  if (r.contains("utility")) s += synthetic_sections(r);
  if (r.contains("lift")) {
    if (r.contains("utility")) s += "\n";
    s += lift_section(r["lift"], in["augmented"]["path"].get<std::string>());
  }
  s += fmt::format("\nTime {:.1f} s\n", r["seconds"]["total"].get<double>());
  return s;
}

}  // namespace meg::eval
