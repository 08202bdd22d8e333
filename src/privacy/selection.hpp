// The exponential mechanism (McSherry & Talwar 2007) for private choices: which parent,
// which smoothing strength, which cut point. Candidate i is returned with probability
// proportional to exp(epsilon u_i / (2 Delta)), sampled exactly: propose a candidate
// uniformly, accept it with Bernoulli(exp(-epsilon (u_max - u_i) / (2 Delta))) drawn by the
// exact procedure of exact.hpp, repeat. The accepted index has exactly the mechanism's
// distribution, and no probability is ever formed in floating point (the failure mode of
// exp()-then-normalise implementations; Ilvento, "Implementing the Exponential Mechanism
// with Base-2 Differential Privacy", 2020). Expected proposals: m / sum_i exp(-gap_i) <= m.
//
// It is epsilon-DP and epsilon-bounded-range, so it costs epsilon^2 / 8 in zCDP
// (accountant.hpp). The running time depends on the data; the threat model (docs/privacy.md)
// covers the released model, not timing.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "privacy/exact.hpp"
#include "privacy/secure_rng.hpp"

namespace meg::privacy {

// Integer utilities (in any unit): P(i) proportional to exp(rate * u_i), rate = num / den per
// unit. The caller sets rate = epsilon / (2 Delta) in those units, rounded down.
size_t exponential_mechanism_units(SecureRng& rng, const std::vector<int64_t>& utility,
                                   const Ratio& rate);
// The same over m candidates whose utilities are computed on demand (best = their maximum),
// for large candidate sets such as the points of a fine grid.
size_t exponential_mechanism_units(SecureRng& rng, size_t m,
                                   const std::function<int64_t(size_t)>& utility, int64_t best,
                                   const Ratio& rate);

// Real utilities of sensitivity `sensitivity`, snapped to multiples of `granularity` first.
// Snapping moves a utility by at most granularity / 2, so the snapped utilities have
// sensitivity sensitivity + granularity, and the mechanism is calibrated to that: it is
// epsilon-DP whatever the scores' rounding. Scores must be finite with |score| / granularity
// below 2^62.
size_t exponential_mechanism(SecureRng& rng, const std::vector<double>& scores, double epsilon,
                             double sensitivity, double granularity);

}  // namespace meg::privacy
