// Privacy accounting in zero-concentrated differential privacy (zCDP; Bun & Steinke,
// "Concentrated Differential Privacy: Simplifications, Extensions, and Lower Bounds", 2016):
// each mechanism costs a rho, costs add up under composition, and the total converts to an
// (epsilon, delta) guarantee. Neighbouring tables differ by adding or removing one row.
#pragma once

namespace meg::privacy {

// The conversion of Canonne, Kamath & Steinke 2020 (proposition 12; the same bound as
// Asoodeh et al. 2021): rho-zCDP implies (epsilon, delta)-DP for
//   delta = inf over alpha > 1 of exp((alpha-1)(alpha rho - epsilon)) / (alpha-1) *
//   (1-1/alpha)^alpha.
// Any alpha gives a valid delta, so the numerical minimisation can only loosen the bound.
double cdp_delta(double rho, double epsilon);

// The smallest epsilon with cdp_delta(rho, epsilon) <= delta (rounded up).
double cdp_epsilon(double rho, double delta);

// The classic, looser conversion rho + 2 sqrt(rho log(1/delta)) (Bun & Steinke 2016,
// proposition 1.3). cdp_epsilon is never larger.
double cdp_epsilon_simple(double rho, double delta);

// The largest total rho whose conversion meets (epsilon, delta) (rounded down): the zCDP
// budget of a target guarantee.
double cdp_rho(double epsilon, double delta);

// Costs of the mechanisms.
// Gaussian noise of variance sigma2 on a query of L2 sensitivity `sensitivity`:
// rho = sensitivity^2 / (2 sigma2); the discrete Gaussian costs the same (Canonne, Kamath & Steinke
// 2020).
double gaussian_rho(double sensitivity, double sigma2);
// The variance that costs `rho`.
double gaussian_sigma2(double sensitivity, double rho);
// A pure epsilon-DP mechanism (e.g. Laplace noise): rho = epsilon^2 / 2 (Bun & Steinke 2016,
// proposition 1.4).
double pure_rho(double epsilon);
// The exponential mechanism with parameter epsilon is epsilon-bounded-range, hence
// epsilon^2 / 8 zCDP (Cesar & Rogers, "Bounding, Concentrating, and Truncating", 2021).
double exponential_rho(double epsilon);
// The epsilon of the exponential mechanism that costs `rho`.
double exponential_epsilon(double rho);

}  // namespace meg::privacy
