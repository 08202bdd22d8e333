#include "ensemble/weights.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "meg/error.hpp"

namespace meg::ensemble {
namespace {

double logsumexp(const double* x, size_t n) {
  double m = -std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < n; ++i) m = std::max(m, x[i]);
  if (!std::isfinite(m)) return m;
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += std::exp(x[i] - m);
  return m + std::log(s);
}

std::vector<double> softmax(const std::vector<double>& x) {
  double lse = logsumexp(x.data(), x.size());
  std::vector<double> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) out[i] = std::exp(x[i] - lse);
  return out;
}

}  // namespace

std::vector<double> em_weights(const std::vector<std::vector<double>>& loglik, int max_iter,
                               double tol) {
  const size_t m = loglik.size();
  if (m == 0) throw InvalidArgument("em_weights: no units");
  const size_t n = loglik[0].size();
  std::vector<double> w(m, 1.0 / static_cast<double>(m));
  if (m == 1 || n == 0) return w;
  // Row-scaled likelihoods p[i*m + u] = exp(loglik[u][i] - max_v loglik[v][i]) in [0, 1],
  // computed once: each EM iteration is then multiply-adds only (no exp/log).
  std::vector<double> p;
  p.reserve(n * m);
  for (size_t i = 0; i < n; ++i) {
    double mx = -std::numeric_limits<double>::infinity();
    for (size_t u = 0; u < m; ++u) mx = std::max(mx, loglik[u][i]);
    if (!std::isfinite(mx)) continue;  // a row no unit can explain carries no information
    for (size_t u = 0; u < m; ++u) p.push_back(std::exp(loglik[u][i] - mx));
  }
  const size_t rows = p.size() / m;
  std::vector<double> resp_sum(m);
  for (int it = 0; it < max_iter; ++it) {
    std::fill(resp_sum.begin(), resp_sum.end(), 0.0);
    for (size_t i = 0; i < rows; ++i) {
      const double* pi = p.data() + i * m;
      double denom = 0;
      for (size_t u = 0; u < m; ++u) denom += w[u] * pi[u];
      if (!(denom > 0)) continue;
      const double inv = 1.0 / denom;
      for (size_t u = 0; u < m; ++u) resp_sum[u] += w[u] * pi[u] * inv;
    }
    double total = std::accumulate(resp_sum.begin(), resp_sum.end(), 0.0);
    if (total <= 0) break;
    double change = 0;
    for (size_t u = 0; u < m; ++u) {
      double nw = resp_sum[u] / total;
      change = std::max(change, std::fabs(nw - w[u]));
      w[u] = nw;
    }
    if (change < tol) break;
  }
  return w;
}

std::vector<double> softmax_loglik_weights(const std::vector<std::vector<double>>& loglik,
                                           double temperature) {
  std::vector<double> mean(loglik.size(), 0.0);
  for (size_t u = 0; u < loglik.size(); ++u) {
    for (double x : loglik[u]) mean[u] += x;
    mean[u] /= std::max<size_t>(1, loglik[u].size());
    mean[u] /= temperature;
  }
  return softmax(mean);
}

std::vector<double> reference_weights(const std::vector<double>& losses) {
  std::vector<double> inner = softmax(losses);
  for (double& x : inner) x = 1.0 - x;
  return softmax(inner);
}

double mixture_loglik(const std::vector<std::vector<double>>& loglik,
                      const std::vector<double>& w) {
  const size_t m = loglik.size();
  const size_t n = m ? loglik[0].size() : 0;
  std::vector<double> term(m);
  double total = 0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t u = 0; u < m; ++u) {
      term[u] =
          (w[u] > 0 ? std::log(w[u]) : -std::numeric_limits<double>::infinity()) + loglik[u][i];
    }
    total += logsumexp(term.data(), m);
  }
  return n ? total / static_cast<double>(n) : 0.0;
}

std::vector<uint64_t> largest_remainder(const std::vector<double>& w, uint64_t n) {
  const size_t m = w.size();
  double sum = std::accumulate(w.begin(), w.end(), 0.0);
  std::vector<uint64_t> out(m, 0);
  if (m == 0 || n == 0 || sum <= 0) return out;
  std::vector<double> frac(m);
  uint64_t given = 0;
  for (size_t u = 0; u < m; ++u) {
    double share = static_cast<double>(n) * (w[u] / sum);
    out[u] = static_cast<uint64_t>(std::floor(share));
    frac[u] = share - std::floor(share);
    given += out[u];
  }
  std::vector<size_t> idx(m);
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return frac[a] > frac[b]; });
  for (size_t k = 0; given < n; k = (k + 1) % m) {
    if (w[idx[k]] > 0) {
      ++out[idx[k]];
      ++given;
    }
  }
  return out;
}

}  // namespace meg::ensemble
