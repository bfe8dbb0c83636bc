#include <cmath>
#include <memory>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/dataset.h"
#include "runtime/kernel.h"
#include "runtime/sweep.h"

namespace parsweep {
namespace {

std::unique_ptr<Kernel> MakeKernel() {
  KernelSpec spec;
  spec.set_name("parzen_hypercube");
  absl::StatusOr<std::unique_ptr<Kernel>> kernel = Registry<Kernel>::Global().Create(spec);
  EXPECT_TRUE(kernel.ok()) << kernel.status();
  return *std::move(kernel);
}

uint64_t Count(const Kernel& kernel, const Matrix& samples, std::vector<double> point,
               double width) {
  std::vector<uint64_t> counts(1, 0);
  Accumulators out;
  out.counts = absl::MakeSpan(counts);
  const double widths[] = {width};
  EXPECT_TRUE(kernel.Accumulate(samples.View(), point, widths, out).ok());
  return counts[0];
}

Matrix Rows(const std::vector<std::vector<double>>& rows) {
  Matrix m(rows.size(), rows.front().size());
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < rows[i].size(); ++j) m(i, j) = rows[i][j];
  }
  return m;
}

// The tutorial's 3-D example: 3 of these 10 samples lie in the unit cube around the origin.
TEST(ParzenHypercubeTest, TutorialThreeDimensionalExampleGivesPointThree) {
  const Matrix samples = Rows({{0, 0, 0},
                               {0.2, 0.2, 0.2},
                               {0.1, -0.1, -0.3},
                               {-1.2, 0.3, -0.3},
                               {0.8, -0.82, -0.9},
                               {1, 0.6, -0.7},
                               {0.8, 0.7, 0.2},
                               {0.7, -0.8, -0.45},
                               {-0.3, 0.6, 0.9},
                               {0.7, -0.6, -0.8}});
  const std::unique_ptr<Kernel> kernel = MakeKernel();
  const uint64_t k = Count(*kernel, samples, {0, 0, 0}, 1.0);
  EXPECT_EQ(k, 3u);
  EXPECT_DOUBLE_EQ(kernel->Density(k, samples.rows(), 3, 1.0), 0.3);
}

TEST(ParzenHypercubeTest, SampleExactlyOnTheBoundaryIsInside) {
  const std::unique_ptr<Kernel> kernel = MakeKernel();
  for (double h : {0.1, 0.3, 1.0, 2.5}) {
    // 0.5 * h is the exact half-width; only one coordinate sits on the boundary.
    EXPECT_EQ(Count(*kernel, Rows({{0.5 * h, 0.0}}), {0, 0}, h), 1u) << "h = " << h;
    EXPECT_EQ(Count(*kernel, Rows({{0.0, -0.5 * h}}), {0, 0}, h), 1u) << "h = " << h;
    // The next double beyond the boundary is outside.
    const double beyond = std::nextafter(0.5 * h, 1.0e9);
    EXPECT_EQ(Count(*kernel, Rows({{beyond, 0.0}}), {0, 0}, h), 0u) << "h = " << h;
  }
}

TEST(ParzenHypercubeTest, DensityDividesByWidthToTheDimension) {
  const std::unique_ptr<Kernel> kernel = MakeKernel();
  EXPECT_DOUBLE_EQ(kernel->Density(40, 1000, 2, 0.5), 40.0 / (1000 * 0.25));
  EXPECT_DOUBLE_EQ(kernel->Density(40, 1000, 3, 0.5), 40.0 / (1000 * 0.125));
}

TEST(ParzenHypercubeTest, RejectsUnknownParameters) {
  KernelSpec spec;
  spec.set_name("parzen_hypercube");
  (*spec.mutable_params())["bandwidth"] = "1";
  const auto kernel = Registry<Kernel>::Global().Create(spec);
  EXPECT_EQ(kernel.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(kernel.status().message(), testing::HasSubstr("bandwidth"));
}

struct StatisticsCase {
  int dims;
  std::vector<double> mean;
  std::vector<double> variances;
  std::vector<double> point;
  uint64_t seed;
};

// k is Binomial(n, P) with P the Gaussian's probability of the window, so the density
// k / (n h^d) has mean P / h^d and standard error sqrt(P (1 - P) / n) / h^d. Each check
// allows 4 standard errors: a correct kernel fails one with probability 6e-5.
TEST(ParzenHypercubeTest, DensityIsWithinFourBinomialStandardErrorsOfItsExpectation) {
  const std::vector<StatisticsCase> cases = {
      {2, {0, 0}, {1, 1}, {0, 0}, 123},
      {2, {0, 0}, {1, 1}, {0, 0}, 7},
      {2, {0.5, -1}, {2, 0.5}, {0.3, -0.8}, 11},
      {3, {0, 0, 0}, {1, 1, 1}, {0.2, 0, -0.1}, 5},
      {1, {0}, {1}, {1.5}, 3},
  };
  const std::unique_ptr<Kernel> kernel = MakeKernel();
  constexpr uint64_t kSamples = 20000;
  for (const StatisticsCase& c : cases) {
    std::vector<double> cov(c.dims * c.dims, 0.0);
    for (int j = 0; j < c.dims; ++j) cov[j * c.dims + j] = c.variances[j];
    absl::StatusOr<Gaussian> gaussian = Gaussian::Create(c.mean, cov);
    ASSERT_TRUE(gaussian.ok()) << gaussian.status();
    const Matrix samples = gaussian->Sample(kSamples, c.seed);
    for (int step = 1; step <= 12; ++step) {
      const double h = 0.1 * step;
      const uint64_t k = Count(*kernel, samples, c.point, h);
      const double density = kernel->Density(k, kSamples, c.dims, h);
      const std::optional<double> expected = kernel->ExpectedDensity(*gaussian, c.point, h);
      ASSERT_TRUE(expected.has_value());
      const double volume = std::pow(h, c.dims);
      const double p = *expected * volume;
      const double standard_error = std::sqrt(p * (1 - p) / kSamples) / volume;
      EXPECT_NEAR(density, *expected, 4 * standard_error)
          << "d = " << c.dims << ", seed " << c.seed << ", h = " << h << ", k = " << k;
    }
  }
}

TEST(ParzenHypercubeTest, ExpectationIsUnknownForCorrelatedGaussians) {
  absl::StatusOr<Gaussian> gaussian = Gaussian::Create({0, 0}, {1, 0.5, 0.5, 1});
  ASSERT_TRUE(gaussian.ok());
  const double point[] = {0, 0};
  EXPECT_FALSE(MakeKernel()->ExpectedDensity(*gaussian, point, 1.0).has_value());
}

}  // namespace
}  // namespace parsweep
