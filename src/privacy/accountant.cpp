#include "privacy/accountant.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "meg/error.hpp"

namespace meg::privacy {
namespace {

void check_rho(double rho) {
  if (!(rho >= 0) || !std::isfinite(rho)) {
    throw InvalidArgument(fmt::format("privacy: rho {} is not a finite non-negative number", rho));
  }
}

void check_delta(double delta) {
  if (!(delta > 0 && delta < 1)) {
    throw InvalidArgument(fmt::format("privacy: delta {} is not in (0, 1)", delta));
  }
}

// log of the CKS bound at alpha: (alpha-1)(alpha rho - eps) + alpha log(1-1/alpha) - log(alpha-1).
double log_delta_at(double rho, double eps, double alpha) {
  return (alpha - 1) * (alpha * rho - eps) + alpha * std::log1p(-1.0 / alpha) - std::log(alpha - 1);
}

// Its derivative in alpha, (2 alpha - 1) rho - eps + log(1 - 1/alpha), increases with alpha.
double slope_at(double rho, double eps, double alpha) {
  return (2 * alpha - 1) * rho - eps + std::log1p(-1.0 / alpha);
}

}  // namespace

double cdp_delta(double rho, double epsilon) {
  check_rho(rho);
  if (!(epsilon >= 0)) throw InvalidArgument(fmt::format("privacy: epsilon {} < 0", epsilon));
  if (rho == 0 || std::isinf(epsilon)) return 0.0;
  // The minimiser of the convex log-bound is where its slope crosses zero.
  double lo = 1.0, hi = 2.0;
  while (slope_at(rho, epsilon, hi) < 0 && hi < 1e300) hi *= 2;
  for (int i = 0; i < 400 && hi - lo > 1e-15 * hi; ++i) {
    const double mid = lo + (hi - lo) / 2;
    (slope_at(rho, epsilon, mid) < 0 ? lo : hi) = mid;
  }
  const double alpha = std::max(hi, 1.0 + 1e-12);
  return std::min(1.0, std::exp(log_delta_at(rho, epsilon, alpha)));
}

double cdp_epsilon_simple(double rho, double delta) {
  check_rho(rho);
  check_delta(delta);
  return rho + 2 * std::sqrt(rho * std::log(1 / delta));
}

double cdp_epsilon(double rho, double delta) {
  check_rho(rho);
  check_delta(delta);
  if (rho == 0 || cdp_delta(rho, 0.0) <= delta) return 0.0;
  double lo = 0.0, hi = cdp_epsilon_simple(rho, delta);
  while (cdp_delta(rho, hi) > delta) hi *= 2;  // the simple bound suffices in exact arithmetic
  for (int i = 0; i < 200 && hi - lo > 1e-14 * hi; ++i) {
    const double mid = lo + (hi - lo) / 2;
    (cdp_delta(rho, mid) > delta ? lo : hi) = mid;
  }
  return hi;
}

double cdp_rho(double epsilon, double delta) {
  if (!(epsilon > 0) || !std::isfinite(epsilon)) {
    throw InvalidArgument(
        fmt::format("privacy: epsilon {} is not a finite positive number", epsilon));
  }
  check_delta(delta);
  double lo = 0.0, hi = epsilon;  // rho <= cdp_epsilon(rho, delta)
  for (int i = 0; i < 200 && hi - lo > 1e-14 * hi; ++i) {
    const double mid = lo + (hi - lo) / 2;
    (cdp_epsilon(mid, delta) <= epsilon ? lo : hi) = mid;
  }
  return lo;
}

double gaussian_rho(double sensitivity, double sigma2) {
  if (!(sigma2 > 0) || !(sensitivity >= 0)) {
    throw InvalidArgument("privacy: Gaussian cost needs sigma^2 > 0 and sensitivity >= 0");
  }
  return sensitivity * sensitivity / (2 * sigma2);
}

double gaussian_sigma2(double sensitivity, double rho) {
  if (!(rho > 0) || !(sensitivity > 0)) {
    throw InvalidArgument("privacy: Gaussian calibration needs rho > 0 and sensitivity > 0");
  }
  return sensitivity * sensitivity / (2 * rho);
}

double pure_rho(double epsilon) {
  if (!(epsilon >= 0)) throw InvalidArgument("privacy: epsilon < 0");
  return epsilon * epsilon / 2;
}

double exponential_rho(double epsilon) {
  if (!(epsilon >= 0)) throw InvalidArgument("privacy: epsilon < 0");
  return epsilon * epsilon / 8;
}

double exponential_epsilon(double rho) {
  check_rho(rho);
  return std::sqrt(8 * rho);
}

}  // namespace meg::privacy
