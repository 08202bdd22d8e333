// The zCDP accountant against known values. The references were computed independently
// with scipy (minimize_scalar over alpha, brentq for epsilon and rho, tolerance 1e-15),
// and the first two agree with OpenDP's published test of the same conversion.
#include <gtest/gtest.h>

#include <cmath>

#include "meg/error.hpp"
#include "privacy/accountant.hpp"

using namespace meg::privacy;

TEST(Accountant, ConversionMatchesReferenceValues) {
  // rho = (1/4)^2 / 2: Gaussian noise of scale 4 on a sensitivity-1 query.
  EXPECT_NEAR(cdp_epsilon(0.03125, 1e-3), 0.6880024554878085, 1e-9);
  EXPECT_NEAR(cdp_delta(0.03125, 0.0), 0.1508457845622861, 1e-12);
  struct Row {
    double rho, delta, eps;
  };
  for (const Row& r : {Row{0.5, 1e-6, 5.221534444530169}, Row{0.1, 1e-5, 1.914238832003598},
                       Row{1.0, 1e-6, 7.766216625311721}, Row{0.01, 1e-6, 0.6216926545596027},
                       Row{2.0, 1e-9, 14.150147553874598}}) {
    EXPECT_NEAR(cdp_epsilon(r.rho, r.delta), r.eps, 1e-9 * r.eps) << r.rho << " " << r.delta;
  }
}

TEST(Accountant, TightConversionBeatsTheSimpleOne) {
  for (double rho : {1e-4, 0.01, 0.1, 1.0, 10.0}) {
    for (double delta : {1e-3, 1e-6, 1e-9}) {
      const double tight = cdp_epsilon(rho, delta), simple = cdp_epsilon_simple(rho, delta);
      EXPECT_LE(tight, simple) << rho << " " << delta;
      EXPECT_NEAR(simple, rho + 2 * std::sqrt(rho * std::log(1 / delta)), 1e-12);
      // The returned epsilon meets delta (it is rounded up).
      EXPECT_LE(cdp_delta(rho, tight), delta * (1 + 1e-9));
    }
  }
}

TEST(Accountant, InverseGivesTheBudget) {
  struct Row {
    double eps, delta, rho;
  };
  for (const Row& r : {Row{1, 1e-6, 0.024355970359538372}, Row{0.1, 1e-6, 0.0003210476903457471},
                       Row{10, 1e-6, 1.5392787638667287}, Row{3, 1e-5, 0.22424916824634533}}) {
    const double rho = cdp_rho(r.eps, r.delta);
    EXPECT_NEAR(rho, r.rho, 1e-9 * r.rho) << r.eps;
    EXPECT_LE(cdp_epsilon(rho, r.delta), r.eps * (1 + 1e-12));  // rounded down: within budget
  }
}

TEST(Accountant, MechanismCosts) {
  EXPECT_DOUBLE_EQ(gaussian_rho(1.0, 50.0), 0.01);
  EXPECT_DOUBLE_EQ(gaussian_rho(std::sqrt(2.0), 1.0), 1.0);
  EXPECT_DOUBLE_EQ(gaussian_sigma2(1.0, 0.01), 50.0);
  EXPECT_DOUBLE_EQ(pure_rho(0.2), 0.02);
  EXPECT_DOUBLE_EQ(exponential_rho(0.2), 0.005);
  EXPECT_DOUBLE_EQ(exponential_epsilon(0.005), 0.2);
  EXPECT_DOUBLE_EQ(cdp_delta(0.0, 1.0), 0.0);
  EXPECT_DOUBLE_EQ(cdp_epsilon(0.0, 1e-6), 0.0);
  EXPECT_THROW(cdp_epsilon(-1, 1e-6), meg::InvalidArgument);
  EXPECT_THROW(cdp_epsilon(1, 0), meg::InvalidArgument);
  EXPECT_THROW(cdp_rho(0, 1e-6), meg::InvalidArgument);
  EXPECT_THROW(gaussian_sigma2(1, 0), meg::InvalidArgument);
}
