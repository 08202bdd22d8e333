// Multinomial logistic regression with L2, fitted by L-BFGS on the non-zero
// entries of the sparse one-hot + standardised design matrix (Matrix).
// Objective (divided by n): mean cross-entropy + |W|^2 / (2 C n); the
// intercepts are not penalised. Row blocks are fixed, and their partial sums
// are added in block order, so results do not depend on the thread count.
#include <algorithm>
#include <cmath>
#include <deque>
#include <numeric>

#include "core/parallel.hpp"
#include "eval/classifier.hpp"
#include "meg/error.hpp"

namespace meg::eval {

namespace {

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

class LogisticRegression final : public Classifier {
 public:
  LogisticRegression(double c, int max_iter, int threads)
      : c_(c), max_iter_(max_iter), threads_(threads) {}

  void fit(const Matrix& x, const std::vector<int>& y, int num_classes) override {
    if (x.rows == 0) throw DataError("logistic regression: no training rows");
    d_ = x.cols;
    k_ = static_cast<size_t>(num_classes);
    const size_t n_par = (d_ + 1) * k_;  // weights [feature][class], then intercepts
    const double lambda = 1.0 / (c_ * static_cast<double>(x.rows));
    const size_t block_rows = 1024;
    const size_t n_blocks = (x.rows + block_rows - 1) / block_rows;

    auto objective = [&](const std::vector<double>& w, std::vector<double>& grad) {
      std::vector<std::vector<double>> block_grad(n_blocks);
      std::vector<double> block_loss(n_blocks, 0.0);
      core::parallel_for(n_blocks, threads_, [&](size_t b) {
        std::vector<double>& g = block_grad[b];
        g.assign(n_par, 0.0);
        std::vector<double> z(k_);
        size_t end = std::min(x.rows, (b + 1) * block_rows);
        for (size_t r = b * block_rows; r < end; ++r) {
          for (size_t k = 0; k < k_; ++k) z[k] = w[d_ * k_ + k];
          for (size_t e = x.begin(r); e < x.end(r); ++e) {
            if (x.value[e] == 0.0f) continue;
            const double v = x.value[e];
            const double* wr = w.data() + x.index[e] * k_;
            for (size_t k = 0; k < k_; ++k) z[k] += v * wr[k];
          }
          double zmax = *std::max_element(z.begin(), z.end());
          double sum = 0;
          for (size_t k = 0; k < k_; ++k) sum += std::exp(z[k] - zmax);
          double lse = zmax + std::log(sum);
          block_loss[b] += lse - z[static_cast<size_t>(y[r])];
          for (size_t k = 0; k < k_; ++k) {
            z[k] = std::exp(z[k] - lse) - (static_cast<size_t>(y[r]) == k ? 1.0 : 0.0);
          }
          for (size_t e = x.begin(r); e < x.end(r); ++e) {
            if (x.value[e] == 0.0f) continue;
            const double v = x.value[e];
            double* gr = g.data() + x.index[e] * k_;
            for (size_t k = 0; k < k_; ++k) gr[k] += v * z[k];
          }
          for (size_t k = 0; k < k_; ++k) g[d_ * k_ + k] += z[k];
        }
      });
      const double inv_n = 1.0 / static_cast<double>(x.rows);
      double loss = 0;
      grad.assign(n_par, 0.0);
      for (size_t b = 0; b < n_blocks; ++b) {
        loss += block_loss[b];
        for (size_t i = 0; i < n_par; ++i) grad[i] += block_grad[b][i];
      }
      loss *= inv_n;
      for (size_t i = 0; i < n_par; ++i) grad[i] *= inv_n;
      for (size_t i = 0; i < d_ * k_; ++i) {
        loss += 0.5 * lambda * w[i] * w[i];
        grad[i] += lambda * w[i];
      }
      return loss;
    };

    // L-BFGS (memory 10) with a backtracking Armijo line search.
    w_.assign(n_par, 0.0);
    std::vector<double> g, g_new, w_new, dir(n_par);
    double f = objective(w_, g);
    std::deque<std::vector<double>> s_hist, y_hist;
    std::deque<double> rho_hist;
    for (int iter = 0; iter < max_iter_; ++iter) {
      double gmax = 0;
      for (double v : g) gmax = std::max(gmax, std::abs(v));
      if (gmax < 1e-6) break;
      // Two-loop recursion: dir = -H g.
      dir = g;
      std::vector<double> alpha(s_hist.size());
      for (size_t i = s_hist.size(); i-- > 0;) {
        alpha[i] = rho_hist[i] * dot(s_hist[i], dir);
        for (size_t j = 0; j < n_par; ++j) dir[j] -= alpha[i] * y_hist[i][j];
      }
      double gamma = s_hist.empty()
                         ? 1.0 / std::max(1.0, std::sqrt(dot(g, g)))
                         : dot(s_hist.back(), y_hist.back()) / dot(y_hist.back(), y_hist.back());
      for (double& v : dir) v *= gamma;
      for (size_t i = 0; i < s_hist.size(); ++i) {
        double beta = rho_hist[i] * dot(y_hist[i], dir);
        for (size_t j = 0; j < n_par; ++j) dir[j] += s_hist[i][j] * (alpha[i] - beta);
      }
      for (double& v : dir) v = -v;
      double slope = dot(g, dir);
      if (slope >= 0) {  // not a descent direction: restart from steepest descent
        s_hist.clear();
        y_hist.clear();
        rho_hist.clear();
        for (size_t j = 0; j < n_par; ++j) dir[j] = -g[j];
        slope = dot(g, dir);
      }
      double step = 1.0, f_new = 0;
      bool accepted = false;
      for (int ls = 0; ls < 30; ++ls) {
        w_new = w_;
        for (size_t j = 0; j < n_par; ++j) w_new[j] += step * dir[j];
        f_new = objective(w_new, g_new);
        if (f_new <= f + 1e-4 * step * slope) {
          accepted = true;
          break;
        }
        step *= 0.5;
      }
      if (!accepted) break;
      std::vector<double> sv(n_par), yv(n_par);
      for (size_t j = 0; j < n_par; ++j) {
        sv[j] = w_new[j] - w_[j];
        yv[j] = g_new[j] - g[j];
      }
      double sy = dot(sv, yv);
      if (sy > 1e-12) {
        s_hist.push_back(std::move(sv));
        y_hist.push_back(std::move(yv));
        rho_hist.push_back(1.0 / sy);
        if (s_hist.size() > 10) {
          s_hist.pop_front();
          y_hist.pop_front();
          rho_hist.pop_front();
        }
      }
      double f_old = f;
      w_.swap(w_new);
      g.swap(g_new);
      f = f_new;
      if (f_old - f <= 1e-10 * std::max({std::abs(f_old), std::abs(f), 1.0})) break;
    }
  }

