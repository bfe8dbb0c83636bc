#include "runtime/data/mvn_rectangle.h"

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/data/mvn_rectangle_reference.h"
#include "runtime/data/standard_normal.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<MvnReference> References() {
  absl::StatusOr<std::vector<MvnReference>> rows = ReadMvnReferences();
  EXPECT_TRUE(rows.ok()) << rows.status();
  return rows.ok() ? *rows : std::vector<MvnReference>();
}

MvnRectangleResult Compute(const MvnReference& r) {
  absl::StatusOr<MvnRectangleResult> result = MvnRectangleProbability(r.lo, r.hi, r.mean, r.cov);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : MvnRectangleResult{};
}

// In 2-D and 3-D (quadrature), every reference row: strong correlations (+-0.9, 0.99),
// tiny and wide boxes, boxes far in a tail (down to 1e-113), infinite limits, diagonal
// covariances, and the hypercube kernel's windows.
//  - scipy's multivariate_normal.cdf, the reference the issue names: within 1e-6 of P
//    relative, beyond the absolute error scipy was asked for (its bivariate algorithm's
//    digits are absolute: far in a tail it is noise, even negative).
//  - scipy's nested quad, accurate relative to P everywhere: within 1e-12 relative.
//  - the closed forms (orthants, independent coordinates): within 1e-12 relative.
//  - the error estimate meets the default tolerance, 1e-10 relative.
TEST(MvnRectangleTest, AgreesWithScipyInTwoAndThreeDimensions) {
  int rows = 0;
  for (const MvnReference& r : References()) {
    if (r.dims() > 3) continue;
    SCOPED_TRACE(r.name);
    ++rows;
    ASSERT_TRUE(r.quad.has_value());
    const double quad = *r.quad;
    const MvnRectangleResult got = Compute(r);
    EXPECT_NEAR(got.probability, r.scipy_cdf, 1e-6 * quad + r.scipy_abseps);
    EXPECT_NEAR(got.probability, quad, 1e-12 * quad);
    if (r.exact) {
      EXPECT_NEAR(got.probability, *r.exact, 1e-12 * *r.exact);
    }
    EXPECT_TRUE(got.converged);
    EXPECT_LE(got.error, 1e-10 * got.probability);
  }
  EXPECT_GE(rows, 40);
}

// In 4-D and 5-D (the lattice rule): the equicorrelated orthants' closed form 1 / (d + 1)
// within the error estimate, and scipy (itself a lattice rule, to 1e-9) within both
// estimates. The 5-D orthant stops at the budget short of its 1e-6 target; its estimate
// still covers its error.
TEST(MvnRectangleTest, TheLatticeRuleAgreesWithinItsErrorEstimateInFourAndFiveDimensions) {
  int rows = 0;
  for (const MvnReference& r : References()) {
    if (r.dims() < 4) continue;
    SCOPED_TRACE(r.name);
    ++rows;
    const MvnRectangleResult got = Compute(r);
    EXPECT_EQ(got.method, MvnMethod::kLattice);
    EXPECT_NEAR(got.probability, r.scipy_cdf, got.error + r.scipy_abseps);
    if (r.exact) {
      EXPECT_NEAR(got.probability, *r.exact, got.error);
    }
    EXPECT_LE(got.error, 1e-4 * got.probability);
    EXPECT_LE(got.evaluations * static_cast<int64_t>(r.dims()),
              MvnRectangleOptions().lattice_budget);
  }
  EXPECT_EQ(rows, 3);
}

TEST(MvnRectangleTest, ADiagonalCovarianceGivesTheProductOfOneDimensionalProbabilities) {
  const std::vector<double> lo = {-1.0, 0.0, 2.0};
  const std::vector<double> hi = {1.0, 1.0, kInf};
  const std::vector<double> mean = {0.0, 0.5, 1.0};
  const std::vector<double> cov = {1, 0, 0, 0, 4, 0, 0, 0, 0.25};
  absl::StatusOr<MvnRectangleResult> got = MvnRectangleProbability(lo, hi, mean, cov);
  ASSERT_TRUE(got.ok()) << got.status();
  const double product = StandardNormalInterval(-1.0, 1.0) * StandardNormalInterval(-0.25, 0.25) *
                         StandardNormalInterval(2.0, kInf);
  EXPECT_NEAR(got->probability, product, 1e-15 * product);
  EXPECT_EQ(got->method, MvnMethod::kExact);
  EXPECT_EQ(got->error, 0.0);
}

