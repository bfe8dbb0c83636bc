#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/parzen_gaussian/fused_sums.h"
#include "kernels/slot_kernel_testing.h"
#include "runtime/base/math_constants.h"
#include "runtime/data/gaussian.h"
#include "runtime/data/matrix.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace {

using parzen_gaussian_internal::AddFusedSums;
using parzen_gaussian_internal::AddNaiveSums;

constexpr double kUnitRoundoff = DBL_EPSILON / 2;  // u = 2^-53.

// MakeKernel builds the kernel with `algorithm` ("" for the default).
std::unique_ptr<Kernel> MakeKernel(const std::string& algorithm = "") {
  KernelSpec spec;
  spec.set_name("parzen_gaussian");
  if (!algorithm.empty()) (*spec.mutable_params())["algorithm"] = algorithm;
  absl::StatusOr<std::unique_ptr<Kernel>> kernel = Registry<Kernel>::Global().Create(spec);
  EXPECT_TRUE(kernel.ok()) << kernel.status();
  return *std::move(kernel);
}

std::vector<double> Sums(const Kernel& kernel, ConstMatrixView samples,
                         const std::vector<double>& point, const std::vector<double>& widths) {
  return AccumulateAt<double>(kernel, samples, point, widths);
}

double Density(const Kernel& kernel, double total, uint64_t n, size_t dims, double width) {
  return AsSlotKernel<double>(kernel).Density(total, n, dims, width);
}

TEST(ParzenGaussianTest, DensityOfOneSampleIsTheGaussianWindow) {
  for (const char* algorithm : {"fused", "naive"}) {
    const std::unique_ptr<Kernel> kernel = MakeKernel(algorithm);
    EXPECT_FALSE(kernel->MergesInAnyOrder());  // Sums merge in task order.
    Matrix samples(1, 2);
    samples(0, 0) = 0.3;
    samples(0, 1) = -0.4;  // r^2 = 0.25.
    const std::vector<double> widths = {0.5, 1.0, 2.0};
    const std::vector<double> sums = Sums(*kernel, samples.View(), {0.0, 0.0}, widths);
    for (size_t w = 0; w < widths.size(); ++w) {
      const double h = widths[w];
      const double term = std::exp(-0.25 / (2 * h * h));
      EXPECT_NEAR(sums[w], term, 2 * DBL_EPSILON * term) << algorithm << ", h = " << h;
      EXPECT_NEAR(Density(*kernel, sums[w], 1, 2, h), term / (2 * kPi * h * h),
                  4 * DBL_EPSILON * term / (2 * kPi * h * h));
    }
    // A sample at the point contributes exp(0) = 1 exactly, even for a width whose 2 h^2
    // underflows.
    samples(0, 0) = 0.0;
    samples(0, 1) = 0.0;
    const std::vector<double> at_point = Sums(*kernel, samples.View(), {0.0, 0.0}, {1.0, 1e-200});
    EXPECT_EQ(at_point[0], 1.0) << algorithm;
    EXPECT_EQ(at_point[1], 1.0) << algorithm;
    // Density divides by n (2 pi)^(d/2) h^d.
    EXPECT_NEAR(Density(*kernel, 50.0, 1000, 3, 0.5),
                50.0 / (1000 * std::pow(2 * kPi, 1.5) * 0.125), 1e-15);
  }
}

TEST(ParzenGaussianTest, ExpectationIsTheConvolutionOfTwoGaussians) {
  // 1-D: N(x; mu, sigma^2 + h^2).
  absl::StatusOr<Gaussian> source = Gaussian::Create({0.5}, {2.0});
  ASSERT_TRUE(source.ok());
  const double x[] = {1.25};
  for (double h : {0.1, 0.7, 3.0}) {
    const double variance = 2.0 + h * h;
    const double want = std::exp(-0.75 * 0.75 / (2 * variance)) / std::sqrt(2 * kPi * variance);
    const std::optional<double> got = MakeKernel()->ExpectedDensity(*source, x, h);
    ASSERT_TRUE(got.has_value());
    EXPECT_NEAR(*got, want, 1e-14 * want) << "h = " << h;
  }
  // Correlated 2-D covariances have one too.
  absl::StatusOr<Gaussian> correlated = Gaussian::Create({0, 0}, {1, 0.5, 0.5, 1});
  ASSERT_TRUE(correlated.ok());
  const double origin[] = {0, 0};
  // det(Sigma + I) = 4 - 0.25 = 3.75.
  EXPECT_NEAR(*MakeKernel()->ExpectedDensity(*correlated, origin, 1.0),
              1 / (2 * kPi * std::sqrt(3.75)), 1e-15);
}

