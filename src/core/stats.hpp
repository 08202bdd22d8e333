// Rank statistics shared by the fit (discriminator monitoring) and the
// evaluation (classifiers, detection, attacks).
#pragma once
#include <algorithm>
#include <cstddef>
#include <limits>
#include <numeric>
#include <vector>

namespace meg::core {

// ROC-AUC of `scores` for the rows whose label is non-zero (positives) against
// the rows whose label is zero (Mann-Whitney U with average ranks, so a tie
// between a positive and a negative counts one half). NaN when there is no
// positive or no negative row: the AUC is undefined there. O(n log n).
template <class Label>
double roc_auc(const std::vector<double>& scores, const std::vector<Label>& labels) {
  const size_t n = scores.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double rank_sum = 0, pos = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && scores[order[j]] == scores[order[i]]) ++j;
    const double avg_rank = 0.5 * static_cast<double>(i + j + 1);  // ranks are 1-based
    for (size_t t = i; t < j; ++t) {
      if (labels[order[t]] != Label{}) {
        rank_sum += avg_rank;
        pos += 1;
      }
    }
    i = j;
  }
  const double neg = static_cast<double>(n) - pos;
  if (pos == 0 || neg == 0) return std::numeric_limits<double>::quiet_NaN();
  return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}

}  // namespace meg::core
