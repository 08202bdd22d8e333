#include "privacy/ledger.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "meg/error.hpp"
#include "privacy/accountant.hpp"

namespace meg::privacy {
namespace {

// Charges may exceed the budget by rounding only.
constexpr double kSlack = 1e-9;

}  // namespace

PrivacyLedger::PrivacyLedger(double epsilon, double delta, double delta_reserved)
    : target_epsilon_(epsilon), target_delta_(delta), delta_reserved_(delta_reserved) {
  if (!(delta_reserved >= 0 && delta_reserved < delta)) {
    throw InvalidArgument(
        fmt::format("privacy: reserved delta {} is not in [0, delta = {})", delta_reserved, delta));
  }
  rho_budget_ = cdp_rho(epsilon, delta - delta_reserved);
}

const Charge& PrivacyLedger::charge(Charge c) {
  if (!(c.rho >= 0) || !std::isfinite(c.rho) || !(c.delta >= 0 && c.delta < 1)) {
    throw InvalidArgument(fmt::format("privacy: step '{}' has an invalid cost", c.step));
  }
  if (has_budget()) {
    if (rho_spent() + c.rho > rho_budget_ * (1 + kSlack)) {
      throw InvalidArgument(fmt::format(
          "privacy: step '{}' needs rho {:.6g} but only {:.6g} of the budget {:.6g} is left",
          c.step, c.rho, rho_remaining(), rho_budget_));
    }
    if (delta_spent() + c.delta > delta_reserved_ * (1 + kSlack)) {
      throw InvalidArgument(fmt::format(
          "privacy: step '{}' needs delta {:.3g} beyond the {:.3g} reserved for thresholds", c.step,
          c.delta, delta_reserved_));
    }
  }
  charges_.push_back(std::move(c));
  return charges_.back();
}

const Charge& PrivacyLedger::charge_gaussian(const std::string& step, double sensitivity,
                                             double sigma2, const std::string& note) {
  Charge c{step,
           "discrete_gaussian",
           gaussian_rho(sensitivity, sigma2),
           0,
           std::nullopt,
           sensitivity,
           std::sqrt(sigma2),
           note};
  return charge(std::move(c));
}

const Charge& PrivacyLedger::charge_laplace(const std::string& step, double sensitivity,
                                            double scale, const std::string& note) {
  if (!(scale > 0) || !(sensitivity >= 0)) {
    throw InvalidArgument("privacy: Laplace cost needs scale > 0 and sensitivity >= 0");
  }
  const double eps = sensitivity / scale;
  return charge({step, "discrete_laplace", pure_rho(eps), 0, eps, sensitivity, scale, note});
}

const Charge& PrivacyLedger::charge_exponential(const std::string& step, double epsilon,
                                                const std::string& note) {
  return charge({step, "exponential", exponential_rho(epsilon), 0, epsilon, 1.0, 0, note});
}

const Charge& PrivacyLedger::charge_threshold(const std::string& step, double sensitivity,
                                              double sigma2, double delta,
                                              const std::string& note) {
  return charge({step, "gaussian_threshold", gaussian_rho(sensitivity, sigma2), delta, std::nullopt,
                 sensitivity, std::sqrt(sigma2), note});
}

double PrivacyLedger::rho_spent() const {
  double s = 0;
  for (const auto& c : charges_) s += c.rho;
  return s;
}

double PrivacyLedger::delta_spent() const {
  double s = 0;
  for (const auto& c : charges_) s += c.delta;
  return s;
}

std::optional<double> PrivacyLedger::pure_epsilon() const {
  double s = 0;
  for (const auto& c : charges_) {
    if (!c.epsilon || c.delta > 0) return std::nullopt;
    s += *c.epsilon;
  }
  return s;
}

double PrivacyLedger::epsilon_at(double delta) const {
  const double rest = delta - delta_spent();
  double eps = std::numeric_limits<double>::infinity();
  if (rest > 0 && rest < 1) eps = cdp_epsilon(rho_spent(), rest);
  if (auto pure = pure_epsilon()) eps = std::min(eps, *pure);
  return eps;
}

double PrivacyLedger::rho_remaining() const {
  return has_budget() ? std::max(0.0, rho_budget_ - rho_spent()) : 0.0;
}

nlohmann::json PrivacyLedger::to_json() const {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& c : charges_) {
    nlohmann::json j = {{"step", c.step},   {"mechanism", c.mechanism},     {"rho", c.rho},
                        {"delta", c.delta}, {"sensitivity", c.sensitivity}, {"scale", c.scale}};
    if (c.epsilon) j["epsilon"] = *c.epsilon;
    if (!c.note.empty()) j["note"] = c.note;
    steps.push_back(std::move(j));
  }
  nlohmann::json out = {{"accountant", "zCDP"},
                        {"neighbours", "add or remove one row"},
                        {"rho_spent", rho_spent()},
                        {"delta_spent", delta_spent()},
                        {"steps", std::move(steps)}};
  if (has_budget()) {
    out["target_epsilon"] = target_epsilon_;
    out["target_delta"] = target_delta_;
    out["delta_reserved"] = delta_reserved_;
    out["rho_budget"] = rho_budget_;
    out["epsilon"] = epsilon_at(target_delta_);
  }
  return out;
}

