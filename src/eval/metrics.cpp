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

double roc_auc(const std::vector<int>& label01, const std::vector<double>& score) {
  const size_t n = score.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score[a] < score[b]; });
  double rank_sum = 0;
  size_t pos = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && score[order[j]] == score[order[i]]) ++j;
    double avg_rank = 0.5 * static_cast<double>(i + j + 1);  // ranks are 1-based
    for (size_t t = i; t < j; ++t) {
      if (label01[order[t]] == 1) {
        rank_sum += avg_rank;
        ++pos;
      }
    }
    i = j;
  }
  size_t neg = n - pos;
  if (pos == 0 || neg == 0) return std::numeric_limits<double>::quiet_NaN();
  double p = static_cast<double>(pos);
  return (rank_sum - p * (p + 1) / 2) / (p * static_cast<double>(neg));
}

}  // namespace meg::eval
