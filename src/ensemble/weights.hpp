// Ensemble weighting strategies (docs/design.md §6) and row-count allocation.
#pragma once
#include <cstdint>
#include <vector>

namespace meg::ensemble {

// loglik[u][i] = log p_u(row i) on held-out rows.

// Maximises the held-out mixture log-likelihood mean_i log sum_u w_u p_u(i) by EM
// in log space, from uniform weights, until the largest weight change < tol.
std::vector<double> em_weights(const std::vector<std::vector<double>>& loglik, int max_iter = 1000,
                               double tol = 1e-7);
// w_u proportional to exp(mean_i loglik[u][i] / temperature).
std::vector<double> softmax_loglik_weights(const std::vector<std::vector<double>>& loglik,
                                           double temperature);
// The published formula: softmax(1 - softmax(L)) over the units' similarity losses.
std::vector<double> reference_weights(const std::vector<double>& losses);
// Mean held-out log-likelihood of the mixture with weights w.
double mixture_loglik(const std::vector<std::vector<double>>& loglik, const std::vector<double>& w);

// Splits n into integer counts proportional to w (largest remainder; ties to the
// lower index), never exceeding cap[u] when caps are given.
std::vector<uint64_t> largest_remainder(const std::vector<double>& w, uint64_t n);

}  // namespace meg::ensemble
