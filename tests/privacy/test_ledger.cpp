#include <gtest/gtest.h>

#include <cmath>

#include "meg/error.hpp"
#include "privacy/accountant.hpp"
#include "privacy/ledger.hpp"

using namespace meg::privacy;

TEST(Ledger, AddsCostsAndConvertsTheTotal) {
  PrivacyLedger l(1.0, 1e-6, 1e-7);
  EXPECT_NEAR(l.rho_budget(), cdp_rho(1.0, 9e-7), 1e-15);
  l.charge_gaussian("counts: 2-way marginals", std::sqrt(14.0), 2000.0);
  l.charge_exponential("structure: parent of age", 0.05);
  l.charge_laplace("rows", 1.0, 100.0);
  l.charge_threshold("domain: levels of 2 columns", std::sqrt(2.0), 400.0, 5e-8);
  const double rho = 14.0 / 4000 + 0.05 * 0.05 / 8 + 0.01 * 0.01 / 2 + 2.0 / 800;
  EXPECT_NEAR(l.rho_spent(), rho, 1e-15);
  EXPECT_NEAR(l.delta_spent(), 5e-8, 1e-20);
  EXPECT_FALSE(l.pure_epsilon().has_value());  // Gaussian steps: no pure epsilon
  EXPECT_NEAR(l.epsilon_at(1e-6), cdp_epsilon(rho, 1e-6 - 5e-8), 1e-12);
  EXPECT_LE(l.epsilon_at(1e-6), 1.0);
  EXPECT_NEAR(l.rho_remaining(), l.rho_budget() - rho, 1e-15);
  EXPECT_EQ(l.charges().size(), 4u);
  EXPECT_EQ(l.charges()[1].mechanism, "exponential");
}

TEST(Ledger, RefusesToOverspend) {
  PrivacyLedger l(0.1, 1e-6);
  const double budget = l.rho_budget();
  l.charge_gaussian("half", 1.0, 1.0 / budget);  // rho = budget / 2
  EXPECT_THROW(l.charge_gaussian("too much", 1.0, 1.0 / (1.2 * budget)), meg::InvalidArgument);
  EXPECT_EQ(l.charges().size(), 1u);
  l.charge_gaussian("the rest", 1.0, 1.0 / budget);
  EXPECT_NEAR(l.rho_remaining(), 0.0, 1e-12);
  EXPECT_THROW(l.charge_threshold("no delta reserved", 1.0, 1e6, 1e-9), meg::InvalidArgument);
}

TEST(Ledger, PureMechanismsComposeToAPureEpsilon) {
  PrivacyLedger l;                  // records only
  l.charge_laplace("a", 1.0, 2.0);  // epsilon 0.5
  l.charge_exponential("b", 0.25);
  ASSERT_TRUE(l.pure_epsilon().has_value());
  EXPECT_DOUBLE_EQ(*l.pure_epsilon(), 0.75);
  EXPECT_LE(l.epsilon_at(1e-6), 0.75);
  EXPECT_FALSE(l.has_budget());
}

TEST(Ledger, JsonRoundTripAndText) {
  PrivacyLedger l(1.0, 1e-6, 1e-7);
  l.charge_gaussian("counts", 1.0, 100.0, "one-way marginals");
  l.charge_exponential("structure", 0.1);
  const nlohmann::json j = l.to_json();
  EXPECT_EQ(j["accountant"], "zCDP");
  EXPECT_EQ(j["steps"].size(), 2u);
  const PrivacyLedger back = PrivacyLedger::from_json(j);
  EXPECT_EQ(back.to_json().dump(), j.dump());
  EXPECT_EQ(back.charges()[0].note, "one-way marginals");
  const std::string text = l.to_text();
  EXPECT_NE(text.find("counts"), std::string::npos);
  EXPECT_NE(text.find("discrete_gaussian"), std::string::npos);
  EXPECT_NE(text.find("guarantee"), std::string::npos);
  nlohmann::json bad = j;
  bad["steps"][0]["rho"] = -1;
  EXPECT_THROW(PrivacyLedger::from_json(bad), meg::ModelFormatError);
  EXPECT_THROW(PrivacyLedger::from_json(nlohmann::json::array()), meg::ModelFormatError);
  bad = j;
  bad["steps"][0].erase("mechanism");
  EXPECT_THROW(PrivacyLedger::from_json(bad), meg::ModelFormatError);
}
