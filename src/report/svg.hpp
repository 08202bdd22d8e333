// A tiny SVG writer for the HTML report: deterministic text, no scripts.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace meg::report {

// Escapes & < > " ' for HTML/SVG text and attributes.
std::string escape(std::string_view s);

struct Series {
  std::string name;
  std::string color;  // CSS colour
  std::vector<double> values;
};

// Horizontal grouped bars (one group per label, one bar per series), values
// are shares in [0, 1]; long labels are cut with an ellipsis (full text in a
// <title> tooltip).
std::string bar_chart(const std::vector<std::string>& labels, const std::vector<Series>& series,
                      int width);

// Overlaid histograms (filled steps) of shares over equal-width bins on
// [lo, hi]; x ticks at both ends and the middle.
std::string histogram(double lo, double hi, const std::vector<Series>& series, int width,
                      int height);

// Square heat map of a symmetric matrix with row/column labels. Colours:
// `diverging` maps [-1, 1] blue-white-red; otherwise [0, 1] white-to-red.
// `tooltip_values` (optional) replaces the values shown in the tooltips.
std::string heatmap(const std::vector<std::string>& labels,
                    const std::vector<std::vector<double>>& m, bool diverging, int cell,
                    const std::vector<std::vector<double>>* tooltip_values = nullptr);

// Vertical grouped bars for a few scores in [0, 1] (e.g. TRTR vs TSTR
// accuracy per classifier), with a dashed reference line at `reference`
// (skipped when < 0).
std::string score_columns(const std::vector<std::string>& groups, const std::vector<Series>& series,
                          double reference, const std::string& reference_label, int width,
                          int height);

// Compact number: 0.123, 12.3k, 1.2M.
std::string short_number(double v);

}  // namespace meg::report