TEST(ParzenGaussianTest, RejectsUnknownParametersAndAlgorithms) {
  KernelSpec spec;
  spec.set_name("parzen_gaussian");
  (*spec.mutable_params())["algorithm"] = "fast";
  auto kernel = Registry<Kernel>::Global().Create(spec);
  EXPECT_EQ(kernel.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(kernel.status().message(), testing::HasSubstr("'fast'"));
  spec.mutable_params()->clear();
  (*spec.mutable_params())["bandwidth"] = "1";
  kernel = Registry<Kernel>::Global().Create(spec);
  EXPECT_EQ(kernel.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(kernel.status().message(), testing::HasSubstr("bandwidth"));
}

// How far the fused sum may be from the naive one, from first principles. With
// X = -r^2 / D and D = fl(2 h h) (the same in both):
//   naive term  std::exp(fl(-r^2 / D)):        argument X (1 + d1),           |d1| <= u;
//   fused term  ExpNonPositive(fl(r^2 a)), a = fl(-1 / D): X (1 + d2)(1 + d3), |d2|,|d3| <= u;
// so the arguments differ by at most 3u|X| (to first order), moving e^X by a factor within
// 3u|X|, and each exp adds at most DBL_EPSILON = 2u relative (std::exp: 0.51 ulp; ours:
// vector_exp_test.cc). A term t therefore differs by at most t (3u|X| + 4u), or, where the
// result is subnormal, by 2.25 smallest subnormals (1.25 ours, 1 std::exp's; see
// vector_exp.h). Each algorithm then adds its n terms in sample order, and a sum of n
// positive terms is within (n - 1) u of the exact sum (relative), so the two sums are
// within
//   B = sum_i t_i (3u|X_i| + 4u) + 2.25 n denorm_min + 2 (n - 1) u S,
// S the sum. 1% on top covers the second-order terms.
struct SumsAndBounds {
  std::vector<double> naive;
  std::vector<double> bound;
};

SumsAndBounds NaiveWithBound(ConstMatrixView samples, const std::vector<double>& point,
                             const std::vector<double>& widths) {
  SumsAndBounds result;
  const size_t n = samples.rows();
  for (double h : widths) {
    const double twice_square = std::max(2.0 * h * h, DBL_MIN);
    double sum = 0.0;
    double term_error = 0.0;
    for (size_t i = 0; i < n; ++i) {
      double r2 = 0.0;
      for (size_t j = 0; j < samples.cols(); ++j) {
        const double diff = point[j] - samples.row(i)[j];
        r2 += diff * diff;
      }
      const double x = -r2 / twice_square;
      const double t = std::exp(x);
      sum += t;
      // (A term that underflowed to 0, perhaps with x = -infinity, has no relative error.)
      if (t > 0) term_error += t * (3 * kUnitRoundoff * std::fabs(x) + 4 * kUnitRoundoff);
    }
    result.naive.push_back(sum);
    const double bound = term_error + 2.25 * n * std::numeric_limits<double>::denorm_min() +
                         2.0 * (n == 0 ? 0 : n - 1) * kUnitRoundoff * sum;
    result.bound.push_back(1.01 * bound);
  }
  return result;
}

// One sample at a time (no summation error: only the argument and exp), then blocks of up
// to 3000 samples; random dimensions 1 to 3, points, and widths including duplicates,
// tiny (2 h^2 underflows) and huge ones. The AVX2 and portable passes give the same bits.
TEST(ParzenGaussianTest, FusedIsWithinTheDerivedBoundOfNaive) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  auto uniform = [&rng](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  for (int trial = 0; trial < 3000; ++trial) {
    const size_t d = 1 + trial % 3;
    const bool single = trial % 10 != 0;
    const size_t n = single ? 1 : static_cast<size_t>(uniform(0, 3000));
    const size_t m = 1 + static_cast<size_t>(uniform(0, 20));
    std::vector<double> widths;
    for (size_t w = 0; w < m; ++w) {
      const double kind = uniform(0, 1);
      if (kind < 0.1 && !widths.empty()) {
        widths.push_back(widths[static_cast<size_t>(uniform(0, widths.size()))]);
      } else if (kind < 0.13) {
        widths.push_back(1e-160);
      } else if (kind < 0.16) {
        widths.push_back(1e200);
      } else {
        widths.push_back(std::exp(uniform(-4, 2)));
      }
    }
    std::vector<double> point(d);
    for (double& x : point) x = normal(rng);
    Matrix samples(n, d);
    const double spread = std::exp(uniform(-3, 3));
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < d; ++j) samples(i, j) = point[j] + spread * normal(rng);
    }
    SCOPED_TRACE("trial " + std::to_string(trial) + ": d = " + std::to_string(d) +
                 ", n = " + std::to_string(n));
    const SumsAndBounds want = NaiveWithBound(samples.View(), point, widths);
    std::vector<double> naive(m, 0.0);
    std::vector<double> best(m, 0.0);
    std::vector<double> portable(m, 0.0);
    AddNaiveSums(samples.View(), point, widths, absl::MakeSpan(naive));
    AddFusedSums(samples.View(), point, widths, absl::MakeSpan(best), Isa::kBest);
    AddFusedSums(samples.View(), point, widths, absl::MakeSpan(portable), Isa::kPortable);
    ASSERT_EQ(naive, want.naive);  // The test's reference is the naive loop.
    ASSERT_EQ(best, portable);
    for (size_t w = 0; w < m; ++w) {
      ASSERT_NEAR(best[w], naive[w], want.bound[w]) << "h = " << widths[w];
    }
  }
}

