// Terminal rendering of an evaluation result (fixed-width tables).
#include "report/text_report.hpp"

#include <string>

#include <fmt/format.h>

#include "report/format.hpp"

namespace meg::report {

namespace {

std::string f3(double v) { return format_number(v, 3, "  -  "); }
std::string signed3(double v) { return format_number(v, 3, "  -  ", true); }
// An error in the target's own unit.
std::string g6(double v, bool sign = false) { return format_significant(v, 6, "  -  ", sign); }

// The line counting rows whose target is missing or a class train never had (none: empty).
std::string dropped_rows(const EvaluationTarget& t, const char* other) {
  const EvaluationRows& d = t.rows_dropped;
  if (d.train + d.test + d.other == 0) return "";
  return fmt::format("  rows without a known target {}, not scored: train {}, test {}, {} {}\n",
                     t.task == EvaluationTask::Regression ? "value" : "class", d.train, d.test,
                     other, d.other);
}

std::string unavailable(const std::string& name) {
  return fmt::format("  {:<20} unavailable (meg built without XGBoost)\n", name);
}

std::string classification_utility(const UtilityResult& u) {
  std::string s = fmt::format("Utility (scored on real test; majority-class rate {} = '{}')\n",
                              f3(u.majority_class_rate), u.majority_class);
  const bool binary = u.classes.size() == 2;
  s += fmt::format("  {:<20} {:>9} {:>9} {:>9} {:>9}{}\n", "classifier", "TRTR acc", "TSTR acc",
                   "TRTR F1", "TSTR F1", binary ? "   TRTR AUC  TSTR AUC" : "");
  for (const UtilityModel& m : u.models) {
    if (!m.available) {
      s += unavailable(m.name);
      continue;
    }
    s += fmt::format("  {:<20} {:>9} {:>9} {:>9} {:>9}", m.name, f3(m.trtr.accuracy),
                     f3(m.tstr.accuracy), f3(m.trtr.macro_f1), f3(m.tstr.macro_f1));
    if (binary) s += fmt::format("  {:>9} {:>9}", f3(m.trtr.roc_auc), f3(m.tstr.roc_auc));
    s += "\n";
  }
  return s;
}

std::string regression_utility(const UtilityResult& u) {
  std::string s = fmt::format(
      "Utility (regression of '{}', scored on real test; predicting the train mean: R2 {}, "
      "MAE {})\n",
      u.target, f3(u.mean_predictor.r2), g6(u.mean_predictor.mae));
  s += fmt::format("  {:<20} {:>9} {:>9} {:>12} {:>12}\n", "regressor", "TRTR R2", "TSTR R2",
                   "TRTR MAE", "TSTR MAE");
  for (const UtilityModel& m : u.models) {
    if (!m.available) {
      s += unavailable(m.name);
      continue;
    }
    s += fmt::format("  {:<20} {:>9} {:>9} {:>12} {:>12}\n", m.name, f3(m.trtr.r2), f3(m.tstr.r2),
                     g6(m.trtr.mae), g6(m.tstr.mae));
  }
  return s;
}

std::string attack_lines(const std::vector<AttackResult>& attacks) {
  if (attacks.empty()) return "";
  std::string s = fmt::format(
      "  membership inference ({} real train rows as members, {} real test rows as "
      "non-members)\n",
      attacks[0].members, attacks[0].non_members);
  s += fmt::format("  {:<34} {:>10} {:>10}\n", "attack", "ROC-AUC", "TPR@1%FPR");
  for (const AttackResult& a : attacks) {
    s += fmt::format("  {:<34} {:>10} {:>10}\n", a.name, f3(a.roc_auc), f3(a.tpr_at_1pct_fpr));
  }
  s += "  (0.5 = the attacker does no better than a coin; TPR@1%FPR near 0.01 likewise)\n";
  return s;
}

// Utility, fidelity and privacy of a synthetic table.
std::string synthetic_sections(const EvaluationResult& r) {
  const UtilityResult& u = *r.utility;
  std::string s =
      u.task == EvaluationTask::Regression ? regression_utility(u) : classification_utility(u);
  s += dropped_rows(u, "synthetic");

  const FidelityResult& f = *r.fidelity;
  s += "\nFidelity (distance to real train; lower is better; real test shown for reference)\n";
  s += fmt::format("  {:<24} {:>6} {:>10} {:>10}\n", "column", "metric", "synthetic", "real test");
  for (const ColumnFidelity& c : f.columns) {
    s += fmt::format("  {:<24} {:>6} {:>10} {:>10}\n", c.name, c.metric, f3(c.synthetic),
                     f3(c.test));
  }
  s += fmt::format("  {:<24} {:>6} {:>10} {:>10}\n", "mean column distance", "",
                   f3(f.mean_distance_synthetic), f3(f.mean_distance_test));
  s += fmt::format("  {:<24} {:>6} {:>10} {:>10}\n", "pairwise dependence err", "",
                   f3(f.pairwise_error_synthetic), f3(f.pairwise_error_test));
  if (f.detection) {
    const DetectionResult& d = *f.detection;
    s += fmt::format(
        "  detection ROC-AUC {} ({}, {}-fold CV on {} real + {} synthetic rows; "
        "0.5 = indistinguishable)\n",
        f3(d.roc_auc), d.classifier, d.folds, d.rows_real, d.rows_synthetic);
  }

  const PrivacyResult& p = *r.privacy;
  s += "\nPrivacy (synthetic vs. real test, both measured against real train)\n";
  s += fmt::format("  {:<34} {:>10} {:>10}\n", "", "synthetic", "real test");
  s += fmt::format("  {:<34} {:>10} {:>10}\n", "exact copies of a train row",
                   f3(p.exact_copy_synthetic), f3(p.exact_copy_test));
  s += fmt::format("  {:<34} {:>10} {:>10}\n", "distance to closest record, median",
                   f3(p.dcr_synthetic.median), f3(p.dcr_test.median));
  s += fmt::format("  {:<34} {:>10} {:>10}\n", "distance to closest record, 5th pct",
                   f3(p.dcr_synthetic.p05), f3(p.dcr_test.p05));
  s += attack_lines(p.attacks);
  return s;
}

std::string lift_section(const LiftResult& l, const std::string& path) {
  std::string s = fmt::format(
      "Lift (trained on real train vs on augmented {}; scored on real test; "
      "lift = augmented - real)\n",
      path);
  if (l.task == EvaluationTask::Regression) {
    s += fmt::format("  rows: real train {}, augmented {}, real test {}\n", l.rows.train,
                     l.rows.other, l.rows.test);
  } else {
    s += fmt::format("  {:<24} {:>10} {:>10} {:>10}\n", "rows of class", "real train", "augmented",
                     "real test");
    for (size_t c = 0; c < l.classes.size(); ++c) {
      s += fmt::format("  {:<24.24} {:>10} {:>10} {:>10}\n", l.classes[c], l.class_rows_train[c],
                       l.class_rows_augmented[c], l.class_rows_test[c]);
    }
    s += fmt::format("  {:<24} {:>10} {:>10} {:>10}\n", "all", l.rows.train, l.rows.other,
                     l.rows.test);
  }
  s += dropped_rows(l, "augmented");
  const uint64_t train_rows = l.rows.train + l.rows_dropped.train;
  if (l.real_rows_included < train_rows) {
    s += fmt::format("  note: the augmented table holds only {} of the {} real train rows\n",
                     l.real_rows_included, train_rows);
  }
  if (l.task == EvaluationTask::Regression) {
    s += fmt::format("  {:<20} {:>9} {:>9} {:>9} {:>12} {:>12} {:>12}\n", "regressor", "real R2",
                     "aug R2", "R2 lift", "real MAE", "aug MAE", "MAE lift");
    for (const LiftModel& m : l.models) {
      if (!m.available) {
        s += unavailable(m.name);
        continue;
      }
      s += fmt::format("  {:<20} {:>9} {:>9} {:>9} {:>12} {:>12} {:>12}\n", m.name, f3(m.real.r2),
                       f3(m.augmented.r2), signed3(m.difference.r2), g6(m.real.mae),
                       g6(m.augmented.mae), g6(m.difference.mae, true));
    }
    return s;
  }
  s += fmt::format("  {:<20} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "classifier", "real acc",
                   "aug acc", "acc lift", "real F1", "aug F1", "F1 lift");
  std::string per_class;
  for (const LiftModel& m : l.models) {
    if (!m.available) {
      s += unavailable(m.name);
      continue;
    }
    const EvaluationScore &real = m.real, &aug = m.augmented, &diff = m.difference;
    s += fmt::format("  {:<20} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", m.name, f3(real.accuracy),
                     f3(aug.accuracy), signed3(diff.accuracy), f3(real.macro_f1), f3(aug.macro_f1),
                     signed3(diff.macro_f1));
    per_class += fmt::format("  {}\n", m.name);
    for (size_t k = 0; k < l.classes.size(); ++k) {
      per_class += fmt::format("    {:<22.22}", l.classes[k]);
      per_class += fmt::format("  {:>5} -> {:<5}", f3(real.precision[k]), f3(aug.precision[k]));
      per_class += fmt::format("  {:>5} -> {:<5}", f3(real.recall[k]), f3(aug.recall[k]));
      per_class += fmt::format("  {:>5} -> {:<5}", f3(real.f1[k]), f3(aug.f1[k]));
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

std::string format_text(const EvaluationResult& r) {
  validate(r);
  const bool has_syn = r.synthetic.has_value();
  const EvaluationTable& evaluated = has_syn ? *r.synthetic : *r.augmented;
  std::string s = fmt::format("meg evaluate: {} {} ({} rows)\n",
                              has_syn ? "synthetic" : "augmented", evaluated.path, evaluated.rows);
  s += fmt::format("  real train {} ({} rows), real test {} ({} rows), target '{}'\n", r.train.path,
                   r.train.rows, r.test.path, r.test.rows, r.target);
  std::string ids;
  for (const EvaluationColumn& c : r.columns) {
    if (c.use == "id") ids += (ids.empty() ? "'" : ", '") + c.name + "'";
  }
  if (!ids.empty()) {
    s += fmt::format("  left out as identifiers (about one value per row): {}\n", ids);
  }
  s += "\n";
  if (r.utility) s += synthetic_sections(r);
  if (r.lift) {
    if (r.utility) s += "\n";
    s += lift_section(*r.lift, r.augmented->path);
  }
  const auto total = r.seconds.find("total");
  s += fmt::format("\nTime {:.1f} s\n", total == r.seconds.end() ? 0.0 : total->second);
  return s;
}

}  // namespace meg::report
