#include "ensemble/resource_guard.hpp"

#include <algorithm>
#include <functional>
#include <numeric>

#include <fmt/format.h>

#include "meg/error.hpp"

namespace meg::ensemble {

ModelSizeEstimate estimate_model_bytes(const std::vector<uint32_t>& cardinality,
                                       const std::vector<std::string>& names,
                                       const std::vector<size_t>& unit_columns, uint64_t rows,
                                       const FitOptions& options) {
  const size_t d = cardinality.size();
  ModelSizeEstimate est;
  est.column_bytes.assign(d, 0.0);
  const double n = static_cast<double>(std::max<uint64_t>(rows, 1));
  for (size_t u : unit_columns) {
    const UnitOptions& uo = options.for_unit(names[u]);
    const double classes = std::max<double>(cardinality[u], 1);
    const bool gradient = uo.warmup_epochs + uo.epochs > 0;
    // Log-probabilities + counts; with gradient phases also Adam's two moments and the gradient.
    const double factor = 8.0 * (gradient ? 4.0 : 2.0);
    const int k = std::max(uo.k, 0);
    est.column_bytes[u] += 8.0 * classes * 2.0;  // class prior
    for (size_t i = 0; i < d; ++i) {
      if (i == u) continue;
      // The k largest cardinalities among the other features bound the parent configurations.
      std::vector<double> others;
      for (size_t j = 0; j < d; ++j) {
        if (j != u && j != i) others.push_back(std::max<double>(cardinality[j], 1));
      }
      const size_t parents = std::min<size_t>(static_cast<size_t>(k), others.size());
      std::partial_sort(others.begin(), others.begin() + static_cast<long>(parents), others.end(),
                        std::greater<>());
      double q = 1;
      for (size_t p = 0; p < parents; ++p) q *= others[p];
      q = std::min(q, static_cast<double>(uo.max_parent_configs));
      const double blocks = classes + static_cast<double>(parents) * std::min(n, q * classes);
      const double r = std::max<double>(cardinality[i], 1);
      const double bytes = factor * r * blocks;
      // Level 0 (every class) grows with the class column, the rest with the feature.
      const double level0 = factor * r * classes;
      est.column_bytes[u] += level0;
      est.column_bytes[i] += bytes - level0;
    }
  }
  est.total_bytes = std::accumulate(est.column_bytes.begin(), est.column_bytes.end(), 0.0);
  return est;
}

void check_model_size(const std::vector<uint32_t>& cardinality,
                      const std::vector<std::string>& names,
                      const std::vector<size_t>& unit_columns, uint64_t rows,
                      const FitOptions& options) {
  const ModelSizeEstimate est =
      estimate_model_bytes(cardinality, names, unit_columns, rows, options);
  constexpr double kMb = 1024.0 * 1024.0;
  const double limit = static_cast<double>(options.max_model_mb) * kMb;
  if (est.total_bytes <= limit) return;
  std::vector<size_t> order(cardinality.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return est.column_bytes[a] > est.column_bytes[b];
  });
  // Name the columns that account for most of the estimate (at most 5).
  std::string culprits;
  double covered = 0;
  for (size_t i = 0; i < order.size() && i < 5; ++i) {
    const size_t c = order[i];
    if (!culprits.empty()) culprits += ", ";
    culprits += fmt::format("'{}' ({} codes, ~{:.0f} MB)", names[c], cardinality[c],
                            est.column_bytes[c] / kMb);
    covered += est.column_bytes[c];
    if (covered >= 0.8 * est.total_bytes) break;
  }
  throw InvalidArgument(fmt::format(
      "the model could need up to {:.0f} MB, over the limit of {} MB (option max_model_mb); "
      "the columns responsible: {}; drop or bin them, choose the units with --units, lower k, "
      "or raise --option max_model_mb",
      est.total_bytes / kMb, options.max_model_mb, culprits));
}

}  // namespace meg::ensemble
