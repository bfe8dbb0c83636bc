// The radial kernels' mathematics, each kernel through the Kernel interface as the runtime
// uses it: densities that integrate to 1 in every dimension, the Gaussian-equivalent width
// against the textbook canonical bandwidths, and the two passes' identical bits. (The
// densities against scikit-learn and numpy: tests/radial_kernels_sklearn_test.py; every
// executor and split: tests/all_plugins_test.cc.)
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/radial/distances.h"
#include "kernels/radial/radial_profile.h"
#include "runtime/base/math_constants.h"
#include "runtime/data/adaptive_quadrature.h"
#include "runtime/data/gaussian.h"
#include "runtime/data/matrix.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace {

const char* const kRadialKernels[] = {"tophat", "epanechnikov", "linear", "cosine", "exponential"};

std::unique_ptr<Kernel> Make(const std::string& name, const std::string& algorithm = "fused") {
  KernelSpec spec;
  spec.set_name(name);
  (*spec.mutable_params())["algorithm"] = algorithm;
  absl::StatusOr<std::unique_ptr<Kernel>> kernel = Registry<Kernel>::Global().Create(spec);
  EXPECT_TRUE(kernel.ok()) << kernel.status();
  return kernel.ok() ? *std::move(kernel) : nullptr;
}

// Densities runs `kernel` over `samples` at `points` for `widths`: results point-major.
std::vector<WidthResult> Densities(const Kernel& kernel, const Matrix& samples,
                                   const Matrix& points, const std::vector<double>& widths) {
  std::unique_ptr<Partial> partial = kernel.NewPartial(points.rows(), widths.size());
  EXPECT_TRUE(kernel.Accumulate(samples.View(), points.View(), widths, *partial).ok());
  std::vector<WidthResult> results(points.rows() * widths.size());
  std::vector<WidthResult*> pointers;
  EXPECT_TRUE(kernel
                  .Estimate(*partial, samples.rows(), samples.cols(), widths,
                            WidthResults::Of(results, pointers))
                  .ok());
  return results;
}

// One sample at the origin; the density at distance r along the first axis, h = 1, is
// c_d k(r); its integral over R^d is S_d times the integral of r^(d-1) c_d k(r), which
// must be 1. The normalisations are closed forms (scikit-learn's, and the cosine's series);
// the quadrature (1e-12 relative) is independent of them.
TEST(RadialKernelTest, EveryDensityIntegratesToOneInOneToSixDimensions) {
  for (const char* name : kRadialKernels) {
    const std::unique_ptr<Kernel> kernel = Make(name);
    ASSERT_NE(kernel, nullptr);
    const bool compact = std::string(name) != "exponential";
    for (size_t d = 1; d <= 6; ++d) {
      const Matrix origin(1, d);
      const auto density = [&](double r) {
        Matrix point(1, d);
        point.row(0)[0] = r;
        return Densities(*kernel, origin, point, {1.0})[0].density();
      };
      QuadratureOptions options;
      options.relative_tolerance = 1e-12;
      options.max_intervals = 1000;
      const double area = std::exp(radial::LogUnitSphereArea(d));
      // Exponential: [0, infinity) mapped onto [0, 1) by r = t / (1 - t).
      const QuadratureResult mass = IntegrateAdaptively(
          [&](double t) -> QuadratureValue {
            if (compact) return {area * std::pow(t, d - 1.0) * density(t), 0.0};
            if (t >= 1.0) return {0.0, 0.0};
            const double r = t / (1.0 - t);
            return {area * std::pow(r, d - 1.0) * density(r) / ((1 - t) * (1 - t)), 0.0};
          },
          0.0, 1.0, options);
      EXPECT_NEAR(mass.value, 1.0, 1e-9) << name << " in " << d << "-D";
    }
  }
}

// In 1-D the canonical bandwidth (R(K) / mu_2(K)^2)^(1/5) of each kernel on [-1, 1] has a
// closed form (Marron and Nolan, 1988): R / mu_2^2 is 15 (Epanechnikov), 9/2 (uniform), 24
// (triangle), (pi^2 / 16) / (1 - 8 / pi^2)^2 (cosine), 1/16 (Laplace), and 1 / (2 sqrt(pi))
// for the Gaussian, so the factor is (ratio 2 sqrt(pi))^(1/5).
TEST(RadialKernelTest, GaussianEquivalentWidthIsTheRatioOfCanonicalBandwidthsIn1D) {
  const double cosine = (kPi * kPi / 16) / std::pow(1 - 8 / (kPi * kPi), 2);
  const std::vector<std::pair<std::string, double>> ratios = {{"epanechnikov", 15.0},
                                                              {"tophat", 4.5},
                                                              {"linear", 24.0},
                                                              {"cosine", cosine},
                                                              {"exponential", 1.0 / 16}};
  for (const auto& [name, ratio] : ratios) {
    const std::unique_ptr<Kernel> kernel = Make(name);
    ASSERT_NE(kernel, nullptr);
    const double factor = std::pow(ratio * 2 * std::sqrt(kPi), 0.2);
    EXPECT_NEAR(kernel->GaussianEquivalentWidth(0.7, 1), 0.7 * factor, 1e-10 * factor) << name;
  }
}