TEST(MvnRectangleTest, CoordinatesUnboundedOnBothSidesDropOut) {
  const std::vector<double> cov3 = {1, 0.7, 0.5, 0.7, 1, 0.6, 0.5, 0.6, 1};
  absl::StatusOr<MvnRectangleResult> three =
      MvnRectangleProbability({-1, -kInf, -1}, {1, kInf, 1}, {0, 0, 0}, cov3);
  // The marginal of coordinates 0 and 2.
  absl::StatusOr<MvnRectangleResult> two =
      MvnRectangleProbability({-1, -1}, {1, 1}, {0, 0}, {1, 0.5, 0.5, 1});
  ASSERT_TRUE(three.ok() && two.ok());
  EXPECT_EQ(three->probability, two->probability);
  EXPECT_EQ(three->variables, 2u);
  absl::StatusOr<MvnRectangleResult> none =
      MvnRectangleProbability({-kInf, -kInf}, {kInf, kInf}, {3, 4}, {1, 0.5, 0.5, 1});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->probability, 1.0);
  EXPECT_EQ(none->variables, 0u);
}

// The order of the coordinates is the caller's; the result does not depend on it.
TEST(MvnRectangleTest, PermutingTheCoordinatesChangesNothing) {
  const std::vector<double> lo = {-0.5, 0.2, -1.0};
  const std::vector<double> hi = {1.5, 0.9, 0.3};
  const std::vector<double> mean = {0.1, 0.0, -0.2};
  const std::vector<double> cov = {1.0, 0.8, -0.3, 0.8, 2.0, 0.1, -0.3, 0.1, 0.5};
  absl::StatusOr<MvnRectangleResult> a = MvnRectangleProbability(lo, hi, mean, cov);
  const int p[3] = {2, 0, 1};
  std::vector<double> plo(3), phi(3), pmean(3), pcov(9);
  for (int i = 0; i < 3; ++i) {
    plo[i] = lo[p[i]];
    phi[i] = hi[p[i]];
    pmean[i] = mean[p[i]];
    for (int j = 0; j < 3; ++j) pcov[i * 3 + j] = cov[p[i] * 3 + p[j]];
  }
  absl::StatusOr<MvnRectangleResult> b = MvnRectangleProbability(plo, phi, pmean, pcov);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NEAR(a->probability, b->probability, 1e-12 * a->probability);
}

// Below about 1e-300 an interval's probability underflows: the result may be 0, with an
// absolute error below 1e-300.
TEST(MvnRectangleTest, ProbabilitiesBeyondTheDoublesUnderflowToZero) {
  absl::StatusOr<MvnRectangleResult> far =
      MvnRectangleProbability({40, 40}, {41, 41}, {0, 0}, {1, 0.5, 0.5, 1});
  ASSERT_TRUE(far.ok());
  EXPECT_EQ(far->probability, 0.0);
  EXPECT_TRUE(far->converged);
  // P(X > 3, Y < -3) with correlation 0.99: X - Y > 6 is 42 standard deviations out,
  // about 1e-396.
  absl::StatusOr<MvnRectangleResult> against =
      MvnRectangleProbability({3, -kInf}, {kInf, -3}, {0, 0}, {1, 0.99, 0.99, 1});
  ASSERT_TRUE(against.ok());
  EXPECT_LE(against->probability, 1e-300);
  EXPECT_GE(against->probability, 0.0);
}

TEST(MvnRectangleTest, AnEmptyBoxHasProbabilityZero) {
  absl::StatusOr<MvnRectangleResult> got =
      MvnRectangleProbability({0.5, -1}, {0.5, 1}, {0, 0}, {1, 0.5, 0.5, 1});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->probability, 0.0);
}

TEST(MvnRectangleTest, TheSameArgumentsGiveTheSameBits) {
  const std::vector<double> cov3 = {1, 0.5, 0.3, 0.5, 1, 0.6, 0.3, 0.6, 1};
  const std::vector<double> cov4 = {1, .5, .3, .1, .5, 1, .4, .2, .3, .4, 1, .5, .1, .2, .5, 1};
  const auto run = [&] {
    return std::make_pair(
        MvnRectangleProbability({-1, -1, -1}, {0.5, 1, 2}, {0, 0, 0}, cov3)->probability,
        MvnRectangleProbability({-1, -.5, 0, -2}, {1, 1.5, 1, 0}, {0, 0, 0, 0}, cov4)->probability);
  };
  EXPECT_EQ(run(), run());
}

