// The GANBLR++ numeric discretiser (docs/design.md §2, §8), with the reference's bugs fixed: a 1-D
// Dirichlet-process Gaussian mixture fitted by variational Bayes (sklearn BayesianGaussianMixture
// semantics, weight_concentration_prior_type='dirichlet_process', random initialisation), whose
// used components become modes; a value's code is 8 * mode + bin, where the bin splits the mode's
// Gaussian at -3σ, -2σ, -σ, 0, σ, 2σ, 3σ (intervals closed on the right).
//
// Fixes relative to the reference: parameters are those of the components actually used (not the
// first M); no re-fitted relabelling at transform time (mode() scores against the stored used
// components); covariance regularisation 1e-6; one seeded RNG stream; deterministic for a seed.
#pragma once
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace meg::data {

struct DpgmmOptions {
  int max_components = 10;            // truncation K (>= 1)
  double weight_concentration = 0;    // gamma (>= 0); 0 = 1/K
  double mean_precision_prior = 0.1;  // beta0 (> 0)
  double dof_prior = 1.0;             // nu0 (> 0)
  double reg_covar = 1e-6;            // added to every component's variance, in scaled units
  int max_iter = 1500;                // >= 1
  double tol = 1e-3;                  // stop when the lower bound changes by less than this
};

struct DpgmmModel {
  // Components actually used (at least one training row assigned), sorted by mean ascending: mean
  // and sigma in ORIGINAL units (min-max scaling undone), and mixture weight (the expected
  // stick-breaking weights of the used components, renormalised to sum to 1).
  std::vector<double> means, sigmas, weights;
  // Fit diagnostics (not needed by mode/code).
  int n_iter = 0;
  bool converged = false;

  // Number of modes (used components).
  int num_modes() const { return static_cast<int>(means.size()); }
  // Number of codes: 8 * num_modes().
  int num_codes() const { return 8 * num_modes(); }

  // Mode of x: argmax over the used components of the E-step score E[log w_k] + E[log N(x|k)]
  // (as the reference computes labels), ties to the lower original component index. For a
  // training value this is exactly the label the fit assigned it. Far outside the training range
  // the quadratic term dominates, so the widest component wins there, not the nearest. NaN -> 0.
  int mode(double x) const;
  // Bin of z (in sigmas) within a mode: 0..7 with edges -3,-2,-1,0,1,2,3, intervals closed on the
  // right (z <= -3 -> 0, -3 < z <= -2 -> 1, ..., 2 < z <= 3 -> 6, z > 3 -> 7). NaN gives 0.
  static int bin(double z_in_sigmas);
  // code = 8 * mode(x) + bin((x - means[m]) / sigmas[m]).
  int code(double x) const;

  nlohmann::json to_json() const;
  // Throws meg::ModelFormatError on malformed input.
  static DpgmmModel from_json(const nlohmann::json& j);

  // Internal state for mode(), in scaled units x_s = (x - scale_min) / scale_width, one entry per
  // used component in the order of `means`: the variational parameters and E[log w_k].
  double scale_min = 0, scale_width = 1;
  std::vector<double> vb_mean;            // m_k
  std::vector<double> vb_mean_precision;  // beta_k
  std::vector<double> vb_dof;             // nu_k
  std::vector<double> vb_w;               // w_k (Wishart scale; 1/w_k = nu_k * variance)
  std::vector<double> vb_log_weight;      // E[log w_k] under the stick-breaking posterior
  std::vector<int> vb_index;              // original component index (tie-break order)

  // Derived from the above by finalize(): score_k(x_s) = score_const[k] - 0.5 * score_prec[k] *
  // (x_s - vb_mean[k])^2.
  std::vector<double> score_const, score_prec;
  // Recomputes score_const / score_prec from the variational parameters.
  void finalize();
};

// Fits on the DISTINCT values of a column with their counts (weighted VB: equivalent to fitting on
// the expanded column, but O(distinct * K) per iteration). Values are min-max scaled to [0,1]
// internally; priors m0 = weighted mean, W0^-1 = weighted variance (ddof 1) of the scaled values.
// The random initial responsibilities (uniform, row-normalised) are drawn per distinct value from
// one core::Rng(seed) stream, so a seed gives a bit-identical model. Given the same initial
// responsibilities, the fit equals sklearn 1.2's BayesianGaussianMixture on the expanded column.
// Counts must be positive and finite, values finite; throws meg::InvalidArgument on empty input,
// mismatched sizes, a range that overflows a double, or bad options. A single distinct value gives
// one mode with sigma = sqrt(reg_covar) (the scaled range is 0, so the scale width is taken as 1).
DpgmmModel fit_dpgmm(const std::vector<double>& distinct_values, const std::vector<double>& counts,
                     const DpgmmOptions& options, uint64_t seed);

namespace detail {
// Digamma and log-gamma for x > 0 (recurrence to x >= 10, then asymptotic series; ~1e-14).
double digamma(double x);
double log_gamma(double x);
}  // namespace detail

}  // namespace meg::data
