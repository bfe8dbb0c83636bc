#include "runtime/data/gaussian.h"

#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/data/standard_normal.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

TEST(GaussianTest, StandardBivariateDensityAtTheOriginIsOneOverTwoPi) {
  absl::StatusOr<Gaussian> g = Gaussian::Create({0, 0}, {1, 0, 0, 1});
  ASSERT_TRUE(g.ok()) << g.status();
  const double origin[] = {0, 0};
  EXPECT_NEAR(g->Density(origin), 0.159154943091895, 1e-15);
}

TEST(GaussianTest, CorrelatedDensityMatchesTheClosedForm) {
  // N(mu, [[2, 0.6], [0.6, 1]]) at x: exp(-q/2) / (2 pi sqrt(det)), q = v^T Sigma^-1 v.
  absl::StatusOr<Gaussian> g = Gaussian::Create({1, -1}, {2, 0.6, 0.6, 1});
  ASSERT_TRUE(g.ok()) << g.status();
  const double x[] = {0.5, 0.2};
  const double det = 2 * 1 - 0.6 * 0.6;
  const double v0 = -0.5, v1 = 1.2;
  const double q = (1 * v0 * v0 - 2 * 0.6 * v0 * v1 + 2 * v1 * v1) / det;
  EXPECT_NEAR(g->Density(x), std::exp(-q / 2) / (2 * M_PI * std::sqrt(det)), 1e-15);
}

TEST(GaussianTest, SamplesAreReproducibleForASeedAndDifferAcrossSeeds) {
  absl::StatusOr<Gaussian> g = Gaussian::Create({0, 0, 0}, {1, 0, 0, 0, 1, 0, 0, 0, 1});
  ASSERT_TRUE(g.ok());
  const Matrix a = g->Sample(1000, 42);
  const Matrix b = g->Sample(1000, 42);
  const Matrix c = g->Sample(1000, 43);
  ASSERT_EQ(a.rows(), 1000u);
  ASSERT_EQ(a.cols(), 3u);
  EXPECT_TRUE(std::equal(a.data(), a.data() + 3000, b.data()));
  EXPECT_FALSE(std::equal(a.data(), a.data() + 3000, c.data()));
}

// The sample mean of n draws has standard error sqrt(var / n), the sample covariance of
// two coordinates about sqrt((var_i var_j + cov_ij^2) / n); allow 5 of each.
TEST(GaussianTest, SampleMomentsMatchTheParameters) {
  const std::vector<double> mean = {1.0, -2.0};
  const std::vector<double> cov = {4.0, 1.2, 1.2, 1.0};
  absl::StatusOr<Gaussian> g = Gaussian::Create(mean, cov);
  ASSERT_TRUE(g.ok());
  constexpr size_t n = 200000;
  const Matrix s = g->Sample(n, 9);
  double m[2] = {0, 0};
  for (size_t i = 0; i < n; ++i) {
    m[0] += s(i, 0);
    m[1] += s(i, 1);
  }
  m[0] /= n;
  m[1] /= n;
  double c[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < n; ++i) {
    for (int a = 0; a < 2; ++a) {
      for (int b = 0; b < 2; ++b) c[a * 2 + b] += (s(i, a) - m[a]) * (s(i, b) - m[b]);
    }
  }
  for (int a = 0; a < 2; ++a) {
    EXPECT_NEAR(m[a], mean[a], 5 * std::sqrt(cov[a * 2 + a] / n)) << "mean " << a;
    for (int b = 0; b < 2; ++b) {
      const double se =
          std::sqrt((cov[a * 2 + a] * cov[b * 2 + b] + cov[a * 2 + b] * cov[a * 2 + b]) / n);
      EXPECT_NEAR(c[a * 2 + b] / (n - 1), cov[a * 2 + b], 5 * se) << "cov " << a << b;
    }
  }
}

