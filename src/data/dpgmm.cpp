// 1-D Dirichlet-process Gaussian mixture by variational Bayes, on weighted distinct values.
//
// The updates follow sklearn's BayesianGaussianMixture (full covariance, 1 feature, DP prior):
//   E-step: log s_ik = E[log w_k] + 0.5 (log 2 + psi(nu_k/2) + log W_k) - 0.5/beta_k
//                      - 0.5 nu_k W_k (x_i - m_k)^2, normalised over k (constants dropped).
//   M-step: N_k = sum_i c_i r_ik + 10 eps, xbar_k, S_k = weighted variance + reg_covar,
//           a_k = 1 + N_k, b_k = gamma + sum_{j>k} N_j, beta_k = beta0 + N_k,
//           m_k = (beta0 m0 + N_k xbar_k) / beta_k, nu_k = nu0 + N_k,
//           1/W_k = W0^-1 + N_k S_k + (beta0 N_k / beta_k)(xbar_k - m0)^2.
//   Lower bound (up to a constant, as sklearn computes it):
//     -sum_i c_i sum_k r_ik log r_ik + sum_k [nu_k/2 log W_k + nu_k/2 log 2 + lgamma(nu_k/2)]
//     + sum_k betaln(a_k, b_k) - 0.5 sum_k log beta_k.
#include "data/dpgmm.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "core/rng.hpp"
#include "meg/error.hpp"

namespace meg::data {

namespace detail {

double digamma(double x) {
  double result = 0;
  while (x < 10) {
    result -= 1 / x;
    x += 1;
  }
  const double inv = 1 / x, inv2 = inv * inv;
  // psi(x) ~ log x - 1/(2x) - sum_n B_2n / (2n x^2n).
  const double series =
      inv2 *
      (1.0 / 12 -
       inv2 * (1.0 / 120 -
               inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132 - inv2 * (691.0 / 32760 -
                                                                                   inv2 / 12))))));
  return result + std::log(x) - 0.5 * inv - series;
}

double log_gamma(double x) {
  // Own implementation: std::lgamma writes the global signgam (a data race when columns are
  // fitted in parallel).
  double log_shift = 0;
  while (x < 10) {
    log_shift += std::log(x);
    x += 1;
  }
  const double inv = 1 / x, inv2 = inv * inv;
  // Stirling: (x - 1/2) log x - x + log(2 pi)/2 + sum_n B_2n / (2n (2n-1) x^(2n-1)).
  const double series =
      inv * (1.0 / 12 -
             inv2 * (1.0 / 360 -
                     inv2 * (1.0 / 1260 -
                             inv2 * (1.0 / 1680 -
                                     inv2 * (1.0 / 1188 - inv2 * (691.0 / 360360 - inv2 / 156))))));
  constexpr double kHalfLog2Pi = 0.91893853320467274178;
  return (x - 0.5) * std::log(x) - x + kHalfLog2Pi + series - log_shift;
}

}  // namespace detail

