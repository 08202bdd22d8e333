// The sections of the HTML report, one per part of an evaluation result.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/format.hpp"
#include "report/html_parts.hpp"
#include "report/html_report.hpp"
#include "report/svg.hpp"

namespace meg::report::html {

namespace {

std::string column_panels(const FidelityResult& f, const std::string& syn_label) {
  std::string o = "<div class=\"grid\">";
  for (const ColumnFidelity& c : f.columns) {
    const ColumnChart& ch = c.chart;
    const std::string metric = c.metric == "tv" ? "total variation" : "Kolmogorov-Smirnov";
    o += fmt::format("<div class=\"panel\"><h3>{}</h3><div class=\"d\">{} {} (real test: {})",
                     escape(c.name), metric, f3(c.synthetic), f3(c.test));
    std::vector<Series> series;
    for (size_t s = 0; s < 2; ++s) {
      series.push_back({s == 0 ? "real train" : syn_label, s == 0 ? kReal : kSyn, ch.shares[s]});
    }
    if (ch.type == "bars") {
      o += "</div>";
      o += bar_chart(ch.labels, series, 360);
    } else {
      const double m0 = ch.missing[0], m1 = ch.missing[1];
      if (m0 > 0 || m1 > 0) {
        o += fmt::format("; missing: real {}%, {} {}%", format_number(100 * m0, 1, "&ndash;"),
                         escape(syn_label), format_number(100 * m1, 1, "&ndash;"));
      }
      o += "</div>";
      o += histogram(ch.min, ch.max, series, 360, 150);
    }
    o += "</div>";
  }
  return o + "</div>";
}

std::string attacks_table(const std::vector<AttackResult>& attacks, const std::string& syn_label) {
  if (attacks.empty()) return "";
  std::string o = "<h3 style=\"margin-top:16px\">Membership-inference attacks</h3>";
  o += fmt::format(
      "<table><tr><th>attack</th><th>scores a candidate by</th><th>ROC-AUC</th>"
      "<th>TPR at 1% FPR</th><th>members / non-members</th><th>reference rows</th></tr>");
  for (const AttackResult& a : attacks) {
    o += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} / {}</td><td>{}</td></tr>",
        escape(a.name), escape(a.model), f3(a.roc_auc), f3(a.tpr_at_1pct_fpr), a.members,
        a.non_members, a.reference_rows);
  }
  o += "</table>";
  o += "<div class=\"reading\">" + escape(read_attacks(attacks)) + "</div>";
  o += fmt::format(
      "<p class=\"note\">An attacker holds the {} table and wants to know whether a real person "
      "was in the data it was generated from. Candidates: real train rows (members) and as many "
      "real test rows (non-members). <b>distance</b>: a candidate close to a synthetic row is "
      "called a member. <b>density_ratio</b>: how much denser the synthetic rows are around the "
      "candidate than the attacker's sample of the population (the remaining real test rows), "
      "from the distance to the nearest row of each; a generator that memorises puts such "
      "peaks on its training rows, in sparse regions too. ROC-AUC 0.5 and a "
      "true-positive rate of 1% at 1% false positives mean the attack learns nothing.</p>",
      escape(syn_label));
  return o;
}

}  // namespace

std::string privacy_section(const PrivacyResult& p, const std::string& syn_label) {
  std::string o = "<h2>Privacy</h2>";
  o += fmt::format(
      "<table><tr><th></th><th>{}</th><th>real test (reference)</th></tr>"
      "<tr><td>exact copies of a train row</td><td>{}</td><td>{}</td></tr>"
      "<tr><td>distance to closest train record, median</td><td>{}</td><td>{}</td>"
      "</tr><tr><td>distance to closest train record, 5th percentile</td><td>{}</td>"
      "<td>{}</td></tr><tr><td>rows measured (seeded subsample)</td><td>{}</td>"
      "<td>{}</td></tr></table>",
      escape(syn_label), percent(p.exact_copy_synthetic), percent(p.exact_copy_test),
      f3(p.dcr_synthetic.median), f3(p.dcr_test.median), f3(p.dcr_synthetic.p05),
      f3(p.dcr_test.p05), p.dcr_synthetic.queries, p.dcr_test.queries);
  o += "<div class=\"reading\">" +
       escape(read_exact_copies(p.exact_copy_synthetic, p.exact_copy_test)) + "</div>";
  o += "<div class=\"reading\">" +
       escape(read_dcr(p.dcr_synthetic.median, p.dcr_test.median, p.dcr_synthetic.p05,
                       p.dcr_test.p05)) +
       "</div>";
  o += "<p class=\"note\">Distance to closest record: Euclidean distance to the nearest real train "
       "row, where a categorical mismatch counts 1, a numeric difference is divided by the "
       "column's train range, and missing against present counts 1. Real test rows are new real "
       "rows, so their distances show what &ldquo;not copied&rdquo; looks like.</p>";
  return o + attacks_table(p.attacks, syn_label);
}

