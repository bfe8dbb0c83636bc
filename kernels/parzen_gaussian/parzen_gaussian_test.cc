#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/parzen_gaussian/fused_sums.h"
#include "runtime/base/math_constants.h"
#include "runtime/data/gaussian.h"
#include "runtime/data/matrix.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace {

using parzen_gaussian_internal::AddFusedSums;
using parzen_gaussian_internal::AddNaiveSums;
using parzen_gaussian_internal::BlockSums;
using parzen_gaussian_internal::kSampleBlock;

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

// Results runs the kernel over `samples` at `point` and estimates from them as n samples.
std::vector<WidthResult> Results(const Kernel& kernel, ConstMatrixView samples,
                                 const std::vector<double>& point,
                                 const std::vector<double>& widths, bool held_out = false) {
  const std::unique_ptr<Partial> partial = kernel.NewPartial(1, widths.size());
  EXPECT_TRUE(
      kernel.Accumulate(samples, ConstMatrixView(point.data(), 1, point.size()), widths, *partial)
          .ok());
  std::vector<WidthResult> results(widths.size());
  for (size_t w = 0; w < widths.size(); ++w) results[w].set_width(widths[w]);
  std::vector<WidthResult*> pointers;
  const WidthResults view = WidthResults::Of(results, pointers);
  const absl::Status status =
      held_out ? kernel.EstimateHeldOut(*partial, samples.rows(), samples.cols(), widths, view)
               : kernel.Estimate(*partial, samples.rows(), samples.cols(), widths, view);
  EXPECT_TRUE(status.ok()) << status;
  return results;
}

// Sums is each width's sum_i exp(-r_i^2 / (2 h^2)), as a double.
std::vector<double> Sums(const Kernel& kernel, ConstMatrixView samples,
                         const std::vector<double>& point, const std::vector<double>& widths) {
  std::vector<double> sums;
  for (const WidthResult& result : Results(kernel, samples, point, widths)) {
    sums.push_back(result.sum());
  }
  return sums;
}

// Totals reads the sums of a BlockSums at point 0 as doubles.
std::vector<double> Totals(const BlockSums& sums) {
  std::vector<double> totals;
  for (size_t w = 0; w < sums.widths(); ++w) {
    totals.push_back(sums.Total(0, w, 0).Split().Value());
  }
  return totals;
}

