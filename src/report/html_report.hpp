// The HTML report of an evaluation result: one self-contained page with inline
// CSS and inline SVG (no scripts, no fonts or images from the network).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace meg::report {

struct ReportText {
  std::string title = "Synthetic data report";
  std::string synthetic_label = "synthetic";
};

// `result` is the JSON of eval::evaluate_tables (format "meg-evaluation").
// Throws InvalidArgument when it is not such a result.
std::string render_html(const nlohmann::json& result, const ReportText& text = {});

// Plain-language readings of the headline figures (also used in the page).
std::string read_detection(double auc);
std::string read_exact_copies(double synthetic_rate, double test_rate);
std::string read_dcr(double synthetic_median, double test_median, double synthetic_p05,
                     double test_p05);
std::string read_utility(double tstr, double trtr, double majority);
// Best macro-F1 over the classifiers trained on real train (`real_name`) and on
// the augmented table (`augmented_name`).
std::string read_lift(const std::string& real_name, double real_f1,
                      const std::string& augmented_name, double augmented_f1);

}  // namespace meg::report