// Many dimensions: the lattice rule stops at its budget (points times variables), and
// says whether its estimate met the tolerance; the estimate still covers the error. A
// 12-D equicorrelated orthant (P = 1/13) takes a fraction of a second (0.25 s here).
TEST(MvnRectangleTest, ManyDimensionsStopAtTheBudget) {
  constexpr int d = 12;
  std::vector<double> cov(d * d, 0.5);
  for (int j = 0; j < d; ++j) cov[j * d + j] = 1.0;
  const std::vector<double> lo(d, -kInf), hi(d, 0.0), mean(d, 0.0);
  MvnRectangleOptions options;
  absl::StatusOr<MvnRectangleResult> got = MvnRectangleProbability(lo, hi, mean, cov, options);
  ASSERT_TRUE(got.ok());
  EXPECT_LE(got->evaluations * d, options.lattice_budget);
  EXPECT_NEAR(got->probability, 1.0 / 13, got->error);
  EXPECT_EQ(got->converged, got->error <= options.lattice_tolerance * got->probability);
  // A smaller budget: fewer points, a larger error, not converged.
  options.lattice_budget /= 16;
  absl::StatusOr<MvnRectangleResult> small = MvnRectangleProbability(lo, hi, mean, cov, options);
  ASSERT_TRUE(small.ok());
  EXPECT_LT(small->evaluations, got->evaluations);
  EXPECT_FALSE(small->converged);
  EXPECT_NEAR(small->probability, 1.0 / 13, small->error);
}

TEST(MvnRectangleTest, TheQuadratureToleranceAndIntervalCapAreHonoured) {
  const std::vector<double> cov = {1, .99, .98, .99, 1, .99, .98, .99, 1};
  MvnRectangleOptions options;
  options.quadrature_tolerance = 1e-6;
  absl::StatusOr<MvnRectangleResult> loose =
      MvnRectangleProbability({-1, -1, -1}, {1, 1, 1}, {0, 0, 0}, cov, options);
  absl::StatusOr<MvnRectangleResult> tight =
      MvnRectangleProbability({-1, -1, -1}, {1, 1, 1}, {0, 0, 0}, cov);
  ASSERT_TRUE(loose.ok() && tight.ok());
  EXPECT_TRUE(loose->converged);
  EXPECT_LE(loose->error, 1e-6 * loose->probability);
  EXPECT_LT(loose->evaluations, tight->evaluations);
  options.quadrature_tolerance = 1e-10;
  options.max_intervals = 2;
  absl::StatusOr<MvnRectangleResult> capped =
      MvnRectangleProbability({-1, -1, -1}, {1, 1, 1}, {0, 0, 0}, cov, options);
  ASSERT_TRUE(capped.ok());
  EXPECT_FALSE(capped->converged);
  EXPECT_NEAR(capped->probability, tight->probability, capped->error);
}

TEST(MvnRectangleTest, RejectsWhatIsNotABoxOfANormal) {
  struct Case {
    std::vector<double> lo, hi, mean, cov;
    const char* message;
  };
  const double nan = std::nan("");
  const Case cases[] = {
      {{0}, {1, 1}, {0, 0}, {1, 0, 0, 1}, "needs 2 lower and upper limits"},
      {{0, 0}, {1, 1}, {0, 0}, {1, 0, 0}, "4 covariance entries"},
      {{0, nan}, {1, 1}, {0, 0}, {1, 0, 0, 1}, "limit 1 is NaN"},
      {{0, 2}, {1, 1}, {0, 0}, {1, 0, 0, 1}, "lower limit 1 (2) is above its upper limit (1)"},
      {{0, 0}, {1, 1}, {0, kInf}, {1, 0, 0, 1}, "mean entry 1 is not finite"},
      {{0, 0}, {1, 1}, {0, 0}, {1, 0.5, 0.4, 1}, "not finite and symmetric at entry (0, 1)"},
      {{0, 0}, {1, 1}, {0, 0}, {1, nan, nan, 1}, "not finite and symmetric"},
      {{0, 0}, {1, 1}, {0, 0}, {1, 2, 2, 1}, "not positive definite"},
      {{0, 0}, {1, 1}, {0, 0}, {1, 1, 1, 1}, "not positive definite"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<MvnRectangleResult> got = MvnRectangleProbability(c.lo, c.hi, c.mean, c.cov);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(got.status().message(), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace parsweep
