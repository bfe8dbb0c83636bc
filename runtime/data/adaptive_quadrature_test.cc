#include "runtime/data/adaptive_quadrature.h"

#include <cmath>

#include "gtest/gtest.h"

namespace parsweep {
namespace {

QuadratureValue Exact(double v) { return {v, 0.0}; }

// The rule's constants: the 15-point Kronrod rule integrates polynomials of degree 22
// exactly, its 7-point Gauss rule those of degree 13, so |K15 - G7| vanishes up to
// degree 13 and not at 14. A wrong digit in a node or weight breaks one of these.
TEST(AdaptiveQuadratureTest, TheRulesIntegratePolynomialsOfTheirDegreesExactly) {
  QuadratureOptions one_interval;
  one_interval.max_intervals = 1;
  for (int k = 0; k <= 22; ++k) {
    const QuadratureResult r = IntegrateAdaptively([k](double x) { return Exact(std::pow(x, k)); },
                                                   -1.0, 1.0, one_interval);
    const double exact = k % 2 == 1 ? 0.0 : 2.0 / (k + 1);
    EXPECT_NEAR(r.value, exact, 1e-15) << "x^" << k;
    if (k <= 13) {
      EXPECT_NEAR(r.error, 0.0, 1e-15) << "x^" << k;
    } else if (k % 2 == 0) {
      EXPECT_GT(r.error, 1e-6) << "x^" << k;
    }
    EXPECT_EQ(r.evaluations, 15);
  }
}

TEST(AdaptiveQuadratureTest, ReachesTheToleranceAndItsEstimateCoversTheError) {
  struct Case {
    const char* name;
    double (*f)(double);
    double a, b, exact;
    bool halves;  // Whether the first 15 points cannot do.
  };
  const Case cases[] = {
      {"exp", [](double x) { return std::exp(x); }, 0.0, 1.0, std::exp(1.0) - 1.0, false},
      // An endpoint singularity: halvings toward 0.
      {"sqrt", [](double x) { return std::sqrt(x); }, 0.0, 1.0, 2.0 / 3.0, true},
      // A sharp peak inside: halvings around it.
      {"peak", [](double x) { return 1e-4 / (1e-8 + (x - 0.3) * (x - 0.3)); }, 0.0, 1.0,
       std::atan(0.7e4) + std::atan(0.3e4), true},
  };
  for (const Case& c : cases) {
    QuadratureOptions options;
    options.relative_tolerance = 1e-10;
    options.max_intervals = 200;
    const QuadratureResult r =
        IntegrateAdaptively([&](double x) { return Exact(c.f(x)); }, c.a, c.b, options);
    EXPECT_TRUE(r.converged) << c.name;
    EXPECT_LE(r.error, 1e-10 * std::abs(r.value)) << c.name;
    EXPECT_LE(std::abs(r.value - c.exact), r.error + 1e-15 * std::abs(c.exact)) << c.name;
    EXPECT_EQ(r.evaluations > 15, c.halves) << c.name;
    EXPECT_EQ((r.evaluations - 15) % 30, 0) << c.name;
  }
}

TEST(AdaptiveQuadratureTest, AbsoluteToleranceStopsEarlier) {
  QuadratureOptions options;
  options.relative_tolerance = 0.0;
  options.absolute_tolerance = 1e-3;
  const QuadratureResult loose =
      IntegrateAdaptively([](double x) { return Exact(std::sqrt(x)); }, 0.0, 1.0, options);
  options.absolute_tolerance = 1e-12;
  const QuadratureResult tight =
      IntegrateAdaptively([](double x) { return Exact(std::sqrt(x)); }, 0.0, 1.0, options);
  EXPECT_TRUE(loose.converged);
  EXPECT_TRUE(tight.converged);
  EXPECT_LT(loose.evaluations, tight.evaluations);
  EXPECT_LE(loose.error, 1e-3);
}

// An integrand that is itself an estimate: its errors are integrated into the result's,
// and do not drive the subdivision.
TEST(AdaptiveQuadratureTest, TheIntegrandsErrorsAreCarriedIntoTheResult) {
  QuadratureOptions options;
  const QuadratureResult r = IntegrateAdaptively(
      [](double x) {
        return QuadratureValue{x, 1e-6};
      },
      0.0, 2.0, options);
  EXPECT_NEAR(r.value, 2.0, 1e-15);
  EXPECT_NEAR(r.error, 2e-6, 1e-15);  // 1e-6 over a length of 2; the rule is exact for x.
  EXPECT_TRUE(r.converged);
  EXPECT_EQ(r.evaluations, 15);
}

TEST(AdaptiveQuadratureTest, StopsAtMaxIntervalsAndSaysItDidNotConverge) {
  QuadratureOptions options;
  options.relative_tolerance = 1e-15;
  options.max_intervals = 5;
  const QuadratureResult r =
      IntegrateAdaptively([](double x) { return Exact(std::sqrt(x)); }, 0.0, 1.0, options);
  EXPECT_FALSE(r.converged);
  EXPECT_EQ(r.evaluations, 15 + 4 * 30);
  EXPECT_GT(r.error, 1e-15 * r.value);
  EXPECT_NEAR(r.value, 2.0 / 3.0, r.error);
}

}  // namespace
}  // namespace parsweep
