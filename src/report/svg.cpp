#include "report/svg.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace meg::report {

namespace {

constexpr const char* kFont = "font-family=\"sans-serif\"";

// The opening <svg> tag of a width x height chart.
std::string svg_open(int width, int height, int font_size) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "viewBox=\"0 0 {} {}\" {} font-size=\"{}\">",
      width, height, width, height, kFont, font_size);
}

std::string cut(const std::string& s, size_t max_chars) {
  if (s.size() <= max_chars) return s;
  return s.substr(0, max_chars - 1) + "\u2026";
}

std::string heat_color(double v, bool diverging) {
  auto mix = [](double t, int a, int b) { return static_cast<int>(std::lround(a + (b - a) * t)); };
  if (std::isnan(v)) return "#dddddd";
  if (diverging) {
    v = std::clamp(v, -1.0, 1.0);
    if (v >= 0)
      return fmt::format("#{:02x}{:02x}{:02x}", mix(v, 255, 178), mix(v, 255, 24), mix(v, 255, 43));
    v = -v;
    return fmt::format("#{:02x}{:02x}{:02x}", mix(v, 255, 33), mix(v, 255, 102), mix(v, 255, 172));
  }
  v = std::clamp(v, 0.0, 1.0);
  return fmt::format("#{:02x}{:02x}{:02x}", mix(v, 255, 165), mix(v, 255, 0), mix(v, 255, 38));
}

}  // namespace

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string short_number(double v) {
  double a = std::abs(v);
  if (a >= 1e6) return fmt::format("{:.3g}M", v / 1e6);
  if (a >= 1e4) return fmt::format("{:.3g}k", v / 1e3);
  if (a >= 100 || v == std::floor(v)) return fmt::format("{:.0f}", v);
  return fmt::format("{:.3g}", v);
}

std::string bar_chart(const std::vector<std::string>& labels, const std::vector<Series>& series,
                      int width) {
  const int label_w = 130, bar_h = 7, gap = 6, top = 4;
  const int group_h = static_cast<int>(series.size()) * bar_h + gap;
  const int height = top + static_cast<int>(labels.size()) * group_h + 18;
  const int plot_w = width - label_w - 44;
  double vmax = 0;
  for (const auto& s : series) {
    for (double v : s.values) vmax = std::max(vmax, v);
  }
  vmax = vmax > 0 ? vmax : 1;
  std::string o = svg_open(width, height, 11);
  for (size_t i = 0; i < labels.size(); ++i) {
    int y0 = top + static_cast<int>(i) * group_h;
    o += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\">"
        "<title>{}</title>{}</text>",
        label_w - 6, y0 + (group_h - gap) / 2, escape(labels[i]), escape(cut(labels[i], 20)));
    for (size_t s = 0; s < series.size(); ++s) {
      double v = i < series[s].values.size() ? series[s].values[i] : 0.0;
      double w = v / vmax * plot_w;
      o += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\">"
          "<title>{}: {:.2f}%</title></rect>",
          label_w, y0 + static_cast<int>(s) * bar_h, std::max(w, 0.5), bar_h - 1, series[s].color,
          escape(series[s].name), 100 * v);
    }
  }
  int axis_y = height - 14;
  o += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#888\"/>", label_w,
                   top, axis_y);
  for (int t = 0; t <= 2; ++t) {
    double v = vmax * t / 2;
    o += fmt::format(
        "<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555\">{:.0f}%</text>",
        label_w + plot_w * t / 2.0, axis_y + 11, 100 * v);
  }
  return o + "</svg>";
}

std::string histogram(double lo, double hi, const std::vector<Series>& series, int width,
                      int height) {
  const int left = 8, right = 8, top = 6, bottom = 18;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  double vmax = 0;
  size_t bins = 0;
  for (const auto& s : series) {
    bins = std::max(bins, s.values.size());
    for (double v : s.values) vmax = std::max(vmax, v);
  }
  vmax = vmax > 0 ? vmax : 1;
  std::string o = svg_open(width, height, 11);
  const double base = top + plot_h;
  for (const auto& s : series) {
    std::string pts = fmt::format("{},{:.1f}", left, base);
    for (size_t b = 0; b < s.values.size(); ++b) {
      double x0 = left + plot_w * static_cast<double>(b) / static_cast<double>(bins);
      double x1 = left + plot_w * static_cast<double>(b + 1) / static_cast<double>(bins);
      double y = base - s.values[b] / vmax * plot_h;
      pts += fmt::format(" {:.1f},{:.1f} {:.1f},{:.1f}", x0, y, x1, y);
    }
    pts += fmt::format(" {:.1f},{:.1f}", left + plot_w, base);
    o += fmt::format(
        "<polygon points=\"{}\" fill=\"{}\" fill-opacity=\"0.35\" stroke=\"{}\" "
        "stroke-width=\"1.2\"><title>{}</title></polygon>",
        pts, s.color, s.color, escape(s.name));
  }
  o += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#888\"/>",
                   left, base, left + plot_w, base);
  const char* anchors[] = {"start", "middle", "end"};
  for (int t = 0; t <= 2; ++t) {
    double v = lo + (hi - lo) * t / 2;
    o += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"{}\" fill=\"#555\">{}</text>",
                     left + plot_w * t / 2.0, height - 4, anchors[t], escape(short_number(v)));
  }
  return o + "</svg>";
}

