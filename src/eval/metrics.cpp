#include "eval/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace meg::eval {

std::vector<int> argmax_rows(const std::vector<float>& proba, size_t k) {
  size_t n = k ? proba.size() / k : 0;
  std::vector<int> out(n);
  for (size_t r = 0; r < n; ++r) {
    const float* p = proba.data() + r * k;
    out[r] = static_cast<int>(std::max_element(p, p + k) - p);
  }
  return out;
}

double accuracy(const std::vector<int>& truth, const std::vector<int>& pred) {
  if (truth.empty()) return std::numeric_limits<double>::quiet_NaN();
  size_t hit = 0;
  for (size_t i = 0; i < truth.size(); ++i) hit += truth[i] == pred[i];
  return static_cast<double>(hit) / static_cast<double>(truth.size());
}

ClassScores class_scores(const std::vector<int>& truth, const std::vector<int>& pred,
                         int num_classes) {
  const auto k = static_cast<size_t>(num_classes);
  std::vector<size_t> tp(k, 0), fp(k, 0), fn(k, 0);
  for (size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] == pred[i]) {
      ++tp[truth[i]];
    } else {
      ++fp[pred[i]];
      ++fn[truth[i]];
    }
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto ratio = [nan](size_t a, size_t b) {
    return b ? static_cast<double>(a) / static_cast<double>(b) : nan;
  };
  ClassScores s;
  for (size_t c = 0; c < k; ++c) {
    s.precision.push_back(ratio(tp[c], tp[c] + fp[c]));
    s.recall.push_back(ratio(tp[c], tp[c] + fn[c]));
    s.f1.push_back(ratio(2 * tp[c], 2 * tp[c] + fp[c] + fn[c]));
    s.support.push_back(tp[c] + fn[c]);
  }
  return s;
}

double macro_f1(const std::vector<int>& truth, const std::vector<int>& pred, int num_classes) {
  double sum = 0;
  int used = 0;
  for (double f : class_scores(truth, pred, num_classes).f1) {
    if (std::isnan(f)) continue;
    sum += f;
    ++used;
  }
  return used ? sum / used : std::numeric_limits<double>::quiet_NaN();
}

double tpr_at_fpr(const std::vector<double>& score, const std::vector<int>& label01,
                  double max_fpr) {
  std::vector<size_t> order(score.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score[a] > score[b]; });
  size_t pos = 0, neg = 0;
  for (int y : label01) (y == 1 ? pos : neg) += 1;
  if (pos == 0 || neg == 0) return std::numeric_limits<double>::quiet_NaN();
  // Walk the thresholds from the highest score down, a group of tied scores at a time.
  double best = 0;
  size_t tp = 0, fp = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    for (; j < order.size() && score[order[j]] == score[order[i]]; ++j) {
      (label01[order[j]] == 1 ? tp : fp) += 1;
    }
    if (static_cast<double>(fp) > max_fpr * static_cast<double>(neg)) break;
    best = static_cast<double>(tp) / static_cast<double>(pos);
    i = j;
  }
  return best;
}

RegressionScores regression_scores(const std::vector<double>& truth,
                                   const std::vector<double>& pred) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const size_t n = truth.size();
  if (n == 0) return {nan, nan, nan};
  double mean = 0;
  for (double y : truth) mean += y;
  mean /= static_cast<double>(n);
  double sse = 0, sst = 0, abs_err = 0;
  for (size_t i = 0; i < n; ++i) {
    const double e = truth[i] - pred[i];
    sse += e * e;
    abs_err += std::abs(e);
    sst += (truth[i] - mean) * (truth[i] - mean);
  }
  const double nd = static_cast<double>(n);
  return {sst > 0 ? 1.0 - sse / sst : nan, abs_err / nd, std::sqrt(sse / nd)};
}

}  // namespace meg::eval