// The fused and naive passes, with widths out of order and repeated, across several
// 4096-sample blocks. Each pass adds a block's terms (or its moments) in a fixed order and
// enters the block's total into the exact accumulator, so the bounds are per block, summed:
// - tophat: both count, exactly: the same bits.
// - epanechnikov, linear: the fused pass sums integers (PowerSums), within (2^-60 + 3u) C of
//   the exact block total (docs/NUMERICS.md), far inside the cosine's bound, used for all
//   three.
// - cosine: the fused pass sums moments (MomentTotals). Either side's
//   block total is within gamma_(n + K + 3) A of the exact one, A = sum_j |a_j| P_j / h^(2j)
//   the sum of the absolute values of what it adds, at most B C: C samples within h,
//   B = 2 (1 + u^2, 1 + u) or cosh(pi / 2) = 2.51 (cosine); n <= 4096, K moments,
//   gamma_k = k u / (1 - k u), u = eps / 2. So |fused - naive| <= 2 gamma B C, C being
//   the tophat's sum at the same width.
// - exponential: the Gaussian's vector exp. Each exponent (r - m)(-1 / h) against the
//   loop's -(r - m) / h differs by at most 2 eps |x|, and the vector exp is within 1.10 ulp
//   where std::exp is within 1, so a term moves by at most (2 |x| + 2.1) eps relative; the
//   sums add in the same order and their n roundings may differ: at most
//   ((2 x_max + 2.1) + 4096) eps relative, x_max = (largest r) / (smallest h).
TEST(RadialKernelTest, FusedAndNaiveAgreeWithinTheirRoundingBounds) {
  const Gaussian source = *Gaussian::Create({0, 0, 0}, {1, 0, 0, 0, 1, 0, 0, 0, 1});
  const Matrix samples = source.Sample(10000, 7);
  const Matrix points = source.Sample(5, 8);
  const std::vector<double> widths = {1.2, 0.05, 0.4, 0.4, 3.0, 0.9};
  const std::vector<WidthResult> counts =
      Densities(*Make("tophat", "naive"), samples, points, widths);
  const auto gamma = [](double k) { return k * DBL_EPSILON / 2 / (1 - k * DBL_EPSILON / 2); };
  for (const char* name : kRadialKernels) {
    const std::string kernel = name;
    const std::vector<WidthResult> fused = Densities(*Make(name, "fused"), samples, points, widths);
    const std::vector<WidthResult> naive = Densities(*Make(name, "naive"), samples, points, widths);
    ASSERT_EQ(fused.size(), naive.size());
    for (size_t i = 0; i < fused.size(); ++i) {
      if (kernel == "tophat") {
        EXPECT_EQ(fused[i].SerializeAsString(), naive[i].SerializeAsString()) << name << " " << i;
      } else if (kernel == "exponential") {
        double largest_r = 0;
        for (size_t s = 0; s < samples.rows(); ++s) {
          double squared = 0;
          for (size_t j = 0; j < 3; ++j) {
            const double diff = samples.row(s)[j] - points.row(i / widths.size())[j];
            squared += diff * diff;
          }
          largest_r = std::max(largest_r, std::sqrt(squared));
        }
        const double bound = ((2 * largest_r / 0.05 + 2.1) + 4096) * DBL_EPSILON;
        EXPECT_NEAR(fused[i].density(), naive[i].density(), bound * naive[i].density())
            << name << " " << i;
        EXPECT_GT(fused[i].density(), 0.0);
      } else {
        const double moments = kernel == "cosine" ? 12 : 2;
        const double b = kernel == "cosine" ? std::cosh(kPi / 2) : 2;
        const double bound = 2 * gamma(4096 + moments + 3) * b * counts[i].sum();
        EXPECT_NEAR(fused[i].sum(), naive[i].sum(), bound) << name << " " << i;
        // Where a window holds samples, so do both totals (the bound is far below them).
        EXPECT_EQ(fused[i].sum() > 0, counts[i].sum() > 0) << name << " " << i;
      }
    }
  }
}

