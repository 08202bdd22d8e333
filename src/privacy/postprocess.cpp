#include "privacy/postprocess.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "meg/error.hpp"

namespace meg::privacy {
namespace {

// Stride of `axis` in a row-major table.
size_t stride_of(const std::vector<size_t>& dims, size_t axis) {
  size_t s = 1;
  for (size_t a = axis + 1; a < dims.size(); ++a) s *= dims[a];
  return s;
}

void check_table(const DenseTable& t) {
  size_t cells = 1;
  for (size_t d : t.dims) cells *= d;
  if (t.dims.empty() || cells != t.cells.size()) {
    throw InvalidArgument("privacy: table cells do not match its dimensions");
  }
}

}  // namespace

std::vector<double> DenseTable::margin(size_t axis) const {
  check_table(*this);
  if (axis >= dims.size()) throw InvalidArgument("privacy: margin of a missing axis");
  const size_t stride = stride_of(dims, axis);
  std::vector<double> out(dims[axis], 0.0);
  for (size_t i = 0; i < cells.size(); ++i) out[(i / stride) % dims[axis]] += cells[i];
  return out;
}

std::vector<double> floor_counts(const std::vector<int64_t>& noisy, double floor) {
  std::vector<double> out(noisy.size());
  for (size_t i = 0; i < noisy.size(); ++i) {
    const auto v = static_cast<double>(noisy[i]);
    out[i] = v > 0 && v >= floor ? v : 0.0;
  }
  return out;
}

std::vector<double> inverse_variance_average(const std::vector<std::vector<double>>& estimates,
                                             const std::vector<std::vector<double>>& variances) {
  if (estimates.empty() || estimates.size() != variances.size()) {
    throw InvalidArgument("privacy: inverse-variance average needs one variance per estimate");
  }
  const size_t m = estimates[0].size();
  std::vector<double> num(m, 0.0), den(m, 0.0);
  for (size_t i = 0; i < estimates.size(); ++i) {
    if (estimates[i].size() != m || variances[i].size() != m) {
      throw InvalidArgument("privacy: inverse-variance average of vectors of different sizes");
    }
    for (size_t j = 0; j < m; ++j) {
      if (!(variances[i][j] > 0) || !std::isfinite(variances[i][j])) {
        throw InvalidArgument("privacy: inverse-variance average needs finite variances > 0");
      }
      num[j] += estimates[i][j] / variances[i][j];
      den[j] += 1.0 / variances[i][j];
    }
  }
  for (size_t j = 0; j < m; ++j) num[j] /= den[j];
  return num;
}

double rake(DenseTable& table, const std::vector<std::pair<size_t, std::vector<double>>>& targets,
            int max_sweeps, double tol) {
  check_table(table);
  for (double c : table.cells) {
    if (!(c >= 0) || !std::isfinite(c)) throw InvalidArgument("privacy: raking a negative cell");
  }
  double total = 0;
  for (const auto& [axis, target] : targets) {
    if (axis >= table.dims.size() || target.size() != table.dims[axis]) {
      throw InvalidArgument("privacy: raking target does not match its axis");
    }
    total = std::max(total, std::accumulate(target.begin(), target.end(), 0.0));
  }
  double worst = 0;
  for (int sweep = 0; sweep <= max_sweeps; ++sweep) {
    worst = 0;
    for (const auto& [axis, target] : targets) {  // measure every margin's error first
      const std::vector<double> m = table.margin(axis);
      for (size_t v = 0; v < m.size(); ++v) {
        if (m[v] > 0) worst = std::max(worst, std::fabs(m[v] - target[v]));
      }
    }
    if (total <= 0 || worst <= tol * total || sweep == max_sweeps) break;
    for (const auto& [axis, target] : targets) {
      const std::vector<double> m = table.margin(axis);
      const size_t stride = stride_of(table.dims, axis);
      for (size_t i = 0; i < table.cells.size(); ++i) {
        const size_t v = (i / stride) % table.dims[axis];
        if (m[v] > 0) table.cells[i] *= target[v] / m[v];
      }
    }
  }
  return total > 0 ? worst / total : 0.0;
}

}  // namespace meg::privacy
