// Ridge regression: minimises |y - b - X w|^2 + alpha |w|^2 (the intercept b is
// not penalised) by solving the normal equations exactly with a Cholesky
// factorisation. X^T X is accumulated from the non-zero entries of each row, so
// the cost is O(rows x nnz^2 + width^3 / 3) time and O(width^2) memory, where
// nnz is the non-zeros per row (about one per column with one-hot features) and
// width is bounded by the feature caps. Single-threaded: same bits on every run.
#include <algorithm>
#include <cmath>
#include <vector>

#include "eval/classifier.hpp"
#include "meg/error.hpp"

namespace meg::eval {

namespace {

class RidgeRegression final : public Regressor {
 public:
  explicit RidgeRegression(double alpha) : alpha_(alpha) {}

  void fit(const Matrix& x, const std::vector<double>& y) override {
    if (x.rows == 0) throw DataError("ridge regression: no training rows");
    const size_t d = x.cols + 1;  // features, then the intercept
    double mean = 0;
    for (double v : y) mean += v;
    mean /= static_cast<double>(y.size());
    std::vector<double> a(d * d, 0.0), rhs(d, 0.0);
    std::vector<size_t> idx;
    std::vector<double> val;
    for (size_t r = 0; r < x.rows; ++r) {
      idx.clear();
      val.clear();
      for (size_t e = x.begin(r); e < x.end(r); ++e) {
        if (x.value[e] != 0.0f) {
          idx.push_back(x.index[e]);
          val.push_back(x.value[e]);
        }
      }
      idx.push_back(x.cols);
      val.push_back(1.0);
      const double t = y[r] - mean;
      for (size_t i = 0; i < idx.size(); ++i) {
        rhs[idx[i]] += val[i] * t;
        double* ai = a.data() + idx[i] * d;
        for (size_t j = 0; j <= i; ++j) ai[idx[j]] += val[i] * val[j];  // lower triangle
      }
    }
    for (size_t i = 0; i + 1 < d; ++i) a[i * d + i] += alpha_;
    // Cholesky A = L L^T in place (lower triangle); a pivot <= 0 only for a
    // singular system (alpha = 0 with collinear features): nudge it.
    for (size_t j = 0; j < d; ++j) {
      double s = a[j * d + j];
      for (size_t k = 0; k < j; ++k) s -= a[j * d + k] * a[j * d + k];
      const double pivot = std::sqrt(std::max(s, 1e-10));
      a[j * d + j] = pivot;
      for (size_t i = j + 1; i < d; ++i) {
        double t = a[i * d + j];
        for (size_t k = 0; k < j; ++k) t -= a[i * d + k] * a[j * d + k];
        a[i * d + j] = t / pivot;
      }
    }
    // Solve L z = rhs, then L^T w = z.
    std::vector<double> w(rhs);
    for (size_t i = 0; i < d; ++i) {
      for (size_t k = 0; k < i; ++k) w[i] -= a[i * d + k] * w[k];
      w[i] /= a[i * d + i];
    }
    for (size_t i = d; i-- > 0;) {
      for (size_t k = i + 1; k < d; ++k) w[i] -= a[k * d + i] * w[k];
      w[i] /= a[i * d + i];
    }
    intercept_ = w[d - 1] + mean;
    w.pop_back();
    w_ = std::move(w);
  }

  std::vector<double> predict(const Matrix& x) const override {
    std::vector<double> out(x.rows, intercept_);
    for (size_t r = 0; r < x.rows; ++r) {
      for (size_t e = x.begin(r); e < x.end(r); ++e) {
        if (x.value[e] != 0.0f) out[r] += x.value[e] * w_[x.index[e]];
      }
    }
    return out;
  }

 private:
  double alpha_;
  std::vector<double> w_;
  double intercept_ = 0;
};

}  // namespace

std::unique_ptr<Regressor> make_ridge_regression(double alpha) {
  return std::make_unique<RidgeRegression>(alpha);
}

}  // namespace meg::eval