TEST(GaussianTest, BoxProbabilityOfADiagonalGaussianIsAProductOfNormalCdfs) {
  absl::StatusOr<Gaussian> g = Gaussian::Create({0, 1}, {1, 0, 0, 4});
  ASSERT_TRUE(g.ok());
  const double lo[] = {-1, 1};
  const double hi[] = {1, 3};
  // P(|Z| <= 1) = 0.682689492137086; P(0 <= Z <= 1) = 0.341344746068543.
  EXPECT_NEAR(*g->BoxProbability(lo, hi), 0.682689492137086 * 0.341344746068543, 1e-14);
  // Far in a tail the probability keeps its relative precision.
  const double far_lo[] = {8, 1};
  const double far_hi[] = {9, 3};
  const double tail = StandardNormalCdf(-8) - StandardNormalCdf(-9);
  EXPECT_NEAR(*g->BoxProbability(far_lo, far_hi) / (tail * 0.341344746068543), 1.0, 1e-12);
}

// Genz's method (mvn_rectangle.h); the references are scipy's (runtime/data/testdata/
// mvn_rectangle_reference.csv: 2d/rho0.5/unit_box, 2d/rho0.5/orthant).
TEST(GaussianTest, BoxProbabilityOfACorrelatedGaussianIsGenzsValue) {
  absl::StatusOr<Gaussian> g = Gaussian::Create({0, 0}, {1, 0.5, 0.5, 1});
  ASSERT_TRUE(g.ok());
  const double lo[] = {-1, -1};
  const double hi[] = {1, 1};
  ASSERT_TRUE(g->BoxProbability(lo, hi).has_value());
  EXPECT_NEAR(*g->BoxProbability(lo, hi), 0.4979717778392081, 1e-12 * 0.5);
  const double orthant_lo[] = {-INFINITY, -INFINITY};
  const double orthant_hi[] = {0, 0};
  EXPECT_NEAR(*g->BoxProbability(orthant_lo, orthant_hi), 1.0 / 3, 1e-12 / 3);
}

// With many correlated coordinates the lattice rule's budget runs out before its error
// estimate reaches kBoxProbabilityTolerance, and no value is better than a doubtful one.
TEST(GaussianTest, BoxProbabilityIsUnknownWhereItsErrorWouldBeTooLarge) {
  constexpr int d = 12;
  std::vector<double> cov(d * d, 0.5);
  for (int j = 0; j < d; ++j) cov[j * d + j] = 1.0;
  absl::StatusOr<Gaussian> g = Gaussian::Create(std::vector<double>(d, 0.0), cov);
  ASSERT_TRUE(g.ok());
  const std::vector<double> lo(d, -1.0), hi(d, 1.0);
  EXPECT_FALSE(g->BoxProbability(lo, hi).has_value());
  // Four coordinates: within budget.
  absl::StatusOr<Gaussian> g4 =
      Gaussian::Create({0, 0, 0, 0}, {1, .5, .5, .5, .5, 1, .5, .5, .5, .5, 1, .5, .5, .5, .5, 1});
  ASSERT_TRUE(g4.ok());
  const double lo4[] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
  const double hi4[] = {0, 0, 0, 0};
  ASSERT_TRUE(g4->BoxProbability(lo4, hi4).has_value());
  EXPECT_NEAR(*g4->BoxProbability(lo4, hi4), 0.2, 1e-6 * 0.2);
}

TEST(GaussianTest, RejectsBadParameters) {
  struct Case {
    std::vector<double> mean, cov;
    const char* message;
  };
  const Case cases[] = {
      {{}, {}, "at least one entry"},
      {{0, 0}, {1, 0, 0}, "d*d = 4 entries"},
      {{0, NAN}, {1, 0, 0, 1}, "mean entry 1 is not finite"},
      {{0, 0}, {1, 0, INFINITY, 1}, "not finite"},
      {{0, 0}, {1, 0.5, 0.4, 1}, "not symmetric"},
      {{0, 0}, {1, 2, 2, 1}, "not positive definite"},
      {{0, 0}, {1, 0, 0, 0}, "not positive definite"},
      {{0, 0}, {-1, 0, 0, 1}, "not positive definite"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Gaussian> g = Gaussian::Create(c.mean, c.cov);
    EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(g.status().message(), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace parsweep