// Both algorithms add a width's terms in sample order: one call over a block gives the same
// bits as one call per sample (the fused pass takes samples two at a time, as
// (total + t_i) + t_(i+1)).
TEST(ParzenGaussianTest, SumsAreInSampleOrderBitForBit) {
  absl::StatusOr<Gaussian> gaussian = Gaussian::Create({0, 0, 0}, {1, 0, 0, 0, 1, 0, 0, 0, 1});
  ASSERT_TRUE(gaussian.ok());
  const Matrix samples = gaussian->Sample(1001, 5);
  const std::vector<double> widths = {0.3, 0.7, 0.7, 1.9, 0.05};
  const std::vector<double> point = {0.1, 0.2, -0.3};
  for (Isa isa : {Isa::kBest, Isa::kPortable}) {
    std::vector<double> block(widths.size(), 0.0);
    std::vector<double> one_by_one(widths.size(), 0.0);
    AddFusedSums(samples.View(), point, widths, absl::MakeSpan(block), isa);
    for (size_t i = 0; i < samples.rows(); ++i) {
      AddFusedSums(samples.Rows(i, i + 1), point, widths, absl::MakeSpan(one_by_one), isa);
    }
    EXPECT_EQ(block, one_by_one);
  }
  std::vector<double> block(widths.size(), 0.0);
  std::vector<double> one_by_one(widths.size(), 0.0);
  AddNaiveSums(samples.View(), point, widths, absl::MakeSpan(block));
  for (size_t i = 0; i < samples.rows(); ++i) {
    AddNaiveSums(samples.Rows(i, i + 1), point, widths, absl::MakeSpan(one_by_one));
  }
  EXPECT_EQ(block, one_by_one);
}

// The kernel itself, through the registry, on a realistic sweep: 100 widths over 20,000
// Gaussian samples, fed in blocks as an executor would.
TEST(ParzenGaussianTest, FusedKernelIsWithinTheDerivedBoundOfNaiveKernel) {
  absl::StatusOr<Gaussian> gaussian = Gaussian::Create({0.1, -0.2}, {1, 0.3, 0.3, 0.5});
  ASSERT_TRUE(gaussian.ok());
  const Matrix samples = gaussian->Sample(20000, 42);
  std::vector<double> widths(100);
  for (size_t w = 0; w < widths.size(); ++w) widths[w] = 0.1 + 1.1 * w / 99.0;
  const std::vector<double> point = {0.05, -0.1};
  const SumsAndBounds want = NaiveWithBound(samples.View(), point, widths);
  const std::vector<double> naive = Sums(*MakeKernel("naive"), samples.View(), point, widths);
  std::vector<double> fused(widths.size(), 0.0);
  const std::unique_ptr<Kernel> kernel = MakeKernel();
  for (size_t begin = 0; begin < samples.rows(); begin += 999) {
    const size_t end = std::min(samples.rows(), begin + 999);
    const std::vector<double> block = Sums(*kernel, samples.Rows(begin, end), point, widths);
    for (size_t w = 0; w < widths.size(); ++w) fused[w] += block[w];
  }
  for (size_t w = 0; w < widths.size(); ++w) {
    // Blocks add partial sums: within the bound of a sum in any order.
    EXPECT_NEAR(fused[w], naive[w], want.bound[w]) << "h = " << widths[w];
    EXPECT_NEAR(naive[w], want.naive[w], 2 * 20000 * kUnitRoundoff * naive[w]);
  }
}

