// Plain-language readings of the headline figures. Thresholds are rules of
// thumb for a reader, stated in the text itself, not statistical tests.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/html_report.hpp"

namespace meg::report {

std::string read_detection(double auc) {
  if (std::isnan(auc)) return "Detection was not computed.";
  std::string s = fmt::format(
      "A classifier trained to tell real train rows from synthetic rows "
      "reaches ROC-AUC {:.3f} (0.5 = it cannot tell them apart, 1 = it "
      "always can). ",
      auc);
  if (auc < 0.45) {
    return s +
           "Below 0.5: the classifier is systematically wrong, which happens when synthetic "
           "rows copy real rows exactly; check the privacy figures.";
  }
  if (auc <= 0.6) return s + "The synthetic rows are hard to tell apart from real ones.";
  if (auc <= 0.8) {
    return s +
           "The synthetic rows are partly distinguishable: some patterns of the real data are "
           "not reproduced.";
  }
  return s +
         "The synthetic rows are easy to tell apart from real ones: look at the columns and "
         "pairs with the largest distances below.";
}

std::string read_exact_copies(double syn, double test) {
  std::string s = fmt::format(
      "{:.2f}% of synthetic rows are exact copies of a real train row; "
      "for real test rows (genuinely new people or records) the share "
      "is {:.2f}%. ",
      100 * syn, 100 * test);
  if (syn <= test + 0.005) {
    return s +
           "The synthetic table copies no more train rows than new real data would by "
           "coincidence.";
  }
  if (syn >= 0.5) {
    return s + "Most synthetic rows are copies of train rows: this table leaks the training data.";
  }
  return s +
         "The synthetic table copies more train rows than chance explains: those rows could "
         "reveal real records.";
}

std::string read_dcr(double syn_median, double test_median, double syn_p05, double test_p05) {
  std::string s = fmt::format(
      "The median distance from a synthetic row to its closest train row "
      "is {:.3f}, against {:.3f} for real test rows (5th percentile: "
      "{:.3f} vs {:.3f}). ",
      syn_median, test_median, syn_p05, test_p05);
  if (!(test_median > 0)) {
    return s + "The real test rows themselves sit on train rows, so distances cannot be compared.";
  }
  double ratio = syn_median / test_median;
  if (ratio >= 0.9) {
    return s +
           "Synthetic rows are about as far from the train rows as new real rows are: no sign "
           "that the generator memorised individual records.";
  }
  if (ratio >= 0.5) {
    return s +
           "Synthetic rows sit somewhat closer to train rows than new real rows do: a mild sign "
           "of memorisation.";
  }
  return s +
         "Synthetic rows sit much closer to train rows than new real rows do: the generator "
         "reproduces individual records, a privacy risk.";
}

std::string read_utility(double tstr, double trtr, double majority) {
  std::string s = fmt::format(
      "Trained on synthetic rows, the best classifier reaches accuracy "
      "{:.3f} on real test rows, against {:.3f} when trained on the real "
      "train rows; always predicting the most frequent class gives "
      "{:.3f}. ",
      tstr, trtr, majority);
  if (tstr <= majority + 0.005) {
    return s + "The synthetic table teaches nothing beyond the class shares.";
  }
  double kept = (tstr - majority) / std::max(trtr - majority, 1e-9);
  return s + fmt::format(
                 "The synthetic table keeps {:.0f}% of the real table's gain over that "
                 "baseline.",
                 100 * std::min(kept, 9.99));
}

std::string read_regression_utility(double tstr, double trtr) {
  if (!std::isfinite(tstr) || !std::isfinite(trtr)) return "The utility was not computed.";
  std::string s = fmt::format(
      "Trained on synthetic rows, the best regressor reaches R\u00b2 {:.3f} on real test rows, "
      "against {:.3f} when trained on the real train rows (1 = perfect, 0 = no better than "
      "predicting the mean). ",
      tstr, trtr);
  if (tstr <= 0.005) return s + "The synthetic table teaches nothing about the target.";
  if (trtr - tstr <= 0.05) return s + "The synthetic table predicts the target about as well.";
  return s + fmt::format("The synthetic table loses {:.3f} of R\u00b2.", trtr - tstr);
}

std::string read_lift(const std::string& real_name, double real_score,
                      const std::string& augmented_name, double augmented_score,
                      const std::string& metric) {
  if (!std::isfinite(real_score) || !std::isfinite(augmented_score)) {
    return "The lift was not computed.";
  }
  std::string s = fmt::format(
      "Trained on real train plus synthetic rows, the best model "
      "({}) reaches {} {:.3f} on real test rows, against {:.3f} "
      "({}) trained on the real train rows alone. ",
      augmented_name, metric, augmented_score, real_score, real_name);
  const double lift = augmented_score - real_score;
  if (lift > 0.005) {
    return s + fmt::format("The added rows improve the best model by {:.3f}.", lift);
  }
  if (lift < -0.005) {
    return s + fmt::format("The added rows make the best model worse by {:.3f}.", -lift);
  }
  return s + "The added rows change the best model very little.";
}

std::string read_attacks(const std::vector<AttackResult>& attacks) {
  const AttackResult* worst = nullptr;
  for (const AttackResult& a : attacks) {
    if (std::isfinite(a.roc_auc) && (!worst || a.roc_auc > worst->roc_auc)) worst = &a;
  }
  if (!worst) return "No membership-inference attack could be run (too few real rows).";
  std::string s = fmt::format(
      "The strongest membership-inference attack ({}) tells real train rows from real test "
      "rows with ROC-AUC {:.3f} and finds {:.1f}% of the members at a 1% false-positive "
      "rate. ",
      worst->name, worst->roc_auc, 100 * worst->tpr_at_1pct_fpr);
  if (worst->roc_auc <= 0.55 && !(worst->tpr_at_1pct_fpr > 0.05)) {
    return s + "The synthetic table gives an attacker little to go on.";
  }
  if (worst->roc_auc <= 0.65) {
    return s + "Membership leaks a little: some training rows are recognisable.";
  }
  return s + "Membership leaks: the synthetic table reveals which people were in the data.";
}

}  // namespace meg::report