namespace {

using detail::digamma;
using detail::log_gamma;

constexpr double kLog2 = 0.69314718055994530942;

// Variational parameters of all K components.
struct VbParams {
  std::vector<double> a, b;  // stick-breaking Beta posteriors
  std::vector<double> beta, mean, dof, w;
};

// Constant part of the E-step score of a component (everything except the quadratic term).
double score_constant(double log_weight, double beta, double dof, double w) {
  return log_weight + 0.5 * (kLog2 + digamma(0.5 * dof) + std::log(w)) - 0.5 / beta;
}

// E[log w_k] for the stick-breaking posterior:
// psi(a_k) - psi(a_k + b_k) + sum_{j<k} [psi(b_j) - psi(a_j + b_j)].
std::vector<double> expected_log_weights(const VbParams& p) {
  const size_t k_count = p.a.size();
  std::vector<double> out(k_count);
  double cumulative = 0;
  for (size_t k = 0; k < k_count; ++k) {
    const double digamma_sum = digamma(p.a[k] + p.b[k]);
    out[k] = digamma(p.a[k]) - digamma_sum + cumulative;
    cumulative += digamma(p.b[k]) - digamma_sum;
  }
  return out;
}

struct Prior {
  double gamma, beta0, m0, nu0, w0_inv, reg_covar;
};

// M-step: variational parameters from responsibilities resp (n x K, row-major) and weights c.
void m_step(const std::vector<double>& x, const std::vector<double>& c,
            const std::vector<double>& resp, int k_count, const Prior& prior, VbParams& p) {
  const size_t n = x.size();
  const auto kc = static_cast<size_t>(k_count);
  std::vector<double> nk(kc, 0.0), sx(kc, 0.0), sk(kc, 0.0), xbar(kc);
  for (size_t i = 0; i < n; ++i) {
    const double* r = &resp[i * kc];
    for (size_t k = 0; k < kc; ++k) {
      const double cr = c[i] * r[k];
      nk[k] += cr;
      sx[k] += cr * x[i];
    }
  }
  for (size_t k = 0; k < kc; ++k) {
    nk[k] += 10 * std::numeric_limits<double>::epsilon();
    xbar[k] = sx[k] / nk[k];
  }
  for (size_t i = 0; i < n; ++i) {
    const double* r = &resp[i * kc];
    for (size_t k = 0; k < kc; ++k) {
      const double d = x[i] - xbar[k];
      sk[k] += c[i] * r[k] * d * d;
    }
  }
  double tail = 0;  // sum_{j>k} N_j
  for (size_t k = kc; k-- > 0;) {
    p.a[k] = 1 + nk[k];
    p.b[k] = prior.gamma + tail;
    tail += nk[k];
  }
  for (size_t k = 0; k < kc; ++k) {
    const double s = sk[k] / nk[k] + prior.reg_covar;
    p.beta[k] = prior.beta0 + nk[k];
    p.mean[k] = (prior.beta0 * prior.m0 + nk[k] * xbar[k]) / p.beta[k];
    p.dof[k] = prior.nu0 + nk[k];
    const double d = xbar[k] - prior.m0;
    const double w_inv = prior.w0_inv + nk[k] * s + prior.beta0 * nk[k] / p.beta[k] * d * d;
    p.w[k] = 1 / w_inv;
  }
}

// E-step: fills resp with responsibilities and returns sum_i c_i sum_k r_ik log r_ik.
double e_step(const std::vector<double>& x, const std::vector<double>& c, int k_count,
              const VbParams& p, std::vector<double>& resp) {
  const auto kc = static_cast<size_t>(k_count);
  const std::vector<double> log_weight = expected_log_weights(p);
  std::vector<double> konst(kc), prec(kc), score(kc);
  for (size_t k = 0; k < kc; ++k) {
    konst[k] = score_constant(log_weight[k], p.beta[k], p.dof[k], p.w[k]);
    prec[k] = p.dof[k] * p.w[k];
  }
  double neg_entropy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    double best = -std::numeric_limits<double>::infinity();
    for (size_t k = 0; k < kc; ++k) {
      const double d = x[i] - p.mean[k];
      score[k] = konst[k] - 0.5 * prec[k] * d * d;
      best = std::max(best, score[k]);
    }
    double* r = &resp[i * kc];
    double total = 0;
    for (size_t k = 0; k < kc; ++k) total += r[k] = std::exp(score[k] - best);
    const double log_total = std::log(total);
    double row = 0;
    for (size_t k = 0; k < kc; ++k) {
      r[k] /= total;
      if (r[k] > 0) row += r[k] * (score[k] - best - log_total);
    }
    neg_entropy += c[i] * row;
  }
  return neg_entropy;
}

double lower_bound(const VbParams& p, double neg_entropy) {
  double wishart = 0, beta_ln = 0, log_beta = 0;
  for (size_t k = 0; k < p.a.size(); ++k) {
    // -log_wishart_norm with log det(precision cholesky) - 0.5 log nu = 0.5 log W.
    wishart +=
        p.dof[k] * 0.5 * std::log(p.w[k]) + p.dof[k] * 0.5 * kLog2 + log_gamma(0.5 * p.dof[k]);
    beta_ln += log_gamma(p.a[k]) + log_gamma(p.b[k]) - log_gamma(p.a[k] + p.b[k]);
    log_beta += std::log(p.beta[k]);
  }
  return -neg_entropy + wishart + beta_ln - 0.5 * log_beta;
}

// Expected stick-breaking mixture weights (sklearn's weights_), normalised.
std::vector<double> mixture_weights(const VbParams& p) {
  std::vector<double> out(p.a.size());
  double remaining = 1, total = 0;
  for (size_t k = 0; k < p.a.size(); ++k) {
    const double sum = p.a[k] + p.b[k];
    out[k] = p.a[k] / sum * remaining;
    remaining *= p.b[k] / sum;
    total += out[k];
  }
  for (double& v : out) v /= total;
  return out;
}

