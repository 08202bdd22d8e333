#include "report/html_report.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "meg/error.hpp"
#include "report/format.hpp"
#include "report/html_parts.hpp"
#include "report/svg.hpp"

namespace meg::report {

namespace html {

std::string f3(double v) { return format_number(v, 3, "&ndash;"); }
std::string signed3(double v) { return format_number(v, 3, "&ndash;", true); }
std::string percent(double v) { return format_number(100 * v, 2, "&ndash;") + "%"; }

std::string card(const std::string& key, const std::string& value, const std::string& text) {
  return fmt::format(
      "<div class=\"card\"><div class=\"k\">{}</div><div class=\"v\">{}</div>"
      "<p>{}</p></div>",
      escape(key), value, escape(text));
}

std::string legend(const std::string& syn_label, bool with_test, const char* color) {
  std::string s = fmt::format(
      "<div class=\"legend\"><span><i style=\"background:{}\"></i>real "
      "train</span><span><i style=\"background:{}\"></i>{}</span>",
      kReal, color, escape(syn_label));
  if (with_test) s += "<span>(real test shown in the tables only)</span>";
  return s + "</div>";
}

std::string unavailable_row(const std::string& name, int columns) {
  return fmt::format(
      "<tr><td>{}</td><td colspan=\"{}\">unavailable (meg built without XGBoost)</td></tr>",
      escape(name), columns);
}

}  // namespace html

namespace {

using namespace html;

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

// Summary cards of a synthetic table.
std::string synthetic_cards(const EvaluationResult& r, const UtilityHeadline& best) {
  const FidelityResult& f = *r.fidelity;
  const PrivacyResult& p = *r.privacy;
  const UtilityResult& u = *r.utility;
  std::string o;
  const double det = f.detection ? f.detection->roc_auc : std::numeric_limits<double>::quiet_NaN();
  if (u.task == EvaluationTask::Regression) {
    o += card("Best TSTR R\u00b2 (TRTR)",
              fmt::format("{} <small>({})</small>", f3(best.tstr), f3(best.trtr)),
              read_regression_utility(best.tstr, best.trtr));
  } else {
    o += card("Best TSTR accuracy (TRTR)",
              fmt::format("{} <small>({})</small>", f3(best.tstr), f3(best.trtr)),
              read_utility(best.tstr, best.trtr, u.majority_class_rate));
  }
  o += card("Mean column distance",
            fmt::format("{} <small>(test {})</small>", f3(f.mean_distance_synthetic),
                        f3(f.mean_distance_test)),
            "Average per-column distance to real train (total variation or Kolmogorov-Smirnov; "
            "0 = identical). Real test rows give the level expected from sampling alone.");
  o += card("Pairwise dependence error",
            fmt::format("{} <small>(test {})</small>", f3(f.pairwise_error_synthetic),
                        f3(f.pairwise_error_test)),
            "Mean absolute difference of Cramér's V / Pearson / correlation ratio over all column "
            "pairs. High values mean relations between columns are lost or invented.");
  o += card("Detection ROC-AUC", f3(det), read_detection(det));
  o += card("Exact copies",
            fmt::format("{} <small>(test {})</small>", percent(p.exact_copy_synthetic),
                        percent(p.exact_copy_test)),
            read_exact_copies(p.exact_copy_synthetic, p.exact_copy_test));
  o += card(
      "Closest-record distance (median)",
      fmt::format("{} <small>(test {})</small>", f3(p.dcr_synthetic.median), f3(p.dcr_test.median)),
      read_dcr(p.dcr_synthetic.median, p.dcr_test.median, p.dcr_synthetic.p05, p.dcr_test.p05));
  if (!p.attacks.empty()) {
    double worst = std::numeric_limits<double>::quiet_NaN();
    for (const AttackResult& a : p.attacks) {
      if (!(a.roc_auc <= worst)) worst = a.roc_auc;
    }
    o += card("Membership-inference AUC (strongest attack)", f3(worst), read_attacks(p.attacks));
  }
  return o;
}

std::string method_section(const EvaluationResult& r) {
  const EvaluationSettings& s = r.settings;
  std::string o =
      "<h2>Method</h2><p class=\"note\">Every table is read with the schema of the real train "
      "table; categorical levels come from real train (levels it lacks count as "
      "&ldquo;unseen&rdquo;, missing values as their own level). Models see one-hot "
      "categorical columns and standardised numeric columns (missing: mean-imputed plus an "
      "indicator). ";
  if (s.max_levels_per_column > 0) {
    o += fmt::format(
        "A categorical column gives at most {} one-hot features (its most frequent levels; "
        "the rest share an &ldquo;other&rdquo; feature), and all columns at most {}. ",
        s.max_levels_per_column, s.max_onehot_features);
  }
  std::string ids;
  for (const EvaluationColumn& c : r.columns) {
    if (c.use == "id") ids += (ids.empty() ? "<b>" : ", <b>") + escape(c.name) + "</b>";
  }
  if (!ids.empty()) {
    o +=
        "Left out of every measure as identifiers (about one value per row in real train): " + ids +
        ". ";
  }
  if (r.task == EvaluationTask::Regression) {
    o += fmt::format(
        "Ridge regression: least squares with L2 (&alpha; = {}), solved exactly. Random forest "
        "and boosted trees: XGBoost regressors (squared error). ",
        s.ridge_alpha);
  } else {
    o += fmt::format("Logistic regression: multinomial, L2 (C = {}), L-BFGS. ", s.lr_c);
  }
  const auto total = r.seconds.find("total");
  o += fmt::format(
      "Random forest: XGBoost, {} trees of depth &le; {}, row subsample 0.632, &radic;p features "
      "per split. Boosted trees: XGBoost, {} rounds of depth {}, learning rate {}. Seed "
      "{}. Evaluation took {:.1f} s.</p>",
      s.rf_trees, s.rf_max_depth, s.gbt_rounds, s.gbt_max_depth, s.gbt_eta, s.seed,
      total == r.seconds.end() ? 0.0 : total->second);
  return o;
}

}  // namespace

std::string render_html(const EvaluationResult& r, const ReportText& text) {
  validate(r);
  const std::string& syn = text.synthetic_label;
  const bool has_syn = r.synthetic.has_value(), has_lift = r.lift.has_value();
  UtilityHeadline best_utility;
  std::string util;
  if (has_syn) {
    util = r.utility->task == EvaluationTask::Regression
               ? regression_utility(*r.utility, syn, &best_utility)
               : classification_utility(*r.utility, syn, &best_utility);
  }
  LiftHeadline best;
  std::string lift = has_lift ? lift_section(*r.lift, r.augmented->path, &best) : "";

  std::string o =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  o += "<title>" + escape(text.title) + "</title><style>" + kCss + "</style></head><body><main>";
  o += "<h1>" + escape(text.title) + "</h1><div class=\"meta\">";
  if (has_syn) {
    o += fmt::format("{} <b>{}</b> ({} rows); ", escape(syn), escape(r.synthetic->path),
                     r.synthetic->rows);
  }
  if (has_lift) {
    o += fmt::format("augmented (real train + synthetic) <b>{}</b> ({} rows); ",
                     escape(r.augmented->path), r.augmented->rows);
  }
  o += fmt::format(
      "real train <b>{}</b> ({} rows), real test <b>{}</b> ({} rows); target "
      "<b>{}</b> ({}).</div>",
      escape(r.train.path), r.train.rows, escape(r.test.path), r.test.rows, escape(r.target),
      to_string(r.task));

  o += "<h2>Summary</h2><div class=\"cards\">";
  if (has_syn) o += synthetic_cards(r, best_utility);
  if (has_lift) {
    const bool regression = r.lift->task == EvaluationTask::Regression;
    o += card(regression ? "Best R\u00b2, real (augmented)" : "Best macro-F1, real (augmented)",
              fmt::format("{} <small>({})</small>", f3(best.real), f3(best.augmented)),
              read_lift(best.real_name, best.real, best.augmented_name, best.augmented,
                        regression ? "R\u00b2" : "macro-F1"));
  }
  o += "</div>";
  o += util + lift;
  if (has_syn) {
    o += fidelity_sections(*r.fidelity, syn);
    o += privacy_section(*r.privacy, syn);
  }
  o += method_section(r);
  o += "</main></body></html>\n";
  return o;
}

}  // namespace meg::report