TEST(ParzenGaussianTest, DensityOfOneSampleIsTheGaussianWindow) {
  for (const char* algorithm : {"fused", "naive"}) {
    const std::unique_ptr<Kernel> kernel = MakeKernel(algorithm);
    EXPECT_TRUE(kernel->MergesInAnyOrder());  // Exact sums: any order, the same bits.
    EXPECT_EQ(kernel->SampleBlock(), kSampleBlock);
    Matrix samples(1, 2);
    samples(0, 0) = 0.3;
    samples(0, 1) = -0.4;  // r^2 = 0.25.
    const std::vector<double> widths = {0.5, 1.0, 2.0};
    const std::vector<WidthResult> results = Results(*kernel, samples.View(), {0.0, 0.0}, widths);
    for (size_t w = 0; w < widths.size(); ++w) {
      const double h = widths[w];
      const double term = std::exp(-0.25 / (2 * h * h));
      EXPECT_NEAR(results[w].sum(), term, 2 * DBL_EPSILON * term) << algorithm << ", h = " << h;
      EXPECT_NEAR(results[w].density(), term / (2 * kPi * h * h),
                  4 * DBL_EPSILON * term / (2 * kPi * h * h));
      EXPECT_NEAR(results[w].log_density(), std::log(term / (2 * kPi * h * h)), 1e-15);
    }
    // A sample at the point contributes exp(0) = 1 exactly, even for a width whose 2 h^2
    // underflows.
    samples(0, 0) = 0.0;
    samples(0, 1) = 0.0;
    const std::vector<double> at_point = Sums(*kernel, samples.View(), {0.0, 0.0}, {1.0, 1e-200});
    EXPECT_EQ(at_point[0], 1.0) << algorithm;
    EXPECT_EQ(at_point[1], 1.0) << algorithm;
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

// How far the fused sum may be from the naive one, from first principles. Both cut the
// samples into the same blocks and shift each block by the same m (its smallest positive
// r^2), so they see the same d = r^2 - m. With X = -d / D, D = fl(2 h h) (the same in both):
//   naive term  std::exp(fl(-d / D)):          argument X (1 + d1),           |d1| <= u;
//   fused term  ExpNonPositive(fl(d a)), a = fl(-1 / D): X (1 + d2)(1 + d3), |d2|,|d3| <= u;
// so the arguments differ by at most 3u|X| (to first order), moving e^X by a factor within
// 3u|X|, and each exp adds at most DBL_EPSILON = 2u relative (std::exp: 0.51 ulp; ours:
// vector_exp_test.cc). A term t therefore differs by at most t (3u|X| + 4u), or, where the
// result is subnormal, by 2.25 smallest subnormals (1.25 ours, 1 std::exp's; see
// vector_exp.h). Each adds a block's k terms in sample order, within (k - 1) u of their
// exact sum S_b. The block's factor e^E, E = -m / D, has the same 3u|E| argument difference.
// (Widths whose 2 h^2 is not normal use the same two-factor product in both: only the exps
// differ, which the bound covers.) The accumulator turns each block's e^E S_b into an
// integer mantissa with std::exp of the reduced argument and a product (1.5u relative), then
// adds exactly (2^-90), and reading its total as a double rounds once (u). So the totals are
// within
//   B = sum_b e^(E_b) [sum_i t_i (3u|X_i| + 4u) + 2.25 k denorm_min + 2 (k - 1) u S_b
//                      + 3u |E_b| S_b + 3u S_b] + 2u S,
// S the total. 1% on top covers the second-order terms.
struct SumsAndBounds {
  std::vector<double> naive;  // The naive loop's totals, computed here independently.
  std::vector<double> bound;
};

SumsAndBounds NaiveWithBound(ConstMatrixView samples, const std::vector<double>& point,
                             const std::vector<double>& widths) {
  SumsAndBounds result;
  const size_t n = samples.rows();
  std::vector<double> r2(n);
  for (size_t i = 0; i < n; ++i) {
    double sum = 0.0;
    for (size_t j = 0; j < samples.cols(); ++j) {
      const double diff = point[j] - samples.row(i)[j];
      sum += diff * diff;
    }
    r2[i] = sum;
  }
  for (double h : widths) {
    const double twice_square = 2.0 * h * h;
    const bool normal = twice_square >= DBL_MIN && twice_square <= DBL_MAX;
    const auto exponent = [&](double d) {
      return normal ? -d / twice_square : (d * (-1.0 / h)) * (0.5 / h);
    };
    long double total = 0.0L;
    long double bound = 0.0L;
    for (size_t begin = 0; begin < n; begin += kSampleBlock) {
      const size_t end = std::min<size_t>(n, begin + kSampleBlock);
      double shift = std::numeric_limits<double>::infinity();
      for (size_t i = begin; i < end; ++i) {
        if (r2[i] == 0.0) total += 1.0L;  // Zero-distance samples count exactly 1.
        if (r2[i] > 0.0) shift = std::min(shift, r2[i]);
      }
      if (std::isinf(shift)) continue;
      double block_sum = 0.0;
      double term_error = 0.0;
      size_t k = 0;
      for (size_t i = begin; i < end; ++i) {
        if (!(r2[i] > 0.0)) continue;
        const double x = exponent(r2[i] - shift);
        const double t = std::exp(x);
        block_sum += t;
        ++k;
        if (t > 0) term_error += t * (3 * kUnitRoundoff * std::fabs(x) + 4 * kUnitRoundoff);
      }
      const double e = exponent(shift);
      const long double factor = std::exp(static_cast<long double>(e));
      if (factor == 0) continue;  // e = -infinity, or below long double's range.
      total += factor * block_sum;
      bound += factor * (term_error + 2.25 * k * std::numeric_limits<double>::denorm_min() +
                         2.0 * (k - 1) * kUnitRoundoff * block_sum +
                         3 * kUnitRoundoff * (std::fabs(e) + 1) * block_sum);
    }
    result.naive.push_back(static_cast<double>(total));
    bound += 2 * kUnitRoundoff * total;
    result.bound.push_back(static_cast<double>(1.01L * bound) +
                           2 * std::numeric_limits<double>::denorm_min());
  }
  return result;
}

// One sample at a time (no summation error: only the argument and exp), then up to 9000
// samples (three blocks); random dimensions 1 to 3, points, and widths including
// duplicates, tiny (2 h^2 underflows) and huge ones. The AVX2 and portable passes give the
// same bits; the kernel's naive pass is the reference loop above to within its
// accumulator's conversion and last rounding (2.5u).
TEST(ParzenGaussianTest, FusedIsWithinTheDerivedBoundOfNaive) {
  for (const Isa isa : {Isa::kAvx2, Isa::kAvx512}) {
    std::cout << "the " << IsaName(isa) << " path "
              << (IsaRuns(isa)          ? "runs"
                  : IsaRuns(Isa::kAvx2) ? "runs its eight-lane code on AVX2 instructions"
                                        : "is skipped")
              << " on this CPU\n";
  }
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  auto uniform = [&rng](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  for (int trial = 0; trial < 1500; ++trial) {
    const size_t d = 1 + trial % 3;
    const bool single = trial % 10 != 0;
    const size_t n = single ? 1 : static_cast<size_t>(uniform(0, 9000));
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
    const ConstMatrixView at(point.data(), 1, d);
    BlockSums naive(1, m);
    BlockSums best(1, m);
    BlockSums portable(1, m);
    AddNaiveSums(samples.View(), at, widths, naive);
    AddFusedSums(samples.View(), at, widths, best, Isa::kBest);
    AddFusedSums(samples.View(), at, widths, portable, Isa::kPortable);
    ASSERT_EQ(best.Serialize(), portable.Serialize());
    // Every vector path this CPU runs (AVX2 + FMA, AVX-512; the packed passes for one and
    // two widths among them) gives the portable path's bits.
    for (const Isa isa : {Isa::kAvx2, Isa::kAvx512}) {
      if (!IsaRuns(isa) && !IsaRuns(Isa::kAvx2)) continue;  // kAvx512 runs on AVX2 too.
      BlockSums path(1, m);
      AddFusedSums(samples.View(), at, widths, path, isa);
      ASSERT_EQ(path.Serialize(), portable.Serialize()) << IsaName(isa);
    }
    const std::vector<double> naive_totals = Totals(naive);
    const std::vector<double> fused_totals = Totals(best);
    for (size_t w = 0; w < m; ++w) {
      SCOPED_TRACE("h = " + std::to_string(widths[w]));
      ASSERT_NEAR(
          naive_totals[w], want.naive[w],
          3 * kUnitRoundoff * want.naive[w] + 2 * std::numeric_limits<double>::denorm_min());
      ASSERT_NEAR(fused_totals[w], naive_totals[w], want.bound[w]);
    }
  }
}

// The partial's bits do not depend on how the samples are cut (at multiples of the block)
// nor on the order in which the pieces merge: the promise that every plan gives the same
// result. Random cuts and merge orders over 5 blocks and a bit, 3 points, 7 widths.
TEST(ParzenGaussianTest, AnyCutAtBlocksAndAnyMergeOrderGiveTheSameBits) {
  absl::StatusOr<Gaussian> gaussian = Gaussian::Create({0, 0}, {1, 0.2, 0.2, 1});
  ASSERT_TRUE(gaussian.ok());
  const size_t n = 5 * kSampleBlock + 123;
  const Matrix samples = gaussian->Sample(n, 9);
  Matrix points(3, 2);
  points(1, 0) = 2.5;
  points(2, 0) = samples(77, 0);  // A sample itself: one term at distance zero.
  points(2, 1) = samples(77, 1);
  const std::vector<double> widths = {0.01, 0.1, 0.3, 0.3, 1.0, 5.0, 1e-170};
  for (const char* algorithm : {"fused", "naive"}) {
    const std::unique_ptr<Kernel> kernel = MakeKernel(algorithm);
    const std::unique_ptr<Partial> whole = kernel->NewPartial(3, widths.size());
    ASSERT_TRUE(kernel->Accumulate(samples.View(), points.View(), widths, *whole).ok());
    const std::string want = whole->Serialize();
    std::mt19937_64 rng(3);
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<size_t> cuts = {0, n};
      for (size_t b = 1; b * kSampleBlock < n; ++b) {
        if (rng() % 2) cuts.push_back(b * kSampleBlock);
      }
      std::sort(cuts.begin(), cuts.end());
      std::vector<std::unique_ptr<Partial>> pieces;
      for (size_t c = 0; c + 1 < cuts.size(); ++c) {
        pieces.push_back(kernel->NewPartial(3, widths.size()));
        ASSERT_TRUE(kernel
                        ->Accumulate(samples.Rows(cuts[c], cuts[c + 1]), points.View(), widths,
                                     *pieces.back())
                        .ok());
      }
      std::shuffle(pieces.begin(), pieces.end(), rng);
      const std::unique_ptr<Partial> merged = kernel->NewPartial(3, widths.size());
      for (const auto& piece : pieces) ASSERT_TRUE(merged->Merge(*piece).ok());
      ASSERT_EQ(merged->Serialize(), want) << algorithm << ", trial " << trial;
    }
  }
}

// A held-out estimate leaves exactly the point's own term out: for a far outlier, the
// others' contribution (e^-300 here) survives, where "total - 1" in doubles would give 0.
// Reference: log(sum_{j != i} exp(-r_j^2 / (2 h^2))) by log-sum-exp, in long double.
TEST(ParzenGaussianTest, HeldOutLeavesTheOwnTermOutExactly) {
  Matrix samples(4, 1);
  samples(0, 0) = 0.0;
  samples(1, 0) = 0.1;
  samples(2, 0) = -0.2;
  samples(3, 0) = std::sqrt(600.0);  // r^2 = 600 from the origin: e^-300 at h = 1.
  const std::vector<double> widths = {1.0, 0.5};
  const std::vector<double> outlier = {samples(3, 0)};
  for (const char* algorithm : {"fused", "naive"}) {
    const std::vector<WidthResult> held =
        Results(*MakeKernel(algorithm), samples.View(), outlier, widths, /*held_out=*/true);
    for (size_t w = 0; w < widths.size(); ++w) {
      const long double h = widths[w];
      long double largest = -INFINITY;
      std::vector<long double> logs;
      for (size_t j = 0; j < 3; ++j) {
        const long double r = samples(3, 0) - samples(j, 0);
        logs.push_back(-r * r / (2 * h * h));
        largest = std::max(largest, logs.back());
      }
      long double shifted = 0;
      for (long double l : logs) shifted += std::exp(l - largest);
      const long double want =
          largest + std::log(shifted) - 0.5L * std::log(2 * kPi) - std::log(h) - std::log(3.0L);
      SCOPED_TRACE(std::string(algorithm) + ", h = " + std::to_string(widths[w]));
      EXPECT_TRUE(std::isfinite(held[w].log_density()));
      // The exponent ~ -300 / h^2 carries 3 roundings (u each) of its size.
      EXPECT_NEAR(held[w].log_density(), static_cast<double>(want),
                  8 * kUnitRoundoff * std::fabs(static_cast<double>(want)));
      EXPECT_NEAR(held[w].density(), std::exp(static_cast<double>(want)),
                  1e-12 * std::exp(static_cast<double>(want)));
    }
    // A duplicate of the point's sample still counts: exactly one term is left out.
    Matrix twice(2, 1);
    const std::vector<WidthResult> duplicate =
        Results(*MakeKernel(algorithm), twice.View(), {0.0}, {1.0}, /*held_out=*/true);
    EXPECT_EQ(duplicate[0].sum(), 1.0);
  }
}

// Below the double range: 20-D, h = 1e-3, a point 0.039 from its nearest sample. Every
// term exp(-r^2 / (2 h^2)) underflows (e^-760 and less), yet the density, about 4e-275
// after the normalisation h^-20 = 1e60, is a double. Reference: log-sum-exp in long double.
TEST(ParzenGaussianTest, NoUnderflowWhereTheDensityIsRepresentable) {
  std::mt19937_64 rng(20);
  std::normal_distribution<double> normal;
  const size_t d = 20;
  Matrix samples(50, d);
  for (size_t i = 0; i < samples.rows(); ++i) {
    for (size_t j = 0; j < d; ++j) samples(i, j) = normal(rng);
  }
  std::vector<double> point(d);
  for (size_t j = 0; j < d; ++j) point[j] = samples(0, j) + (j == 0 ? 0.039 : 0.0);
  const double h = 1e-3;
  long double largest = -INFINITY;
  std::vector<long double> logs;
  for (size_t i = 0; i < samples.rows(); ++i) {
    long double r2 = 0;
    for (size_t j = 0; j < d; ++j)
      r2 += std::pow(static_cast<long double>(point[j]) - samples(i, j), 2);
    logs.push_back(-r2 / (2.0L * h * h));
    largest = std::max(largest, logs.back());
  }
  long double shifted = 0;
  for (long double l : logs) shifted += std::exp(l - largest);
  const long double want = largest + std::log(shifted) - 10 * std::log(2 * kPi) -
                           20 * std::log(static_cast<long double>(h)) - std::log(50.0L);
  ASSERT_LT(want, -600);  // e^-632: a density of 3.97e-275.
  ASSERT_GT(want, -700);
  for (const char* algorithm : {"fused", "naive"}) {
    const WidthResult result = Results(*MakeKernel(algorithm), samples.View(), point, {h})[0];
    SCOPED_TRACE(algorithm);
    EXPECT_NEAR(result.log_density(), static_cast<double>(want), 1e-12 * std::fabs(want));
    EXPECT_NEAR(result.density(), std::exp(static_cast<double>(want)),
                1e-12 * std::exp(static_cast<double>(want)));
    EXPECT_GT(result.density(), 0.0);
  }
}

// Widths so small that 2 h^2 underflows, and so large that it overflows, still give the
// exact exponent: log density = -r^2 / (2 h^2) - log(sqrt(2 pi) h) for one sample.
TEST(ParzenGaussianTest, LogDensityIsRightForEveryNormalWidth) {
  Matrix samples(1, 1);
  samples(0, 0) = 1e-150;
  for (double h : {1e-300, 1e-200, 1e-155, 1e-150, 1.0, 1e150, 1e200, 1e300}) {
    const long double r = 1e-150L;
    const long double want = -r * r / (2.0L * h * h) - std::log(std::sqrt(2 * kPi) * h);
    for (const char* algorithm : {"fused", "naive"}) {
      const WidthResult result = Results(*MakeKernel(algorithm), samples.View(), {0.0}, {h})[0];
      EXPECT_NEAR(result.log_density(), static_cast<double>(want),
                  4 * kUnitRoundoff * std::fabs(static_cast<double>(want)))
          << algorithm << ", h = " << h;
    }
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
      const std::vector<WidthResult> results = Results(*kernel, samples.View(), c.point, widths);
      for (size_t w = 0; w < widths.size(); ++w) {
        const double h = widths[w];
        SCOPED_TRACE("d = " + std::to_string(d) + ", seed " + std::to_string(seed) +
                     ", h = " + std::to_string(h));
        const double density = results[w].density();
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
