#include "cli_progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace meg::cli {
namespace {
bool g_bar_drawn = false;
}

ProgressFn make_progress_printer(bool quiet) {
  if (quiet) return {};
  if (::isatty(STDERR_FILENO)) {
    return [](const Progress& p) {
      double partial = 0;
      if (p.phase != "done" && p.epochs > 0) partial = static_cast<double>(p.epoch) / p.epochs;
      double frac = p.units_total ? std::min(1.0, (p.units_done + partial) / p.units_total) : 0;
      const int width = 30;
      int filled = static_cast<int>(frac * width);
      std::string bar(static_cast<size_t>(filled), '#');
      bar.resize(width, '.');
      double eta = frac > 0.02 ? p.elapsed_seconds * (1 - frac) / frac : 0;
      std::string what = p.unit.empty() ? p.stage : p.unit;
      if (!p.unit.empty()) {
        what.append(" ").append(p.phase);
        if (p.epochs) {
          what.append(" ")
              .append(std::to_string(p.epoch))
              .append("/")
              .append(std::to_string(p.epochs));
        }
      }
      if (what.size() > 36) what.resize(36);
      std::fprintf(stderr, "\r%-6s [%s] %zu/%zu units | %-36s | %5.1fs, ETA %5.1fs ",
                   p.stage.c_str(), bar.c_str(), p.units_done, p.units_total, what.c_str(),
                   p.elapsed_seconds, eta);
      std::fflush(stderr);
      g_bar_drawn = true;
    };
  }
  return [](const Progress& p) {
    if (p.phase != "done") return;
    std::fprintf(stderr, "meg: %s: unit '%s' done (%zu/%zu, %.1f s)\n", p.stage.c_str(),
                 p.unit.c_str(), p.units_done, p.units_total, p.elapsed_seconds);
  };
}

void finish_progress() {
  if (g_bar_drawn) std::fputc('\n', stderr);
  g_bar_drawn = false;
}

}  // namespace meg::cli