void validate(const std::vector<double>& values, const std::vector<double>& counts,
              const DpgmmOptions& o) {
  if (values.empty()) throw InvalidArgument("dpgmm: no values to fit");
  if (values.size() != counts.size()) {
    throw InvalidArgument("dpgmm: " + std::to_string(values.size()) + " values but " +
                          std::to_string(counts.size()) + " counts");
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) throw InvalidArgument("dpgmm: value is not finite");
    if (!(counts[i] > 0) || !std::isfinite(counts[i])) {
      throw InvalidArgument("dpgmm: counts must be positive and finite");
    }
  }
  if (o.max_components < 1) throw InvalidArgument("dpgmm: max_components must be >= 1");
  if (!(o.weight_concentration >= 0) || !std::isfinite(o.weight_concentration)) {
    throw InvalidArgument("dpgmm: weight_concentration must be >= 0 (0 = 1/K)");
  }
  if (!(o.mean_precision_prior > 0) || !std::isfinite(o.mean_precision_prior)) {
    throw InvalidArgument("dpgmm: mean_precision_prior must be > 0");
  }
  if (!(o.dof_prior > 0) || !std::isfinite(o.dof_prior)) {
    throw InvalidArgument("dpgmm: dof_prior must be > 0");
  }
  if (!(o.reg_covar >= 0) || !std::isfinite(o.reg_covar)) {
    throw InvalidArgument("dpgmm: reg_covar must be >= 0");
  }
  if (o.max_iter < 1) throw InvalidArgument("dpgmm: max_iter must be >= 1");
  if (!(o.tol >= 0)) throw InvalidArgument("dpgmm: tol must be >= 0");
}

// One mode for a column whose values are all equal.
DpgmmModel constant_model(double value, double total_count, const DpgmmOptions& o) {
  DpgmmModel m;
  m.scale_min = value;
  m.scale_width = 1;
  const double var = o.reg_covar;
  m.means = {value};
  m.sigmas = {std::sqrt(var)};
  m.weights = {1.0};
  m.vb_mean = {0.0};
  m.vb_mean_precision = {o.mean_precision_prior + total_count};
  m.vb_dof = {o.dof_prior + total_count};
  m.vb_w = {var > 0 ? 1 / (var * m.vb_dof[0]) : 1.0};
  m.vb_log_weight = {0.0};
  m.vb_index = {0};
  m.n_iter = 0;
  m.converged = true;
  m.finalize();
  return m;
}

}  // namespace

void DpgmmModel::finalize() {
  const size_t n = vb_mean.size();
  score_const.assign(n, 0.0);
  score_prec.assign(n, 0.0);
  for (size_t k = 0; k < n; ++k) {
    score_const[k] = score_constant(vb_log_weight[k], vb_mean_precision[k], vb_dof[k], vb_w[k]);
    score_prec[k] = vb_dof[k] * vb_w[k];
  }
}

int DpgmmModel::mode(double x) const {
  const double xs = (x - scale_min) / scale_width;
  int best = 0;
  double best_score = -std::numeric_limits<double>::infinity();
  for (size_t k = 0; k < vb_mean.size(); ++k) {
    const double d = xs - vb_mean[k];
    const double s = score_const[k] - 0.5 * score_prec[k] * d * d;
    if (s > best_score || (s == best_score && vb_index[k] < vb_index[static_cast<size_t>(best)])) {
      best_score = s;
      best = static_cast<int>(k);
    }
  }
  return best;
}

int DpgmmModel::bin(double z) {
  int b = 0;
  for (int edge = -3; edge <= 3; ++edge) b += z > edge ? 1 : 0;
  return b;
}

int DpgmmModel::code(double x) const {
  const int m = mode(x);
  const auto mi = static_cast<size_t>(m);
  const double d = x - means[mi];
  double z;
  if (sigmas[mi] > 0) {
    z = d / sigmas[mi];
  } else {
    z = d > 0 ? std::numeric_limits<double>::infinity()
              : (d < 0 ? -std::numeric_limits<double>::infinity() : 0.0);
  }
  return 8 * m + bin(z);
}

nlohmann::json DpgmmModel::to_json() const {
  return nlohmann::json{{"kind", "dpgmm"},
                        {"version", 1},
                        {"scale_min", scale_min},
                        {"scale_width", scale_width},
                        {"means", means},
                        {"sigmas", sigmas},
                        {"weights", weights},
                        {"vb_mean", vb_mean},
                        {"vb_mean_precision", vb_mean_precision},
                        {"vb_dof", vb_dof},
                        {"vb_w", vb_w},
                        {"vb_log_weight", vb_log_weight},
                        {"vb_index", vb_index},
                        {"n_iter", n_iter},
                        {"converged", converged}};
}

