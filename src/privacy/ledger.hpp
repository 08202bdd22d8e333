// What each step of a differentially private fit spent, and the guarantee of the whole.
// A ledger with a budget refuses a charge that would exceed it; its JSON form is saved in
// the model file and printed by `meg inspect`.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace meg::privacy {

struct Charge {
  std::string step;       // what read the data, e.g. "domain: age" or "counts: 2-way marginals"
  std::string mechanism;  // discrete_gaussian, discrete_laplace, exponential, gaussian_threshold
  double rho = 0;         // zCDP cost
  double delta = 0;       // additive delta (approximate zCDP: thresholding), else 0
  std::optional<double> epsilon;  // the epsilon of a pure epsilon-DP mechanism
  double sensitivity = 0;         // L2 (Gaussian), L1 (Laplace) or utility sensitivity
  double scale = 0;               // sigma (Gaussian), scale (Laplace), 0 otherwise
  std::string note;
};

class PrivacyLedger {
 public:
  // A ledger that only records.
  PrivacyLedger() = default;
  // A ledger holding the budget of a target (epsilon, delta): delta_reserved of delta is
  // kept for thresholding steps, the rest converts to the zCDP budget
  // rho = cdp_rho(epsilon, delta - delta_reserved).
  PrivacyLedger(double epsilon, double delta, double delta_reserved = 0);

  // Records a charge; throws InvalidArgument if it would exceed the budget (rho or delta).
  const Charge& charge(Charge c);
  // Discrete Gaussian noise of variance sigma2 on a query of L2 sensitivity `sensitivity`.
  const Charge& charge_gaussian(const std::string& step, double sensitivity, double sigma2,
                                const std::string& note = "");
  // Discrete Laplace noise of `scale` on a query of L1 sensitivity `sensitivity`
  // (epsilon = sensitivity / scale, rho = epsilon^2 / 2).
  const Charge& charge_laplace(const std::string& step, double sensitivity, double scale,
                               const std::string& note = "");
  // The exponential mechanism with parameter epsilon (rho = epsilon^2 / 8).
  const Charge& charge_exponential(const std::string& step, double epsilon,
                                   const std::string& note = "");
  // Gaussian noisy counts kept above a threshold (private level selection): rho of the noise
  // plus the probability delta that a level held by one row is released. For c columns
  // selected at once: sensitivity sqrt(c) and delta = c times the per-column delta.
  const Charge& charge_threshold(const std::string& step, double sensitivity, double sigma2,
                                 double delta, const std::string& note = "");

  const std::vector<Charge>& charges() const { return charges_; }
  double rho_spent() const;
  double delta_spent() const;
  // Sum of epsilons when every charge is pure epsilon-DP (none Gaussian), else empty.
  std::optional<double> pure_epsilon() const;
  // The (epsilon, delta) guarantee of everything charged so far, at total delta `delta`:
  // the tighter of the pure epsilon (if any) and the zCDP conversion of rho_spent at
  // delta - delta_spent. Infinity if delta <= delta_spent.
  double epsilon_at(double delta) const;

  bool has_budget() const { return rho_budget_ > 0; }
  double rho_budget() const { return rho_budget_; }
  double rho_remaining() const;
  double target_epsilon() const { return target_epsilon_; }
  double target_delta() const { return target_delta_; }
  double delta_reserved() const { return delta_reserved_; }

  nlohmann::json to_json() const;
  // Throws ModelFormatError on a malformed tree.
  static PrivacyLedger from_json(const nlohmann::json& j);
  // A readable table: one line per charge, then the totals and the guarantee.
  std::string to_text() const;

 private:
  std::vector<Charge> charges_;
  double target_epsilon_ = 0, target_delta_ = 0, delta_reserved_ = 0, rho_budget_ = 0;
};

}  // namespace meg::privacy
