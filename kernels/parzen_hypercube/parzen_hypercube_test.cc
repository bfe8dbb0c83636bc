#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/parzen_hypercube/fused_counts.h"
#include "kernels/slot_kernel_testing.h"
#include "runtime/data/dataset.h"
#include "runtime/plugin/kernel.h"
#include "runtime/sweep/sweep.h"

namespace parsweep {
namespace {

using parzen_hypercube_internal::AddFusedCounts;
using parzen_hypercube_internal::AddNaiveCounts;

// MakeKernel builds the kernel with `algorithm` ("" for the default).
std::unique_ptr<Kernel> MakeKernel(const std::string& algorithm = "") {
  KernelSpec spec;
  spec.set_name("parzen_hypercube");
  if (!algorithm.empty()) (*spec.mutable_params())["algorithm"] = algorithm;
  absl::StatusOr<std::unique_ptr<Kernel>> kernel = Registry<Kernel>::Global().Create(spec);
  EXPECT_TRUE(kernel.ok()) << kernel.status();
  return *std::move(kernel);
}

uint64_t Count(const Kernel& kernel, const Matrix& samples, std::vector<double> point,
               double width) {
  const double widths[] = {width};
  return AccumulateAt<uint64_t>(kernel, samples.View(), point, widths)[0];
}

double Density(const Kernel& kernel, double total, uint64_t n, size_t dims, double width) {
  return AsSlotKernel<uint64_t>(kernel).Density(total, n, dims, width);
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
  for (const char* algorithm : {"fused", "naive"}) {
    const std::unique_ptr<Kernel> kernel = MakeKernel(algorithm);
    const uint64_t k = Count(*kernel, samples, {0, 0, 0}, 1.0);
    EXPECT_EQ(k, 3u) << algorithm;
    EXPECT_DOUBLE_EQ(Density(*kernel, k, samples.rows(), 3, 1.0), 0.3);
  }
}

TEST(ParzenHypercubeTest, SampleExactlyOnTheBoundaryIsInside) {
  for (const char* algorithm : {"fused", "naive"}) {
    const std::unique_ptr<Kernel> kernel = MakeKernel(algorithm);
    for (double h : {0.1, 0.3, 1.0, 2.5}) {
      // 0.5 * h is the exact half-width; only one coordinate sits on the boundary.
      EXPECT_EQ(Count(*kernel, Rows({{0.5 * h, 0.0}}), {0, 0}, h), 1u) << "h = " << h;
      EXPECT_EQ(Count(*kernel, Rows({{0.0, -0.5 * h}}), {0, 0}, h), 1u) << "h = " << h;
      // The next double beyond the boundary is outside.
      const double beyond = std::nextafter(0.5 * h, 1.0e9);
      EXPECT_EQ(Count(*kernel, Rows({{beyond, 0.0}}), {0, 0}, h), 0u) << "h = " << h;
    }
  }
}

// The same boundaries through the fused pass's sorted table (blocks larger than its direct
// path): 1000 copies each of a sample on the boundary of every width, and of the next
// double beyond it, on either side and in either coordinate.
TEST(ParzenHypercubeTest, BoundariesAreExactThroughTheFusedTable) {
  const std::vector<double> widths = {2.5, 0.1, 1.0, 0.3, 1.0, 0.7};
  std::vector<std::vector<double>> rows;
  for (double h : widths) {
    const double half = 0.5 * h;
    const double beyond = std::nextafter(half, 1.0e9);
    for (int copy = 0; copy < 100; ++copy) {
      rows.push_back({half, 0.0});
      rows.push_back({0.0, -half});
      rows.push_back({-half, half});
      rows.push_back({beyond, 0.0});
      rows.push_back({0.0, -beyond});
    }
  }
  const Matrix samples = Rows(rows);
  for (Isa isa : {Isa::kBest, Isa::kPortable}) {
    std::vector<uint64_t> counts(widths.size(), 0);
    AddFusedCounts(samples.View(), {0.0, 0.0}, widths, absl::MakeSpan(counts), isa);
    for (size_t w = 0; w < widths.size(); ++w) {
      // Inside: the three on-boundary rows of every width up to h, and the two beyond the
      // boundary of every width smaller than h.
      uint64_t want = 0;
      for (double other : widths) {
        if (0.5 * other <= 0.5 * widths[w]) want += 300;
        if (std::nextafter(0.5 * other, 1.0e9) <= 0.5 * widths[w]) want += 200;
      }
      EXPECT_EQ(counts[w], want) << "h = " << widths[w];
    }
  }
}

TEST(ParzenHypercubeTest, DensityDividesByWidthToTheDimension) {
  const std::unique_ptr<Kernel> kernel = MakeKernel();
  EXPECT_DOUBLE_EQ(Density(*kernel, 40, 1000, 2, 0.5), 40.0 / (1000 * 0.25));
  EXPECT_DOUBLE_EQ(Density(*kernel, 40, 1000, 3, 0.5), 40.0 / (1000 * 0.125));
}

// The density is k / (n h^d) with h^d correctly rounded in 1-D and 2-D (h, and h * h: never
// farther from the exact square than std::pow's result, by the fused multiply-add residuals
// h * h - v computed exactly) and std::pow's above, over widths across 14 orders of magnitude.
TEST(ParzenHypercubeTest, DensityIsCountOverNTimesTheCorrectlyRoundedVolume) {
  const std::unique_ptr<Kernel> kernel = MakeKernel();
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> log_width(-16.0, 16.0);
  int pow_differs = 0;
  for (int i = 0; i < 200000; ++i) {
    const double h = std::exp(log_width(rng));
    const size_t d = 1 + i % 4;
    const uint64_t n = 1000 + i;
    const double pow_volume = std::pow(h, static_cast<double>(d));
    const double volume = d == 1 ? h : d == 2 ? h * h : pow_volume;
    if (d == 2 && volume != pow_volume) {
      ++pow_differs;
      ASSERT_LE(std::fabs(std::fma(h, h, -volume)), std::fabs(std::fma(h, h, -pow_volume)))
          << "h = " << h;
    }
    ASSERT_EQ(Density(*kernel, 777, n, d, h), 777.0 / (static_cast<double>(n) * volume))
        << "h = " << h << ", d = " << d;
  }
  std::cout << "std::pow(h, 2) differed from h * h for " << pow_differs << " of 50000 widths\n";
}

// (144 (2 sqrt(pi))^d)^(1/(d+4)): the box's AMISE-optimal side over the Gaussian's
// bandwidth in d dimensions (values from Python's math module).
TEST(ParzenHypercubeTest, GaussianEquivalentWidthIsTheCanonicalBandwidthRatioInDDimensions) {
  const std::unique_ptr<Kernel> kernel = MakeKernel();
  EXPECT_NEAR(kernel->GaussianEquivalentWidth(0.5, 1), 0.5 * 3.480114113944532, 1e-14);
  EXPECT_NEAR(kernel->GaussianEquivalentWidth(0.5, 2), 0.5 * 3.4908302122502475, 1e-14);
  EXPECT_NEAR(kernel->GaussianEquivalentWidth(0.5, 3), 0.5 * 3.4985047647619476, 1e-14);
}

TEST(ParzenHypercubeTest, RejectsAnUnknownAlgorithm) {
  KernelSpec spec;
  spec.set_name("parzen_hypercube");
  (*spec.mutable_params())["algorithm"] = "fast";
  const auto kernel = Registry<Kernel>::Global().Create(spec);
  EXPECT_EQ(kernel.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(kernel.status().message(), testing::HasSubstr("'fast'"));
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
      const double density = Density(*kernel, k, kSamples, c.dims, h);
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

// A correlated Gaussian's window probability comes from Genz's method: for the unit
// square around the origin with correlation 0.5 scipy gives 0.1650852606913322
// (runtime/data/testdata/mvn_rectangle_reference.csv, hypercube/2d_rho0.5_origin/1.0).
// expected_density_test.cc checks whole sweeps.
TEST(ParzenHypercubeTest, ExpectationOfACorrelatedGaussianIsItsWindowsProbability) {
  absl::StatusOr<Gaussian> gaussian = Gaussian::Create({0, 0}, {1, 0.5, 0.5, 1});
  ASSERT_TRUE(gaussian.ok());
  const double point[] = {0, 0};
  const std::optional<double> expected = MakeKernel()->ExpectedDensity(*gaussian, point, 1.0);
  ASSERT_TRUE(expected.has_value());
  EXPECT_NEAR(*expected, 0.1650852606913322, 1e-12 * 0.165);
}

// Random inputs aimed at every edge of the fused pass: coordinates exactly on a window's
// boundary, one double either side of it, equal to the point, NaN or infinite; widths
// unsorted, duplicated, clustered within a few ulps (so several share a bucket of the
// fused table) or far apart; dimensions 1 to 5; block sizes from empty to several
// thousand rows (the direct path, the table path, partial blocks and batches).
class RandomInputs {
 public:
  explicit RandomInputs(uint64_t seed) : rng_(seed) {}

  std::vector<double> Widths(size_t count) {
    std::vector<double> widths;
    while (widths.size() < count) {
      const int kind = Uniform(0, 9);
      if (kind <= 3 || widths.empty()) {
        widths.push_back(std::uniform_real_distribution<double>(0.01, 3.0)(rng_));
      } else if (kind <= 5) {
        widths.push_back(widths[Uniform(0, widths.size() - 1)]);  // A duplicate.
      } else if (kind <= 7) {
        const double w = widths[Uniform(0, widths.size() - 1)];  // A few ulps away.
        widths.push_back(std::nextafter(w, Uniform(0, 1) ? 1.0e300 : 0.0));
      } else if (kind == 8) {
        widths.push_back(std::ldexp(1.0, Uniform(-40, 40)));  // Far apart.
      } else {
        widths.push_back(Uniform(0, 1) ? std::numeric_limits<double>::denorm_min() : 1.0e300);
      }
    }
    std::shuffle(widths.begin(), widths.end(), rng_);
    return widths;
  }

  // A coordinate near x_j, often on or next to the boundary of one of `widths`.
  double Coordinate(double x, const std::vector<double>& widths) {
    const double half = 0.5 * widths[Uniform(0, widths.size() - 1)];
    const double sign = Uniform(0, 1) ? 1.0 : -1.0;
    switch (Uniform(0, 12)) {
      case 0:
      case 1:
        return x + sign * half;  // On the boundary when the subtraction is exact.
      case 2:
        return std::nextafter(x + sign * half, Uniform(0, 1) ? 1.0e300 : -1.0e300);
      case 3:
        return x;
      case 4:
        return Uniform(0, 30) == 0 ? std::numeric_limits<double>::quiet_NaN()
                                   : sign * std::numeric_limits<double>::infinity();
      case 5:
        return -0.0;
      default:
        return x + std::normal_distribution<double>(0.0, 1.0)(rng_);
    }
  }

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

 private:
  std::mt19937_64 rng_;
};

TEST(ParzenHypercubeTest, FusedCountsEqualNaiveCountsOnRandomInputs) {
  RandomInputs random(20240601);
  int search_trials = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const size_t d = 1 + trial % 5;
    const bool large = trial % 50 == 0;
    const size_t m = large ? 1500 : random.Uniform(1, 40);
    const size_t n = large ? 5000 : random.Uniform(0, 2500);
    const std::vector<double> widths = random.Widths(m);
    std::vector<double> point(d);
    for (double& x : point) x = random.Uniform(-2, 2) * 0.5;
    if (trial % 97 == 0) point[0] = std::numeric_limits<double>::quiet_NaN();
    Matrix samples(n, d);
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < d; ++j) samples(i, j) = random.Coordinate(point[j], widths);
    }
    const size_t begin = n == 0 ? 0 : random.Uniform(0, n / 4);
    const size_t end = n == 0 ? 0 : random.Uniform(begin, n);
    const ConstMatrixView block = samples.Rows(begin, end);
    SCOPED_TRACE("trial " + std::to_string(trial) + ": d = " + std::to_string(d) + ", " +
                 std::to_string(end - begin) + " samples, " + std::to_string(m) + " widths");

    // Accumulators start non-zero: every algorithm adds.
    std::vector<uint64_t> naive(m);
    for (size_t w = 0; w < m; ++w) naive[w] = w * 7;
    std::vector<uint64_t> best = naive;
    std::vector<uint64_t> portable = naive;
    AddNaiveCounts(block, point, widths, absl::MakeSpan(naive));
    AddFusedCounts(block, point, widths, absl::MakeSpan(best), Isa::kBest);
    AddFusedCounts(block, point, widths, absl::MakeSpan(portable), Isa::kPortable);
    ASSERT_EQ(best, naive);
    ASSERT_EQ(portable, naive);
    // Some widths sharing a bucket of the table (clustered ulps apart, or tiny next to
    // large ones) exercise its binary-search fallback.
    std::vector<double> sorted = widths;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    for (size_t i = 1; i + 1 < sorted.size(); ++i) {
      if (sorted[i + 1] - sorted[i - 1] <
          (sorted.back() - sorted.front()) / (4.0 * sorted.size())) {
        ++search_trials;
        break;
      }
    }

    // The kernel with either algorithm agrees too.
    if (trial % 10 == 0) {
      EXPECT_EQ(AccumulateAt<uint64_t>(*MakeKernel("fused"), block, point, widths),
                AccumulateAt<uint64_t>(*MakeKernel("naive"), block, point, widths));
    }
  }
  EXPECT_GT(search_trials, 20);
}

// A sweep of realistic size, 100 evenly spaced widths over 20,000 Gaussian samples, run
// through both instruction-set paths in blocks of many sizes: the counts are the naive
// loop's.
TEST(ParzenHypercubeTest, FusedCountsEqualNaiveCountsOnGaussianSamples) {
  absl::StatusOr<Gaussian> gaussian = Gaussian::Create({0.1, -0.2}, {1, 0.3, 0.3, 0.5});
  ASSERT_TRUE(gaussian.ok());
  const Matrix samples = gaussian->Sample(20000, 42);
  std::vector<double> widths(100);
  for (size_t w = 0; w < widths.size(); ++w) widths[w] = 0.1 + 1.1 * w / 99.0;
  const std::vector<double> point = {0.05, -0.1};
  std::vector<uint64_t> naive(widths.size(), 0);
  AddNaiveCounts(samples.View(), point, widths, absl::MakeSpan(naive));
  for (Isa isa : {Isa::kBest, Isa::kPortable}) {
    for (size_t chunk : {size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{511}, size_t{4099},
                         size_t{20000}}) {
      std::vector<uint64_t> fused(widths.size(), 0);
      for (size_t begin = 0; begin < samples.rows(); begin += chunk) {
        const size_t end = std::min(samples.rows(), begin + chunk);
        AddFusedCounts(samples.Rows(begin, end), point, widths, absl::MakeSpan(fused), isa);
      }
      EXPECT_EQ(fused, naive) << "chunk " << chunk << (isa == Isa::kBest ? ", best" : "");
    }
  }
  std::cout << "Isa::kBest ran the " << (CpuHasAvx2() ? "AVX2" : "portable") << " path\n";
  // Some windows are empty-ish and some hold most samples: the test means something.
  EXPECT_LT(naive.front(), 200u);
  EXPECT_GT(naive.back(), 4000u);
}

}  // namespace
}  // namespace parsweep
