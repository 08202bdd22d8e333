// The HTML report of an evaluation result: one self-contained page with inline
// CSS and inline SVG (no scripts, no fonts or images from the network).
#pragma once
#include <string>

#include <vector>

#include "meg/evaluation_result.hpp"

namespace meg::report {

struct ReportText {
  std::string title = "Synthetic data report";
  std::string synthetic_label = "synthetic";
};

// Throws InvalidArgument when the result's parts disagree (validate()).
std::string render_html(const EvaluationResult& result, const ReportText& text = {});

// Plain-language readings of the headline figures (also used in the page).
std::string read_detection(double auc);
std::string read_exact_copies(double synthetic_rate, double test_rate);
std::string read_dcr(double synthetic_median, double test_median, double synthetic_p05,
                     double test_p05);
std::string read_utility(double tstr, double trtr, double majority);
std::string read_regression_utility(double tstr_r2, double trtr_r2);
// Best score (`metric`: macro-F1, or R² for a regression) over the models
// trained on real train (`real_name`) and on the augmented table
// (`augmented_name`).
std::string read_lift(const std::string& real_name, double real_score,
                      const std::string& augmented_name, double augmented_score,
                      const std::string& metric = "macro-F1");
// The strongest of the membership-inference attacks.
std::string read_attacks(const std::vector<AttackResult>& attacks);

}  // namespace meg::report