// A width's estimate does not depend on which other widths its task holds (a sweep cut by
// widths gives the bits of one task over all of them): each width alone, and the widths in
// two halves, against all of them at once, for every kernel's fused pass, on samples that
// include some at the point and some at a width's exact distance.
TEST(RadialKernelTest, AWidthsEstimateIsTheSameWhateverWidthsShareItsTask) {
  const Gaussian source = *Gaussian::Create({0, 0}, {1, 0, 0, 1});
  Matrix samples = source.Sample(9000, 11);
  const Matrix points = source.Sample(3, 12);
  samples.row(7)[0] = points.row(0)[0];
  samples.row(7)[1] = points.row(0)[1];
  samples.row(8)[0] = points.row(0)[0] + 0.5;  // At distance 0.5, a width below.
  samples.row(8)[1] = points.row(0)[1];
  // 1e-13 and 2e12 lie outside the widths whose compact moments are summed
  // (kMomentWidthMin, kMomentWidthMax): their terms are added one by one, and that must not
  // change the others'.
  const std::vector<double> widths = {0.5, 2.5, 0.01, 1.0, 0.3, 1.7, 0.75, 0.5, 1e-13, 2e12};
  for (const char* name : kRadialKernels) {
    const std::unique_ptr<Kernel> kernel = Make(name);
    const std::vector<WidthResult> all = Densities(*kernel, samples, points, widths);
    for (size_t w = 0; w < widths.size(); ++w) {
      const std::vector<WidthResult> alone = Densities(*kernel, samples, points, {widths[w]});
      for (size_t p = 0; p < points.rows(); ++p) {
        EXPECT_EQ(alone[p].SerializeAsString(), all[p * widths.size() + w].SerializeAsString())
            << name << " width " << widths[w] << " point " << p;
      }
    }
    const std::vector<double> half(widths.begin() + 4, widths.end());
    const std::vector<WidthResult> second = Densities(*kernel, samples, points, half);
    for (size_t p = 0; p < points.rows(); ++p) {
      for (size_t w = 0; w < half.size(); ++w) {
        EXPECT_EQ(second[p * half.size() + w].SerializeAsString(),
                  all[p * widths.size() + 4 + w].SerializeAsString())
            << name << " width " << half[w] << " point " << p;
      }
    }
  }
}

// Every path of BlockDistances gives the scalar loop's bits and zero count, with samples at
// the point itself and a tail after the last whole vector (the AVX2 path runs where the CPU
// has it; elsewhere both calls take the portable loop).
TEST(RadialKernelTest, DistancePathsGiveTheSameBits) {
  const Gaussian source = *Gaussian::Create({0, 0}, {1, 0, 0, 1});
  Matrix samples = source.Sample(4099, 3);
  const double point[2] = {0.25, -0.5};
  for (size_t i : {0, 5, 4098}) {
    samples.row(i)[0] = point[0];
    samples.row(i)[1] = point[1];
  }
  std::vector<double> portable(samples.rows());
  std::vector<double> best(samples.rows());
  const uint64_t portable_zeros =
      radial::BlockDistances(samples.View(), point, portable.data(), Isa::kPortable);
  const uint64_t best_zeros = radial::BlockDistances(samples.View(), point, best.data());
  EXPECT_EQ(portable_zeros, 3u);
  EXPECT_EQ(best_zeros, 3u);
  EXPECT_EQ(0, std::memcmp(portable.data(), best.data(), best.size() * sizeof(double)));
}

// The expected density of the tophat is P(|x - S| < h) / (V_d h^d); at the mean of N(0, I)
// in 2-D, P = 1 - exp(-h^2 / 2) (the Rayleigh distribution's CDF), an independent closed
// form for the noncentral chi-square quadrature.
TEST(RadialKernelTest, TophatExpectedDensityAtTheMeanIsTheRayleighProbability) {
  const std::unique_ptr<Kernel> tophat = Make("tophat");
  const Gaussian source = *Gaussian::Create({0.5, -1}, {1, 0, 0, 1});
  for (double h : {0.01, 0.3, 1.0, 4.0}) {
    const std::optional<double> expected = tophat->ExpectedDensity(source, {0.5, -1}, h);
    ASSERT_TRUE(expected.has_value());
    const double want = -std::expm1(-h * h / 2) / (kPi * h * h);
    EXPECT_NEAR(*expected, want, 1e-10 * want) << h;
  }
  // Not isotropic: no closed form here, so none is claimed.
  const Gaussian skewed = *Gaussian::Create({0, 0}, {1, 0.5, 0.5, 1});
  EXPECT_FALSE(tophat->ExpectedDensity(skewed, {0, 0}, 1.0).has_value());
}

}  // namespace
}  // namespace parsweep