std::string classification_utility(const UtilityResult& u, const std::string& syn_label,
                                   UtilityHeadline* best) {
  std::string o = "<h2>Utility: train on synthetic, test on real (TSTR)</h2>";
  const bool binary = u.classes.size() == 2;
  o += "<table><tr><th>classifier</th><th>TRTR accuracy</th><th>TSTR accuracy</th>"
       "<th>TRTR macro-F1</th><th>TSTR macro-F1</th>";
  if (binary) o += "<th>TRTR ROC-AUC</th><th>TSTR ROC-AUC</th>";
  o += "</tr>";
  std::vector<std::string> groups;
  Series trtr{"trained on real train", kReal, {}}, tstr{"trained on " + syn_label, kSyn, {}};
  for (const UtilityModel& m : u.models) {
    if (!m.available) {
      o += unavailable_row(m.name, binary ? 6 : 4);
      continue;
    }
    o += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>", escape(m.name),
                     f3(m.trtr.accuracy), f3(m.tstr.accuracy), f3(m.trtr.macro_f1),
                     f3(m.tstr.macro_f1));
    if (binary) o += fmt::format("<td>{}</td><td>{}</td>", f3(m.trtr.roc_auc), f3(m.tstr.roc_auc));
    o += "</tr>";
    groups.push_back(m.name);
    trtr.values.push_back(m.trtr.accuracy);
    tstr.values.push_back(m.tstr.accuracy);
    if (!(m.tstr.accuracy <= best->tstr)) *best = {m.tstr.accuracy, m.trtr.accuracy};
  }
  o += "</table>";
  o += fmt::format(
      "<p class=\"note\">Target <b>{}</b> with {} classes; scores on {} real test "
      "rows. Majority-class rate (always predicting <b>{}</b>): {}.</p>",
      escape(u.target), u.classes.size(), u.rows.test, escape(u.majority_class),
      f3(u.majority_class_rate));
  o += "<div class=\"panel\" style=\"display:inline-block\"><h3>Accuracy on real test</h3>" +
       legend(syn_label, false) +
       score_columns(groups, {trtr, tstr}, u.majority_class_rate, "majority-class rate", 560, 240) +
       "</div>";
  return o;
}

std::string regression_utility(const UtilityResult& u, const std::string& syn_label,
                               UtilityHeadline* best) {
  std::string o = "<h2>Utility: train on synthetic, test on real (TSTR), regression</h2>";
  o += "<table><tr><th>regressor</th><th>TRTR R&sup2;</th><th>TSTR R&sup2;</th>"
       "<th>TRTR MAE</th><th>TSTR MAE</th><th>TRTR RMSE</th><th>TSTR RMSE</th></tr>";
  std::vector<std::string> groups;
  Series trtr{"trained on real train", kReal, {}}, tstr{"trained on " + syn_label, kSyn, {}};
  for (const UtilityModel& m : u.models) {
    if (!m.available) {
      o += unavailable_row(m.name, 6);
      continue;
    }
    o += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        escape(m.name), f3(m.trtr.r2), f3(m.tstr.r2), short_number(m.trtr.mae),
        short_number(m.tstr.mae), short_number(m.trtr.rmse), short_number(m.tstr.rmse));
    groups.push_back(m.name);
    trtr.values.push_back(std::max(0.0, m.trtr.r2));
    tstr.values.push_back(std::max(0.0, m.tstr.r2));
    if (!(m.tstr.r2 <= best->tstr)) *best = {m.tstr.r2, m.trtr.r2};
  }
  o += "</table>";
  o += fmt::format(
      "<p class=\"note\">Target <b>{}</b> (numeric); scores on {} real test rows. R&sup2; = 1 "
      "&minus; squared error / variance of the test target (1 = perfect, 0 = no better than "
      "its mean); always predicting the train mean gives R&sup2; {} and MAE {}.</p>",
      escape(u.target), u.rows.test, f3(u.mean_predictor.r2), short_number(u.mean_predictor.mae));
  o += "<div class=\"panel\" style=\"display:inline-block\"><h3>R&sup2; on real test (below 0 "
       "shown as 0)</h3>" +
       legend(syn_label, false) + score_columns(groups, {trtr, tstr}, -1, "", 560, 240) + "</div>";
  return o;
}