  std::vector<float> predict_proba(const Matrix& x) const override {
    std::vector<float> out(x.rows * k_);
    core::parallel_for((x.rows + 4095) / 4096, threads_, [&](size_t b) {
      std::vector<double> z(k_);
      size_t end = std::min(x.rows, (b + 1) * 4096);
      for (size_t r = b * 4096; r < end; ++r) {
        for (size_t k = 0; k < k_; ++k) z[k] = w_[d_ * k_ + k];
        for (size_t e = x.begin(r); e < x.end(r); ++e) {
          const float v = x.value[e];
          if (v == 0.0f) continue;
          for (size_t k = 0; k < k_; ++k) z[k] += v * w_[x.index[e] * k_ + k];
        }
        double zmax = *std::max_element(z.begin(), z.end());
        double sum = 0;
        for (size_t k = 0; k < k_; ++k) sum += (z[k] = std::exp(z[k] - zmax));
        for (size_t k = 0; k < k_; ++k) out[r * k_ + k] = static_cast<float>(z[k] / sum);
      }
    });
    return out;
  }

 private:
  double c_;
  int max_iter_;
  int threads_;
  size_t d_ = 0, k_ = 0;
  std::vector<double> w_;
};

}  // namespace

std::unique_ptr<Classifier> make_logistic_regression(double c, int max_iter, int threads) {
  return std::make_unique<LogisticRegression>(c, max_iter, threads);
}

}  // namespace meg::eval
