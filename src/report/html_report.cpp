#include "report/html_report.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "meg/error.hpp"
#include "report/svg.hpp"

namespace meg::report {

namespace {

constexpr const char* kReal = "#1f77b4";
constexpr const char* kSyn = "#e8710a";
constexpr const char* kAug = "#2ca02c";

constexpr const char* kCss = R"(
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;background:#f6f7f9;
color:#222;line-height:1.45}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:2px solid #ddd;
padding-bottom:4px}h3{font-size:14px;margin:0 0 4px}
.meta{color:#555;font-size:13px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px;margin-top:12px}
.card{background:#fff;border-radius:8px;padding:12px 14px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.card .v{font-size:26px;font-weight:600}.card .k{font-size:12px;color:#666;text-transform:uppercase}
.card p{font-size:12.5px;margin:6px 0 0;color:#333}
table{border-collapse:collapse;background:#fff;font-size:13px;margin:8px 0}
th,td{padding:5px 10px;border-bottom:1px solid #e4e4e4;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#eef0f3}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:12px}
.panel{background:#fff;border-radius:8px;padding:10px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.panel .d{font-size:12px;color:#555}
.legend span{display:inline-block;margin-right:14px;font-size:13px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:-1px}
.reading{background:#fff;border-left:4px solid #7a9cc6;padding:8px 12px;margin:8px 0;font-size:14px}
.heat{display:flex;flex-wrap:wrap;gap:12px}
.note{font-size:12.5px;color:#555}
)";

std::string f3(const nlohmann::json& v) {
  return v.is_number() ? fmt::format("{:.3f}", v.get<double>()) : "&ndash;";
}

double num(const nlohmann::json& v) {
  return v.is_number() ? v.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

std::string card(const std::string& key, const std::string& value, const std::string& text) {
  return fmt::format(
      "<div class=\"card\"><div class=\"k\">{}</div><div class=\"v\">{}</div>"
      "<p>{}</p></div>",
      escape(key), value, escape(text));
}

std::string legend(const std::string& syn_label, bool with_test, const char* color = kSyn) {
  std::string s = fmt::format(
      "<div class=\"legend\"><span><i style=\"background:{}\"></i>real "
      "train</span><span><i style=\"background:{}\"></i>{}</span>",
      kReal, color, escape(syn_label));
  if (with_test) s += "<span>(real test shown in the tables only)</span>";
  return s + "</div>";
}

std::vector<std::vector<double>> to_matrix(const nlohmann::json& j) {
  std::vector<std::vector<double>> m;
  for (const auto& row : j) {
    std::vector<double> r;
    for (const auto& v : row) r.push_back(num(v));
    m.push_back(r);
  }
  return m;
}

std::string utility_section(const nlohmann::json& u, const std::string& syn_label,
                            double* best_tstr, double* best_trtr) {
  std::string o = "<h2>Utility: train on synthetic, test on real (TSTR)</h2>";
  bool binary = u["classes"].size() == 2;
  o += "<table><tr><th>classifier</th><th>TRTR accuracy</th><th>TSTR accuracy</th>"
       "<th>TRTR macro-F1</th><th>TSTR macro-F1</th>";
  if (binary) o += "<th>TRTR ROC-AUC</th><th>TSTR ROC-AUC</th>";
  o += "</tr>";
  std::vector<std::string> groups;
  Series trtr{"trained on real train", kReal, {}}, tstr{"trained on " + syn_label, kSyn, {}};
  for (const auto& c : u["classifiers"]) {
    std::string name = c["name"].get<std::string>();
    if (!c["available"].get<bool>()) {
      o += fmt::format(
          "<tr><td>{}</td><td colspan=\"{}\">unavailable (meg built without "
          "XGBoost)</td></tr>",
          escape(name), binary ? 6 : 4);
      continue;
    }
    o += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>", escape(name),
                     f3(c["trtr"]["accuracy"]), f3(c["tstr"]["accuracy"]),
                     f3(c["trtr"]["macro_f1"]), f3(c["tstr"]["macro_f1"]));
    if (binary) {
      o += fmt::format("<td>{}</td><td>{}</td>", f3(c["trtr"].value("roc_auc", nlohmann::json())),
                       f3(c["tstr"].value("roc_auc", nlohmann::json())));
    }
    o += "</tr>";
    groups.push_back(name);
    trtr.values.push_back(num(c["trtr"]["accuracy"]));
    tstr.values.push_back(num(c["tstr"]["accuracy"]));
    if (!(num(c["tstr"]["accuracy"]) <= *best_tstr)) {
      *best_tstr = num(c["tstr"]["accuracy"]);
      *best_trtr = num(c["trtr"]["accuracy"]);
    }
  }
  o += "</table>";
  double majority = num(u["majority_class_rate"]);
  o += fmt::format(
      "<p class=\"note\">Target <b>{}</b> with {} classes; scores on {} real test "
      "rows. Majority-class rate (always predicting <b>{}</b>): {:.3f}.</p>",
      escape(u["target"].get<std::string>()), u["classes"].size(), u["rows"]["test"].get<size_t>(),
      escape(u["majority_class"].get<std::string>()), majority);
  o += "<div class=\"panel\" style=\"display:inline-block\"><h3>Accuracy on real test</h3>" +
       legend(syn_label, false) +
       score_columns(groups, {trtr, tstr}, majority, "majority-class rate", 560, 240) + "</div>";
  return o;
}

std::string column_panels(const nlohmann::json& f, const std::string& syn_label) {
  std::string o = "<div class=\"grid\">";
  for (const auto& c : f["columns"]) {
    const auto& ch = c["chart"];
    const std::string metric = c["metric"] == "tv" ? "total variation" : "Kolmogorov-Smirnov";
    o += fmt::format("<div class=\"panel\"><h3>{}</h3><div class=\"d\">{} {} (real test: {})",
                     escape(c["name"].get<std::string>()), metric, f3(c["synthetic"]),
                     f3(c["test"]));
    std::vector<Series> series;
    for (int s = 0; s < 2; ++s) {
      Series x{s == 0 ? "real train" : syn_label, s == 0 ? kReal : kSyn, {}};
      for (const auto& v : ch["shares"][static_cast<size_t>(s)]) x.values.push_back(num(v));
      series.push_back(x);
    }
    if (ch["type"] == "bars") {
      o += "</div>";
      std::vector<std::string> labels = ch["labels"].get<std::vector<std::string>>();
      o += bar_chart(labels, series, 360);
    } else {
      double m0 = num(ch["missing"][0]), m1 = num(ch["missing"][1]);
      if (m0 > 0 || m1 > 0) {
        o += fmt::format("; missing: real {:.1f}%, {} {:.1f}%", 100 * m0, escape(syn_label),
                         100 * m1);
      }
      o += "</div>";
      o += histogram(num(ch["min"]), num(ch["max"]), series, 360, 150);
    }
    o += "</div>";
  }
  return o + "</div>";
}

std::string privacy_section(const nlohmann::json& p, const std::string& syn_label) {
  const auto& e = p["exact_copy_rate"];
  const auto& d = p["dcr"];
  std::string o = "<h2>Privacy</h2>";
  o += fmt::format(
      "<table><tr><th></th><th>{}</th><th>real test (reference)</th></tr>"
      "<tr><td>exact copies of a train row</td><td>{:.2f}%</td><td>{:.2f}%</td></tr>"
      "<tr><td>distance to closest train record, median</td><td>{}</td><td>{}</td>"
      "</tr><tr><td>distance to closest train record, 5th percentile</td><td>{}</td>"
      "<td>{}</td></tr><tr><td>rows measured (seeded subsample)</td><td>{}</td>"
      "<td>{}</td></tr></table>",
      escape(syn_label), 100 * num(e["synthetic"]), 100 * num(e["test"]),
      f3(d["synthetic"]["median"]), f3(d["test"]["median"]), f3(d["synthetic"]["p05"]),
      f3(d["test"]["p05"]), d["synthetic"]["queries"].get<size_t>(),
      d["test"]["queries"].get<size_t>());
  o += "<div class=\"reading\">" + escape(read_exact_copies(num(e["synthetic"]), num(e["test"]))) +
       "</div>";
  o += "<div class=\"reading\">" +
       escape(read_dcr(num(d["synthetic"]["median"]), num(d["test"]["median"]),
                       num(d["synthetic"]["p05"]), num(d["test"]["p05"]))) +
       "</div>";
  o += "<p class=\"note\">Distance to closest record: Euclidean distance to the nearest real train "
       "row, where a categorical mismatch counts 1, a numeric difference is divided by the "
       "column's train range, and missing against present counts 1. Real test rows are new real "
       "rows, so their distances show what &ldquo;not copied&rdquo; looks like.</p>";
  return o;
}

// The best macro-F1 over classifiers trained on real train and on the augmented table.
struct LiftHeadline {
  double real_f1 = -1, augmented_f1 = -1;
  std::string real_name, augmented_name;
};

std::string signed3(const nlohmann::json& v) {
  return v.is_number() ? fmt::format("{:+.3f}", v.get<double>()) : "&ndash;";
}

// Classifiers trained on real train vs on the augmented table. Sets the best macro-F1 of
// either side (and its classifier) for the summary card.
std::string lift_section(const nlohmann::json& l, const std::string& aug_path, LiftHeadline* best) {
  std::string o = "<h2>Lift: train on real + synthetic rows, test on real</h2>";
  o += fmt::format(
      "<p class=\"note\">Each classifier is trained once on the real train rows and "
      "once on the augmented table <b>{}</b> (real train rows plus synthetic rows), "
      "with the same settings and seed, and both are scored on the real test rows. "
      "Lift = augmented &minus; real.</p>",
      escape(aug_path));
  const auto& classes = l["classes"];
  const auto& counts = l["class_rows"];
  o += "<table><tr><th>rows of class</th><th>real train</th><th>augmented</th><th>real test</th>"
       "</tr>";
  for (size_t c = 0; c < classes.size(); ++c) {
    o += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                     escape(classes[c].get<std::string>()), counts["train"][c].get<size_t>(),
                     counts["augmented"][c].get<size_t>(), counts["test"][c].get<size_t>());
  }
  o += fmt::format("<tr><td>all</td><td>{}</td><td>{}</td><td>{}</td></tr></table>",
                   l["rows"]["train"].get<size_t>(), l["rows"]["augmented"].get<size_t>(),
                   l["rows"]["test"].get<size_t>());
  const size_t real_rows = l["real_rows_included"].get<size_t>();
  const size_t train_rows =
      l["rows"]["train"].get<size_t>() + l["rows_dropped"]["train"].get<size_t>();
  if (real_rows < train_rows) {
    o += fmt::format(
        "<p class=\"note\"><b>Note:</b> the augmented table holds only {} of the {} "
        "real train rows.</p>",
        real_rows, train_rows);
  }
  o += "<table><tr><th>classifier</th><th>real accuracy</th><th>augmented accuracy</th>"
       "<th>accuracy lift</th><th>real macro-F1</th><th>augmented macro-F1</th>"
       "<th>macro-F1 lift</th></tr>";
  std::string per_class =
      "<table><tr><th>classifier</th><th>class</th><th>real precision</th>"
      "<th>augmented precision</th><th>real recall</th>"
      "<th>augmented recall</th><th>real F1</th><th>augmented F1</th></tr>";
  std::vector<std::string> groups;
  Series real_f1{"trained on real train", kReal, {}}, aug_f1{"trained on augmented", kAug, {}};
  for (const auto& c : l["classifiers"]) {
    std::string name = c["name"].get<std::string>();
    if (!c["available"].get<bool>()) {
      o += fmt::format(
          "<tr><td>{}</td><td colspan=\"6\">unavailable (meg built without "
          "XGBoost)</td></tr>",
          escape(name));
      continue;
    }
    const auto &real = c["real"], &aug = c["augmented"], &diff = c["difference"];
    o += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td></tr>",
        escape(name), f3(real["accuracy"]), f3(aug["accuracy"]), signed3(diff["accuracy"]),
        f3(real["macro_f1"]), f3(aug["macro_f1"]), signed3(diff["macro_f1"]));
    for (size_t k = 0; k < classes.size(); ++k) {
      per_class += fmt::format("<tr><td>{}</td><td>{}</td>", k == 0 ? escape(name) : "",
                               escape(classes[k].get<std::string>()));
      for (const char* m : {"precision", "recall", "f1"}) {
        per_class += fmt::format("<td>{}</td><td>{}</td>", f3(real[m][k]), f3(aug[m][k]));
      }
      per_class += "</tr>";
    }
    groups.push_back(name);
    real_f1.values.push_back(num(real["macro_f1"]));
    aug_f1.values.push_back(num(aug["macro_f1"]));
    if (!(num(real["macro_f1"]) <= best->real_f1)) {
      best->real_f1 = num(real["macro_f1"]);
      best->real_name = name;
    }
    if (!(num(aug["macro_f1"]) <= best->augmented_f1)) {
      best->augmented_f1 = num(aug["macro_f1"]);
      best->augmented_name = name;
    }
  }
  o += "</table>";
  o += "<div class=\"panel\" style=\"display:inline-block\"><h3>Macro-F1 on real test</h3>" +
       legend("trained on augmented", false, kAug) +
       score_columns(groups, {real_f1, aug_f1}, -1, "", 560, 240) + "</div>";
  o += "<h3 style=\"margin-top:16px\">Per class, on real test</h3>" + per_class + "</table>";
  o += "<p class=\"note\">&ndash;: undefined (precision of a class never predicted, recall of a "
       "class absent from the test rows).</p>";
  return o;
}

// Fidelity sections (columns, dependence, detection) of a synthetic table.
std::string fidelity_sections(const nlohmann::json& f, const std::string& syn) {
  std::string o;
  o += "<h2>Fidelity: column by column</h2>";
  o += "<p class=\"note\">Shares of each level (categorical) or of equal-width bins (numeric) in "
       "real train and in the " +
       escape(syn) +
       " table. Distances: total variation for "
       "categorical columns, Kolmogorov-Smirnov for numeric ones (missing counted as a value "
       "above every number); 0 = identical, 1 = disjoint.</p>";
  o += legend(syn, false);
  o += column_panels(f, syn);
  o += "<h2>Fidelity: dependence between columns</h2>";
  o += "<p class=\"note\">Cramér's V for two categorical columns, Pearson correlation for two "
       "numeric ones (blue negative, red positive), correlation ratio for a categorical and a "
       "numeric column. The third map is the absolute difference (white = same dependence, darkest "
       "= 0.5 or more; hover a cell for its value).</p>";
  std::vector<std::string> names = f["pairwise"]["columns"].get<std::vector<std::string>>();
  auto dt = to_matrix(f["pairwise"]["train"]), ds = to_matrix(f["pairwise"]["synthetic"]);
  auto diff = dt;
  auto shown = diff;  // colour scale of the difference map saturates at 0.5
  for (size_t i = 0; i < diff.size(); ++i) {
    for (size_t j = 0; j < diff.size(); ++j) {
      diff[i][j] = std::abs(dt[i][j] - ds[i][j]);
      shown[i][j] = std::min(1.0, 2 * diff[i][j]);
    }
  }
  const int cell = names.size() > 30 ? 9 : names.size() > 20 ? 13 : names.size() > 12 ? 18 : 24;
  o += "<div class=\"heat\">";
  o += "<div class=\"panel\"><h3>real train</h3>" + heatmap(names, dt, true, cell) + "</div>";
  o += "<div class=\"panel\"><h3>" + escape(syn) + "</h3>" + heatmap(names, ds, true, cell) +
       "</div>";
  o += fmt::format("<div class=\"panel\"><h3>|difference| (mean {})</h3>",
                   f3(f["pairwise"]["error"]["synthetic"])) +
       heatmap(names, shown, false, cell, &diff) + "</div></div>";
  if (f.contains("detection")) {
    const auto& d = f["detection"];
    o += "<h2>Fidelity: detection</h2>";
    o += "<div class=\"reading\">" + escape(read_detection(num(d["roc_auc"]))) + "</div>";
    o += fmt::format(
        "<p class=\"note\">{} with {}-fold cross-validation on {} real train rows and "
        "{} synthetic rows (seeded subsamples); ROC-AUC of the out-of-fold "
        "predictions. A synthetic row identical to a sampled real row is kept in the "
        "same fold as it ({} such pairs).</p>",
        escape(d["classifier"].get<std::string>()), d["folds"].get<int>(),
        d["rows"]["real"].get<size_t>(), d["rows"]["synthetic"].get<size_t>(),
        d.value("copied_pairs", size_t{0}));
  }
  return o;
}

// Summary cards of a synthetic table.
std::string synthetic_cards(const nlohmann::json& r, double best_tstr, double best_trtr) {
  const auto& f = r["fidelity"];
  const auto& p = r["privacy"];
  std::string o;
  double majority = num(r["utility"]["majority_class_rate"]);
  double det = f.contains("detection") ? num(f["detection"]["roc_auc"])
                                       : std::numeric_limits<double>::quiet_NaN();
  o += card("Best TSTR accuracy (TRTR)",
            fmt::format("{:.3f} <small>({:.3f})</small>", best_tstr, best_trtr),
            read_utility(best_tstr, best_trtr, majority));
  o += card("Mean column distance",
            fmt::format("{} <small>(test {})</small>", f3(f["mean_column_distance"]["synthetic"]),
                        f3(f["mean_column_distance"]["test"])),
            "Average per-column distance to real train (total variation or Kolmogorov-Smirnov; "
            "0 = identical). Real test rows give the level expected from sampling alone.");
  o += card("Pairwise dependence error",
            fmt::format("{} <small>(test {})</small>", f3(f["pairwise"]["error"]["synthetic"]),
                        f3(f["pairwise"]["error"]["test"])),
            "Mean absolute difference of Cramér's V / Pearson / correlation ratio over all column "
            "pairs. High values mean relations between columns are lost or invented.");
  o += card("Detection ROC-AUC", std::isnan(det) ? "&ndash;" : fmt::format("{:.3f}", det),
            read_detection(det));
  o += card(
      "Exact copies",
      fmt::format("{:.2f}% <small>(test {:.2f}%)</small>",
                  100 * num(p["exact_copy_rate"]["synthetic"]),
                  100 * num(p["exact_copy_rate"]["test"])),
      read_exact_copies(num(p["exact_copy_rate"]["synthetic"]), num(p["exact_copy_rate"]["test"])));
  o += card("Closest-record distance (median)",
            fmt::format("{} <small>(test {})</small>", f3(p["dcr"]["synthetic"]["median"]),
                        f3(p["dcr"]["test"]["median"])),
            read_dcr(num(p["dcr"]["synthetic"]["median"]), num(p["dcr"]["test"]["median"]),
                     num(p["dcr"]["synthetic"]["p05"]), num(p["dcr"]["test"]["p05"])));
  return o;
}

}  // namespace

std::string render_html(const nlohmann::json& r, const ReportText& text) {
  if (!r.is_object() || r.value("format", "") != "meg-evaluation" ||
      !(r.contains("utility") || r.contains("lift"))) {
    throw InvalidArgument("report: input is not a meg evaluation result");
  }
  const std::string& syn = text.synthetic_label;
  const auto& in = r["inputs"];
  const bool has_syn = r.contains("utility"), has_lift = r.contains("lift");
  double best_tstr = -1, best_trtr = -1;
  std::string util = has_syn ? utility_section(r["utility"], syn, &best_tstr, &best_trtr) : "";
  LiftHeadline best;
  std::string lift =
      has_lift ? lift_section(r["lift"], in["augmented"]["path"].get<std::string>(), &best) : "";

  std::string o =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  o += "<title>" + escape(text.title) + "</title><style>" + kCss + "</style></head><body><main>";
  o += "<h1>" + escape(text.title) + "</h1><div class=\"meta\">";
  if (has_syn) {
    o += fmt::format("{} <b>{}</b> ({} rows); ", escape(syn),
                     escape(in["synthetic"]["path"].get<std::string>()),
                     in["synthetic"]["rows"].get<size_t>());
  }
  if (has_lift) {
    o += fmt::format("augmented (real train + synthetic) <b>{}</b> ({} rows); ",
                     escape(in["augmented"]["path"].get<std::string>()),
                     in["augmented"]["rows"].get<size_t>());
  }
  o += fmt::format(
      "real train <b>{}</b> ({} rows), real test <b>{}</b> ({} rows); target "
      "<b>{}</b>.</div>",
      escape(in["train"]["path"].get<std::string>()), in["train"]["rows"].get<size_t>(),
      escape(in["test"]["path"].get<std::string>()), in["test"]["rows"].get<size_t>(),
      escape(in["target"].get<std::string>()));

  o += "<h2>Summary</h2><div class=\"cards\">";
  if (has_syn) o += synthetic_cards(r, best_tstr, best_trtr);
  if (has_lift) {
    o += card("Best macro-F1, real (augmented)",
              fmt::format("{:.3f} <small>({:.3f})</small>", best.real_f1, best.augmented_f1),
              read_lift(best.real_name, best.real_f1, best.augmented_name, best.augmented_f1));
  }
  o += "</div>";
  o += util + lift;
  if (has_syn) {
    o += fidelity_sections(r["fidelity"], syn);
    o += privacy_section(r["privacy"], syn);
  }

  const auto& s = r["settings"];
  o += "<h2>Method</h2><p class=\"note\">Every table is read with the schema of the real train "
       "table; categorical levels come from real train (levels it lacks count as "
       "&ldquo;unseen&rdquo;, missing values as their own level). Classifiers see one-hot "
       "categorical columns and standardised numeric columns (missing: mean-imputed plus an "
       "indicator). ";
  o += fmt::format(
      "Logistic regression: multinomial, L2 (C = {}), L-BFGS. Random forest: "
      "XGBoost, {} trees of depth &le; {}, row subsample 0.632, &radic;p features per "
      "split. Boosted trees: XGBoost, {} rounds of depth {}, learning rate {}. Seed "
      "{}. Evaluation took {:.1f} s.</p>",
      s["lr_c"].get<double>(), s["rf_trees"].get<int>(), s["rf_max_depth"].get<int>(),
      s["gbt_rounds"].get<int>(), s["gbt_max_depth"].get<int>(), s["gbt_eta"].get<double>(),
      s["seed"].get<uint64_t>(), r["seconds"]["total"].get<double>());
  o += "</main></body></html>\n";
  return o;
}

}  // namespace meg::report