struct StatisticsCase {
  std::vector<double> mean;
  std::vector<double> covariance;  // d*d, row-major.
  std::vector<double> point;
};

// Var of one kernel value K = N(x - S; 0, h^2 I) for S ~ N(mu, Sigma). K^2 = (2 pi h^2)^-d
// exp(-|u|^2 / h^2) = (4 pi h^2)^(-d/2) N(u; 0, (h^2 / 2) I), so, as for E[K],
//   E[K^2] = (4 pi h^2)^(-d/2) N(x; mu, Sigma + (h^2 / 2) I),
//   Var[K] = E[K^2] - E[K]^2,   E[K] = N(x; mu, Sigma + h^2 I),
// and the density, a mean of n independent K, has standard error sqrt(Var[K] / n).
double KernelVariance(const StatisticsCase& c, double h) {
  const size_t d = c.mean.size();
  std::vector<double> half = c.covariance;
  std::vector<double> full = c.covariance;
  for (size_t j = 0; j < d; ++j) {
    half[j * d + j] += 0.5 * h * h;
    full[j * d + j] += h * h;
  }
  const double second =
      std::pow(4 * kPi * h * h, -0.5 * d) * Gaussian::Create(c.mean, half)->Density(c.point);
  const double first = Gaussian::Create(c.mean, full)->Density(c.point);
  return second - first * first;
}

// On data from N(mu, Sigma) the density is within 4 standard errors of its exact
// expectation (a correct kernel fails one check with probability 6e-5); d = 1, 2, 3,
// diagonal and correlated covariances, two seeds each. The exact standard error is also
// checked against the one estimated from the data (the sample standard deviation of the
// kernel values / sqrt(n)), which tests the variance formula.
TEST(ParzenGaussianTest, DensityIsWithinFourStandardErrorsOfItsExpectation) {
  const std::vector<StatisticsCase> cases = {
      {{0.5}, {2.0}, {1.0}},
      {{0, 0}, {1, 0, 0, 1}, {0, 0}},
      {{0.5, -1}, {2, 0.6, 0.6, 0.5}, {0.3, -0.8}},
      {{0, 0, 0}, {1, 0, 0, 0, 0.5, 0, 0, 0, 2}, {0.2, 0, -0.1}},
      {{0, 0.5, 0}, {1, 0.3, 0.2, 0.3, 1.5, -0.4, 0.2, -0.4, 0.8}, {0.2, 0.3, -0.1}},
  };
  constexpr size_t kSamples = 20000;
  const std::vector<double> widths = {0.2, 0.35, 0.5, 1.0, 2.0};
  const std::unique_ptr<Kernel> kernel = MakeKernel();
  for (const StatisticsCase& c : cases) {
    const size_t d = c.mean.size();
    absl::StatusOr<Gaussian> source = Gaussian::Create(c.mean, c.covariance);
    ASSERT_TRUE(source.ok()) << source.status();
    for (uint64_t seed : {11, 12}) {
      const Matrix samples = source->Sample(kSamples, seed);
      const std::vector<double> sums = Sums(*kernel, samples.View(), c.point, widths);
      for (size_t w = 0; w < widths.size(); ++w) {
        const double h = widths[w];
        SCOPED_TRACE("d = " + std::to_string(d) + ", seed " + std::to_string(seed) +
                     ", h = " + std::to_string(h));
        const double density = Density(*kernel, sums[w], kSamples, d, h);
        const std::optional<double> expected = kernel->ExpectedDensity(*source, c.point, h);
        ASSERT_TRUE(expected.has_value());
        const double standard_error = std::sqrt(KernelVariance(c, h) / kSamples);
        EXPECT_NEAR(density, *expected, 4 * standard_error);
        // The standard error estimated from the data.
        const double norm = std::pow(2 * kPi * h * h, -0.5 * d);
        double sum = 0.0;
        double sum_squares = 0.0;
        for (size_t i = 0; i < kSamples; ++i) {
          double r2 = 0.0;
          for (size_t j = 0; j < d; ++j) r2 += std::pow(c.point[j] - samples(i, j), 2);
          const double k = norm * std::exp(-r2 / (2 * h * h));
          sum += k;
          sum_squares += k * k;
        }
        const double mean = sum / kSamples;
        const double sd = std::sqrt((sum_squares - kSamples * mean * mean) / (kSamples - 1));
        EXPECT_NEAR(mean, density, 1e-12 * density);
        EXPECT_NEAR(sd / std::sqrt(kSamples), standard_error, 0.15 * standard_error);
      }
    }
  }
}

}  // namespace
}  // namespace parsweep
