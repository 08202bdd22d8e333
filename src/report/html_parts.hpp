// Parts of the HTML report shared by its two files: html_report.cpp (the page,
// summary cards and method) and html_sections.cpp (one section per part of the
// result). Internal to the report module.
#pragma once
#include <limits>
#include <string>
#include <vector>

#include "meg/evaluation_result.hpp"

namespace meg::report::html {

constexpr const char* kReal = "#1f77b4";
constexpr const char* kSyn = "#e8710a";
constexpr const char* kAug = "#2ca02c";

std::string f3(double v);
std::string signed3(double v);
std::string percent(double v);
std::string card(const std::string& key, const std::string& value, const std::string& text);
std::string legend(const std::string& syn_label, bool with_test, const char* color = kSyn);
std::string unavailable_row(const std::string& name, int columns);

// The best model trained on the synthetic table (by TSTR accuracy, or R² for a regression) and
// its TRTR score: the summary card.
struct UtilityHeadline {
  double tstr = std::numeric_limits<double>::quiet_NaN();
  double trtr = std::numeric_limits<double>::quiet_NaN();
};

std::string classification_utility(const UtilityResult& u, const std::string& syn_label,
                                   UtilityHeadline* best);
std::string regression_utility(const UtilityResult& u, const std::string& syn_label,
                               UtilityHeadline* best);

// The best macro-F1 (or R²) over models trained on real train and on the augmented table.
struct LiftHeadline {
  double real = -std::numeric_limits<double>::infinity();
  double augmented = -std::numeric_limits<double>::infinity();
  std::string real_name, augmented_name;
};

// Models trained on real train vs on the augmented table. Sets the best macro-F1 (R² for a
// regression) of either side and its model, for the summary card.
std::string lift_section(const LiftResult& l, const std::string& aug_path, LiftHeadline* best);

// Fidelity sections (columns, dependence, detection) of a synthetic table.
std::string fidelity_sections(const FidelityResult& f, const std::string& syn);

// Exact copies, distances to closest record, membership-inference attacks.
std::string privacy_section(const PrivacyResult& p, const std::string& syn_label);

}  // namespace meg::report::html
