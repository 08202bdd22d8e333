#include "cli_progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

namespace meg::cli {
namespace {

bool g_bar_drawn = false;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// 12345678 -> "12,345,678".
std::string grouped(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string megabytes(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f MB", static_cast<double>(bytes) / 1e6);
  return buf;
}

std::string duration(double s) {
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%.1f s", s);
  } else {
    std::snprintf(buf, sizeof buf, "%d min %02d s", static_cast<int>(s) / 60,
                  static_cast<int>(s) % 60);
  }
  return buf;
}

bool is_row_stage(const std::string& stage) {
  return stage == "read" || stage == "reread" || stage == "sample";
}

// Fraction of the stage done, or -1 when it cannot be known (input of unknown size).
double fraction(const Progress& p) {
  if (p.stage == "read" || p.stage == "reread") {
    return p.bytes_total ? std::min(1.0, static_cast<double>(p.bytes) / p.bytes_total) : -1.0;
  }
  if (p.stage == "sample") {
    return p.rows_total ? std::min(1.0, static_cast<double>(p.rows) / p.rows_total) : -1.0;
  }
  if (p.units_total == 0) return -1.0;
  double partial = 0;
  if (p.phase != "done" && p.epochs > 0) partial = static_cast<double>(p.epoch) / p.epochs;
  return std::min(1.0, (p.units_done + partial) / p.units_total);
}

// What happened so far in a stage, in words (no bar).
std::string summary(const Progress& p) {
  if (is_row_stage(p.stage)) {
    std::string s = grouped(p.rows) + " rows";
    if (p.stage == "sample" && p.rows_total) s += " of " + grouped(p.rows_total);
    if (p.stage != "sample") {
      s += ", " + megabytes(p.bytes);
      if (p.bytes_total) s += " of " + megabytes(p.bytes_total);
    }
    return s;
  }
  std::string s = std::to_string(p.units_done) + "/" + std::to_string(p.units_total) + " units";
  if (!p.unit.empty()) {
    s += ", " + p.unit + " " + p.phase;
    if (p.epochs) {
      s.append(" ").append(std::to_string(p.epoch)).append("/").append(std::to_string(p.epochs));
    }
  }
  return s;
}

class Printer {
 public:
  explicit Printer(bool terminal) : terminal_(terminal) {}

  void operator()(const Progress& p) {
    const auto now = Clock::now();
    if (p.stage != stage_) {
      // A finished reading or sampling stage keeps its line; unit stages share one.
      if (terminal_ && g_bar_drawn && is_row_stage(stage_)) {
        draw(last_, true);
        std::fputc('\n', stderr);
        g_bar_drawn = false;
      }
      stage_ = p.stage;
      stage_start_ = now;
      last_draw_ = Clock::time_point{};
      last_line_ = now;
    }
    last_ = p;
    if (p.stage == "guard") {  // one line: the model-size guard's estimate
      // In MB of 2^20 bytes, as the option max_model_mb and the guard's refusals.
      std::fprintf(
          stderr, "meg: guard: the fit and its model need at most ~%.0f MB (max_model_mb %.0f)\n",
          static_cast<double>(p.bytes) / 1048576.0, static_cast<double>(p.bytes_total) / 1048576.0);
      return;
    }
    if (terminal_) {
      // Redrawn at most ten times a second, and for every unit that finishes and the end.
      if (p.phase != "done" && fraction(p) < 1.0 &&
          std::chrono::duration<double>(now - last_draw_).count() < 0.1) {
        return;
      }
      last_draw_ = now;
      draw(p, false);
      return;
    }
    // Not a terminal: a line per finished unit, and one every 10 s of a long stage.
    if (!p.unit.empty() && p.phase == "done") {
      std::fprintf(stderr, "meg: %s: unit '%s' done (%zu/%zu, %.1f s)\n", p.stage.c_str(),
                   p.unit.c_str(), p.units_done, p.units_total, p.elapsed_seconds);
    } else if (is_row_stage(p.stage) && seconds_since(last_line_) >= 10.0) {
      last_line_ = now;
      const double f = fraction(p);
      std::string line = "meg: " + p.stage + ": " + summary(p);
      if (f >= 0) line += " (" + std::to_string(static_cast<int>(100 * f)) + "%)";
      line += ", " + duration(seconds_since(stage_start_));
      const std::string e = eta(p);
      if (!e.empty()) line += ", ETA " + e;
      std::fprintf(stderr, "%s\n", line.c_str());
    }
  }

 private:
  std::string eta(const Progress& p) const {
    const double f = fraction(p);
    const double spent = seconds_since(stage_start_);
    if (f <= 0.02 || f >= 1.0 || spent < 1.0) return "";
    return duration(spent * (1 - f) / f);
  }

  // One line, redrawn in place: "read   [#######.......]  45%  4,500,000 rows, ... | 4.1 s, ETA 5.0
  // s".
  void draw(const Progress& p, bool final) {
    const double f = final && is_row_stage(p.stage) ? 1.0 : fraction(p);
    std::string line = p.stage;
    line.resize(std::max<size_t>(line.size(), 7), ' ');
    if (f >= 0) {
      const int width = 24;
      std::string bar(static_cast<size_t>(f * width), '#');
      bar.resize(width, '.');
      char pct[16];
      std::snprintf(pct, sizeof pct, " %3.0f%% ", 100 * f);
      line += "[" + bar + "]" + pct;
    }
    std::string what = summary(p);
    line += " " + what + " | " + duration(seconds_since(stage_start_));
    const std::string e = final ? "" : eta(p);
    if (!e.empty()) line += ", ETA " + e;
    if (line.size() > 110) line.resize(110);
    std::fprintf(stderr, "\r%-*s", static_cast<int>(std::max(width_, line.size())), line.c_str());
    width_ = line.size();
    std::fflush(stderr);
    g_bar_drawn = true;
  }

  bool terminal_;
  std::string stage_;
  Progress last_;
  Clock::time_point stage_start_{}, last_draw_{}, last_line_{};
  size_t width_ = 0;
};

}  // namespace

ProgressFn make_progress_printer(bool quiet) {
  if (quiet) return {};
  auto printer = std::make_shared<Printer>(::isatty(STDERR_FILENO) != 0);
  return [printer](const Progress& p) { (*printer)(p); };
}

void finish_progress() {
  if (g_bar_drawn) std::fputc('\n', stderr);
  g_bar_drawn = false;
}

}  // namespace meg::cli