std::string lift_section(const LiftResult& l, const std::string& aug_path, LiftHeadline* best) {
  const bool regression = l.task == EvaluationTask::Regression;
  std::string o = "<h2>Lift: train on real + synthetic rows, test on real</h2>";
  o += fmt::format(
      "<p class=\"note\">Each model is trained once on the real train rows and "
      "once on the augmented table <b>{}</b> (real train rows plus synthetic rows), "
      "with the same settings and seed, and both are scored on the real test rows. "
      "Lift = augmented &minus; real.</p>",
      escape(aug_path));
  if (!regression) {
    o += "<table><tr><th>rows of class</th><th>real train</th><th>augmented</th>"
         "<th>real test</th></tr>";
    for (size_t c = 0; c < l.classes.size(); ++c) {
      o +=
          fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", escape(l.classes[c]),
                      l.class_rows_train[c], l.class_rows_augmented[c], l.class_rows_test[c]);
    }
    o += fmt::format("<tr><td>all</td><td>{}</td><td>{}</td><td>{}</td></tr></table>", l.rows.train,
                     l.rows.other, l.rows.test);
  }
  const uint64_t train_rows = l.rows.train + l.rows_dropped.train;
  if (l.real_rows_included < train_rows) {
    o += fmt::format(
        "<p class=\"note\"><b>Note:</b> the augmented table holds only {} of the {} "
        "real train rows.</p>",
        l.real_rows_included, train_rows);
  }
  if (regression) {
    o += "<table><tr><th>regressor</th><th>real R&sup2;</th><th>augmented R&sup2;</th>"
         "<th>R&sup2; lift</th><th>real MAE</th><th>augmented MAE</th></tr>";
  } else {
    o += "<table><tr><th>classifier</th><th>real accuracy</th><th>augmented accuracy</th>"
         "<th>accuracy lift</th><th>real macro-F1</th><th>augmented macro-F1</th>"
         "<th>macro-F1 lift</th></tr>";
  }
  std::string per_class =
      "<table><tr><th>classifier</th><th>class</th><th>real precision</th>"
      "<th>augmented precision</th><th>real recall</th>"
      "<th>augmented recall</th><th>real F1</th><th>augmented F1</th></tr>";
  std::vector<std::string> groups;
  Series real_s{"trained on real train", kReal, {}}, aug_s{"trained on augmented", kAug, {}};
  for (const LiftModel& m : l.models) {
    if (!m.available) {
      o += unavailable_row(m.name, regression ? 5 : 6);
      continue;
    }
    const EvaluationScore &real = m.real, &aug = m.augmented, &diff = m.difference;
    const double real_v = regression ? real.r2 : real.macro_f1;
    const double aug_v = regression ? aug.r2 : aug.macro_f1;
    if (regression) {
      o +=
          fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                      escape(m.name), f3(real.r2), f3(aug.r2), signed3(diff.r2),
                      short_number(real.mae), short_number(aug.mae));
    } else {
      o += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
          "<td>{}</td></tr>",
          escape(m.name), f3(real.accuracy), f3(aug.accuracy), signed3(diff.accuracy),
          f3(real.macro_f1), f3(aug.macro_f1), signed3(diff.macro_f1));
      for (size_t k = 0; k < l.classes.size(); ++k) {
        per_class += fmt::format("<tr><td>{}</td><td>{}</td>", k == 0 ? escape(m.name) : "",
                                 escape(l.classes[k]));
        per_class +=
            fmt::format("<td>{}</td><td>{}</td>", f3(real.precision[k]), f3(aug.precision[k]));
        per_class += fmt::format("<td>{}</td><td>{}</td>", f3(real.recall[k]), f3(aug.recall[k]));
        per_class += fmt::format("<td>{}</td><td>{}</td>", f3(real.f1[k]), f3(aug.f1[k]));
        per_class += "</tr>";
      }
    }
    groups.push_back(m.name);
    real_s.values.push_back(regression ? std::max(0.0, real_v) : real_v);
    aug_s.values.push_back(regression ? std::max(0.0, aug_v) : aug_v);
    if (!(real_v <= best->real)) {
      best->real = real_v;
      best->real_name = m.name;
    }
    if (!(aug_v <= best->augmented)) {
      best->augmented = aug_v;
      best->augmented_name = m.name;
    }
  }
  o += "</table>";
  o += fmt::format("<div class=\"panel\" style=\"display:inline-block\"><h3>{} on real test</h3>",
                   regression ? "R&sup2;" : "Macro-F1") +
       legend("trained on augmented", false, kAug) +
       score_columns(groups, {real_s, aug_s}, -1, "", 560, 240) + "</div>";
  if (!regression) {
    o += "<h3 style=\"margin-top:16px\">Per class, on real test</h3>" + per_class + "</table>";
    o += "<p class=\"note\">&ndash;: undefined (precision of a class never predicted, recall of "
         "a class absent from the test rows).</p>";
  }
  return o;
}

std::string fidelity_sections(const FidelityResult& f, const std::string& syn) {
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
  const std::vector<std::string>& names = f.pairwise_columns;
  const DependenceMatrix &dt = f.pairwise_train, &ds = f.pairwise_synthetic;
  DependenceMatrix diff = dt;
  DependenceMatrix shown = diff;  // colour scale of the difference map saturates at 0.5
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
                   f3(f.pairwise_error_synthetic)) +
       heatmap(names, shown, false, cell, &diff) + "</div></div>";
  if (f.detection) {
    const DetectionResult& d = *f.detection;
    o += "<h2>Fidelity: detection</h2>";
    o += "<div class=\"reading\">" + escape(read_detection(d.roc_auc)) + "</div>";
    o += fmt::format(
        "<p class=\"note\">{} with {}-fold cross-validation on {} real train rows and "
        "{} synthetic rows (seeded subsamples); ROC-AUC of the out-of-fold "
        "predictions. A synthetic row identical to a sampled real row is kept in the "
        "same fold as it ({} such pairs).</p>",
        escape(d.classifier), d.folds, d.rows_real, d.rows_synthetic, d.copied_pairs);
  }
  return o;
}

}  // namespace meg::report::html