namespace {

[[noreturn]] void format_error(const std::string& what) {
  throw ModelFormatError("dpgmm model: " + what);
}

std::vector<double> read_doubles(const nlohmann::json& j, const char* key, size_t expected_size,
                                 bool check_size) {
  if (!j.contains(key) || !j.at(key).is_array()) {
    format_error(std::string("missing array ") + key);
  }
  std::vector<double> out;
  for (const auto& v : j.at(key)) {
    if (!v.is_number()) format_error(std::string("non-numeric entry in ") + key);
    const double d = v.get<double>();
    if (!std::isfinite(d)) format_error(std::string("non-finite entry in ") + key);
    out.push_back(d);
  }
  if (check_size && out.size() != expected_size) {
    format_error(std::string("wrong length of ") + key);
  }
  return out;
}

double read_double(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j.at(key).is_number()) {
    format_error(std::string("missing number ") + key);
  }
  const double d = j.at(key).get<double>();
  if (!std::isfinite(d)) format_error(std::string("non-finite ") + key);
  return d;
}

}  // namespace

DpgmmModel DpgmmModel::from_json(const nlohmann::json& j) {
  if (!j.is_object()) format_error("not an object");
  if (!j.contains("kind") || j.at("kind") != "dpgmm") format_error("kind is not 'dpgmm'");
  if (!j.contains("version") || j.at("version") != 1) format_error("unsupported version");
  DpgmmModel m;
  m.scale_min = read_double(j, "scale_min");
  m.scale_width = read_double(j, "scale_width");
  if (!(m.scale_width > 0)) format_error("scale_width must be > 0");
  m.means = read_doubles(j, "means", 0, false);
  const size_t n = m.means.size();
  if (n == 0) format_error("no components");
  m.sigmas = read_doubles(j, "sigmas", n, true);
  m.weights = read_doubles(j, "weights", n, true);
  m.vb_mean = read_doubles(j, "vb_mean", n, true);
  m.vb_mean_precision = read_doubles(j, "vb_mean_precision", n, true);
  m.vb_dof = read_doubles(j, "vb_dof", n, true);
  m.vb_w = read_doubles(j, "vb_w", n, true);
  m.vb_log_weight = read_doubles(j, "vb_log_weight", n, true);
  const std::vector<double> index = read_doubles(j, "vb_index", n, true);
  for (size_t k = 0; k < n; ++k) {
    if (m.sigmas[k] < 0) format_error("negative sigma");
    if (!(m.vb_mean_precision[k] > 0) || !(m.vb_dof[k] > 0) || !(m.vb_w[k] > 0)) {
      format_error("variational parameters must be positive");
    }
    if (index[k] < 0 || index[k] > 1e9 || index[k] != std::floor(index[k])) {
      format_error("bad component index");
    }
    m.vb_index.push_back(static_cast<int>(index[k]));
  }
  if (j.contains("n_iter") && j.at("n_iter").is_number_integer()) {
    m.n_iter = j.at("n_iter").get<int>();
  }
  if (j.contains("converged") && j.at("converged").is_boolean()) {
    m.converged = j.at("converged").get<bool>();
  }
  m.finalize();
  return m;
}