std::string heatmap(const std::vector<std::string>& labels,
                    const std::vector<std::vector<double>>& m, bool diverging, int cell,
                    const std::vector<std::vector<double>>* tooltip_values) {
  const int n = static_cast<int>(labels.size());
  const int label_w = 110;
  const int size = label_w + n * cell + 4;
  std::string o = svg_open(size, size, 10);
  for (int i = 0; i < n; ++i) {
    std::string name = escape(cut(labels[static_cast<size_t>(i)], 16));
    o += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\">"
        "{}</text>",
        label_w - 4, label_w + i * cell + cell / 2, name);
    int cx = label_w + i * cell + cell / 2;
    o += fmt::format(
        "<text x=\"{0}\" y=\"{1}\" text-anchor=\"start\" dominant-baseline=\"middle\" "
        "transform=\"rotate(-90 {0} {1})\">{2}</text>",
        cx, label_w - 4, name);
    for (int j = 0; j < n; ++j) {
      double v = m[static_cast<size_t>(i)][static_cast<size_t>(j)];
      o += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" "
          "stroke=\"#fff\" stroke-width=\"0.5\"><title>{} / {}: {:.3f}</title></rect>",
          label_w + j * cell, label_w + i * cell, cell, cell, heat_color(v, diverging),
          escape(labels[static_cast<size_t>(i)]), escape(labels[static_cast<size_t>(j)]),
          tooltip_values ? (*tooltip_values)[static_cast<size_t>(i)][static_cast<size_t>(j)] : v);
    }
  }
  return o + "</svg>";
}

std::string score_columns(const std::vector<std::string>& groups, const std::vector<Series>& series,
                          double reference, const std::string& reference_label, int width,
                          int height) {
  const int left = 34, right = 8, top = 8, bottom = 34;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  const double group_w = plot_w / std::max<size_t>(groups.size(), 1);
  const double bar_w = (group_w - 16) / std::max<size_t>(series.size(), 1);
  std::string o = svg_open(width, height, 11);
  auto y_of = [&](double v) { return top + plot_h * (1 - std::clamp(v, 0.0, 1.0)); };
  for (int t = 0; t <= 4; ++t) {
    double v = t / 4.0;
    o += fmt::format(
        "<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#eee\"/>"
        "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" dominant-baseline=\"middle\" "
        "fill=\"#555\">{:.2f}</text>",
        left, y_of(v), left + plot_w, y_of(v), left - 4, y_of(v), v);
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    double gx = left + group_w * static_cast<double>(g) + 8;
    for (size_t s = 0; s < series.size(); ++s) {
      if (g >= series[s].values.size() || std::isnan(series[s].values[g])) continue;
      double v = series[s].values[g];
      o += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
          "fill=\"{}\"><title>{} {}: {:.3f}</title></rect>"
          "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"10\">"
          "{:.3f}</text>",
          gx + bar_w * static_cast<double>(s), y_of(v), bar_w - 2, top + plot_h - y_of(v),
          series[s].color, escape(groups[g]), escape(series[s].name), v,
          gx + bar_w * (static_cast<double>(s) + 0.5) - 1, y_of(v) - 3, v);
    }
    o += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                     gx + (group_w - 16) / 2, height - bottom + 16, escape(groups[g]));
  }
  if (reference >= 0) {
    o += fmt::format(
        "<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#444\" "
        "stroke-dasharray=\"5,4\"/><text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"start\" "
        "fill=\"#444\" font-size=\"10\" paint-order=\"stroke\" stroke=\"#fff\" "
        "stroke-width=\"3\">{} {:.3f}</text>",
        left, y_of(reference), left + plot_w, y_of(reference), left + 4.0, y_of(reference) - 4,
        escape(reference_label), reference);
  }
  return o + "</svg>";
}

}  // namespace meg::report