PrivacyLedger PrivacyLedger::from_json(const nlohmann::json& j) {
  PrivacyLedger l;
  try {
    if (!j.is_object() || j.value("accountant", "") != "zCDP") {
      throw ModelFormatError("model: privacy ledger is not a zCDP ledger");
    }
    if (j.contains("rho_budget")) {
      l.target_epsilon_ = j.at("target_epsilon").get<double>();
      l.target_delta_ = j.at("target_delta").get<double>();
      l.delta_reserved_ = j.at("delta_reserved").get<double>();
      l.rho_budget_ = j.at("rho_budget").get<double>();
      if (!(l.rho_budget_ > 0) || !(l.target_delta_ > 0 && l.target_delta_ < 1) ||
          !(l.delta_reserved_ >= 0 && l.delta_reserved_ < l.target_delta_)) {
        throw ModelFormatError("model: privacy ledger has an invalid budget");
      }
    }
    for (const auto& s : j.at("steps")) {
      Charge c;
      c.step = s.at("step").get<std::string>();
      c.mechanism = s.at("mechanism").get<std::string>();
      c.rho = s.at("rho").get<double>();
      c.delta = s.at("delta").get<double>();
      c.sensitivity = s.at("sensitivity").get<double>();
      c.scale = s.at("scale").get<double>();
      if (s.contains("epsilon")) c.epsilon = s["epsilon"].get<double>();
      c.note = s.value("note", "");
      if (!(c.rho >= 0) || !std::isfinite(c.rho) || !(c.delta >= 0 && c.delta < 1)) {
        throw ModelFormatError("model: privacy ledger has an invalid step");
      }
      l.charges_.push_back(std::move(c));
    }
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(std::string("model: bad privacy ledger: ") + e.what());
  }
  return l;
}

std::string PrivacyLedger::to_text() const {
  std::string out = fmt::format("{:<36} {:<18} {:>11} {:>9} {:>10}\n", "step", "mechanism", "rho",
                                "epsilon", "delta");
  for (const auto& c : charges_) {
    out += fmt::format("{:<36} {:<18} {:>11.6g} {:>9} {:>10}\n", c.step, c.mechanism, c.rho,
                       c.epsilon ? fmt::format("{:.4g}", *c.epsilon) : "-",
                       c.delta > 0 ? fmt::format("{:.3g}", c.delta) : "-");
  }
  out += fmt::format("total rho {:.6g}, threshold delta {:.3g}", rho_spent(), delta_spent());
  if (has_budget()) {
    out += fmt::format(" (budget rho {:.6g} for epsilon {} at delta {})\n", rho_budget_,
                       target_epsilon_, target_delta_);
    out += fmt::format("guarantee: ({:.4g}, {:.3g})-differential privacy, add/remove one row\n",
                       epsilon_at(target_delta_), target_delta_);
  } else {
    out += "\n";
  }
  return out;
}

}  // namespace meg::privacy
