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

// A compact kernel's fused pass adds the same terms in the same order as the per-width
// loop: the same bits, with widths out of order and repeated, across several 4096-sample
// blocks. The exponential's fused pass is the Gaussian's vector exp: each term's exponent
// (r - m)(-1 / h) against the loop's -(r - m) / h differs by at most 2 eps |x| (two
// roundings against one), and the vector exp is within 1.10 ulp where std::exp is within 1,
// so a term moves by at most (2 |x| + 2.1) eps relative; the sums add in the same order, and
// each of their n <= 4096 roundings (of u = eps / 2 each) may differ: in all at most
// ((2 x_max + 2.1) + 4096) eps relative, x_max = (largest r) / (smallest h).
TEST(RadialKernelTest, FusedAndNaiveAgreeCompactKernelsToTheBit) {
  const Gaussian source = *Gaussian::Create({0, 0, 0}, {1, 0, 0, 0, 1, 0, 0, 0, 1});
  const Matrix samples = source.Sample(10000, 7);
  const Matrix points = source.Sample(5, 8);
  const std::vector<double> widths = {1.2, 0.05, 0.4, 0.4, 3.0, 0.9};
  for (const char* name : kRadialKernels) {
    const std::vector<WidthResult> fused = Densities(*Make(name, "fused"), samples, points, widths);
    const std::vector<WidthResult> naive = Densities(*Make(name, "naive"), samples, points, widths);
    ASSERT_EQ(fused.size(), naive.size());
    for (size_t i = 0; i < fused.size(); ++i) {
      if (std::string(name) != "exponential") {
        EXPECT_EQ(fused[i].SerializeAsString(), naive[i].SerializeAsString()) << name << " " << i;
        continue;
      }
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
    }
  }
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