DpgmmModel fit_dpgmm(const std::vector<double>& distinct_values, const std::vector<double>& counts,
                     const DpgmmOptions& options, uint64_t seed) {
  validate(distinct_values, counts, options);
  const size_t n = distinct_values.size();
  const auto [min_it, max_it] = std::minmax_element(distinct_values.begin(), distinct_values.end());
  const double lo = *min_it, hi = *max_it;
  const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
  if (!(hi > lo)) return constant_model(lo, total, options);

  // Min-max scaling to [0, 1].
  const double width = hi - lo;
  if (!std::isfinite(width)) throw InvalidArgument("dpgmm: value range overflows a double");
  std::vector<double> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = (distinct_values[i] - lo) / width;

  // Priors: m0 = weighted mean, W0^-1 = weighted variance (ddof 1, as np.cov).
  double mean = 0;
  for (size_t i = 0; i < n; ++i) mean += counts[i] * x[i];
  mean /= total;
  double ss = 0;
  for (size_t i = 0; i < n; ++i) ss += counts[i] * (x[i] - mean) * (x[i] - mean);
  double var = ss / (total > 1 ? total - 1 : total);
  if (!(var > 0)) var = std::max(options.reg_covar, std::numeric_limits<double>::min());

  const int k_count = options.max_components;
  const auto kc = static_cast<size_t>(k_count);
  Prior prior{options.weight_concentration > 0 ? options.weight_concentration : 1.0 / k_count,
              options.mean_precision_prior,
              mean,
              options.dof_prior,
              var,
              options.reg_covar};

  // Over kMaxFitPoints distinct values, consecutive values (in sorted order) are merged
  // into kMaxFitPoints groups (weighted mean, summed count) for the variational fit, so
  // its cost (points x components x iterations) is bounded whatever the row count; the
  // priors above and the labels below use every value.
  constexpr size_t kMaxFitPoints = 1024;
  std::vector<double> grouped_x, grouped_counts;
  if (n > kMaxFitPoints) {
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
    grouped_x.assign(kMaxFitPoints, 0.0);
    grouped_counts.assign(kMaxFitPoints, 0.0);
    for (size_t j = 0; j < n; ++j) {
      const size_t g = j * kMaxFitPoints / n, i = order[j];
      grouped_x[g] += counts[i] * x[i];
      grouped_counts[g] += counts[i];
    }
    for (size_t g = 0; g < kMaxFitPoints; ++g) grouped_x[g] /= grouped_counts[g];
    x.swap(grouped_x);
  }
  const std::vector<double>& fit_counts = grouped_counts.empty() ? counts : grouped_counts;
  const size_t points = x.size();

  // Random initial responsibilities (uniform, row-normalised), one RNG stream.
  core::Rng rng(seed);
  std::vector<double> resp(points * kc);
  for (size_t i = 0; i < points; ++i) {
    double* r = &resp[i * kc];
    double sum = 0;
    for (size_t k = 0; k < kc; ++k) sum += r[k] = rng.uniform();
    for (size_t k = 0; k < kc; ++k) r[k] = sum > 0 ? r[k] / sum : 1.0 / k_count;
  }
  VbParams p;
  for (auto* v : {&p.a, &p.b, &p.beta, &p.mean, &p.dof, &p.w}) v->assign(kc, 0.0);
  m_step(x, fit_counts, resp, k_count, prior, p);

  DpgmmModel model;
  double bound = -std::numeric_limits<double>::infinity();
  for (int iter = 1; iter <= options.max_iter; ++iter) {
    const double previous = bound;
    const double neg_entropy = e_step(x, fit_counts, k_count, p, resp);
    m_step(x, fit_counts, resp, k_count, prior, p);
    bound = lower_bound(p, neg_entropy);
    model.n_iter = iter;
    if (std::abs(bound - previous) < options.tol) {
      model.converged = true;
      break;
    }
  }

  // Labels: argmax of the E-step score with the final parameters (first index on ties), computed
  // by mode() itself on a model holding all K components, so the fitted model's mode() gives every
  // training value exactly its label.
  const std::vector<double> log_weight = expected_log_weights(p);
  DpgmmModel full;
  full.scale_min = lo;
  full.scale_width = width;
  full.vb_mean = p.mean;
  full.vb_mean_precision = p.beta;
  full.vb_dof = p.dof;
  full.vb_w = p.w;
  full.vb_log_weight = log_weight;
  for (int k = 0; k < k_count; ++k) full.vb_index.push_back(k);
  full.finalize();
  std::vector<char> used(kc, 0);
  for (size_t i = 0; i < n; ++i) used[static_cast<size_t>(full.mode(distinct_values[i]))] = 1;
  std::vector<size_t> ids;
  for (size_t k = 0; k < kc; ++k) {
    if (used[k]) ids.push_back(k);
  }
  std::stable_sort(ids.begin(), ids.end(),
                   [&](size_t u, size_t v) { return p.mean[u] < p.mean[v]; });

  const std::vector<double> all_weights = mixture_weights(p);
  double used_weight = 0;
  for (size_t k : ids) used_weight += all_weights[k];
  model.scale_min = lo;
  model.scale_width = width;
  for (size_t k : ids) {
    model.means.push_back(lo + width * p.mean[k]);
    model.sigmas.push_back(width * std::sqrt(1 / (p.w[k] * p.dof[k])));
    model.weights.push_back(used_weight > 0 ? all_weights[k] / used_weight
                                            : 1.0 / static_cast<double>(ids.size()));
    model.vb_mean.push_back(p.mean[k]);
    model.vb_mean_precision.push_back(p.beta[k]);
    model.vb_dof.push_back(p.dof[k]);
    model.vb_w.push_back(p.w[k]);
    model.vb_log_weight.push_back(log_weight[k]);
    model.vb_index.push_back(static_cast<int>(k));
  }
  model.finalize();
  return model;
}

}  // namespace meg::data
