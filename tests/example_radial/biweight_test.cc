// The biweight example kernel (biweight.cc), through the registry as the sweep tool builds
// it: found by name, its 1-D densities equal the textbook formula, and a sample's density
// integrates to 1 over R^d, which checks the normalisation derived in
// docs/ADDING_A_KERNEL.md.
#include <cmath>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "runtime/base/math_constants.h"
#include "runtime/data/matrix.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace {

std::unique_ptr<Kernel> MakeBiweight() {
  KernelSpec spec;
  spec.set_name("biweight");
  absl::StatusOr<std::unique_ptr<Kernel>> kernel = Registry<Kernel>::Global().Create(spec);
  EXPECT_TRUE(kernel.ok()) << kernel.status();
  return kernel.ok() ? std::move(*kernel) : nullptr;
}

// The density of one sample at the origin of R^dims, at the points (r, 0, ..., 0) for each
// r of `radii`, for `width`.
std::vector<double> OneSampleDensities(const Kernel& kernel, size_t dims, double width,
                                       const std::vector<double>& radii) {
  const Matrix sample(1, dims);
  Matrix points(radii.size(), dims);
  for (size_t i = 0; i < radii.size(); ++i) points(i, 0) = radii[i];
  const std::vector<double> widths = {width};
  std::unique_ptr<Partial> partial = kernel.NewPartial(radii.size(), 1);
  EXPECT_TRUE(kernel.Accumulate(sample.View(), points.View(), widths, *partial).ok());
  std::vector<WidthResult> messages(radii.size());
  std::vector<WidthResult*> pointers;
  EXPECT_TRUE(
      kernel.Estimate(*partial, 1, dims, widths, WidthResults::Of(messages, pointers)).ok());
  std::vector<double> densities;
  for (const WidthResult& result : messages) densities.push_back(result.density());
  return densities;
}

TEST(BiweightTest, IsFoundByName) { EXPECT_NE(MakeBiweight(), nullptr); }

// In one dimension the biweight kernel is the textbook's 15/16 (1 - u^2)^2, u = x / h.
TEST(BiweightTest, OneDimensionalDensitiesAreTheTextbookFormula) {
  const std::unique_ptr<Kernel> kernel = MakeBiweight();
  ASSERT_NE(kernel, nullptr);
  const double h = 0.8;
  const std::vector<double> radii = {0.0, 0.1, 0.4, 0.79, 0.8, 1.5};
  const std::vector<double> densities = OneSampleDensities(*kernel, 1, h, radii);
  for (size_t i = 0; i < radii.size(); ++i) {
    const double u = radii[i] / h;
    const double expected = u < 1 ? 15.0 / 16.0 * (1 - u * u) * (1 - u * u) / h : 0.0;
    // A few roundings apart: the kernel goes through log c_d and exp.
    EXPECT_NEAR(densities[i], expected, 1e-14 * expected) << "x = " << radii[i];
  }
}

// The integral of a sample's density over R^d, S_d times the integral over r in [0, h] of
// r^(d-1) p(r), S_d = 2 pi^(d/2) / Gamma(d/2) the unit sphere's area, must be 1 for every
// d and h. With u = r / h the integrand is c_d S_d u^(d-1) (1 - u^2)^2, a polynomial;
// composite Simpson with step 1/1000 is within (1/180) 1e-12 max|g''''| of its integral,
// at most 5.3e-10 for d <= 5 (d = 5: c_d S_d = 315/8, max|g''''| <= 2424 c_d S_d), so
// 1e-9 is the tolerance. A wrong normalisation is off by a factor such as (d + 2) / (d + 4),
// a wrong profile by more.
TEST(BiweightTest, OneSampleIntegratesToOne) {
  const std::unique_ptr<Kernel> kernel = MakeBiweight();
  ASSERT_NE(kernel, nullptr);
  constexpr int kIntervals = 1000;
  for (size_t dims : {1, 2, 3, 5}) {
    for (double h : {0.3, 2.5}) {
      std::vector<double> radii;
      for (int i = 0; i <= kIntervals; ++i) radii.push_back(h * i / kIntervals);
      const std::vector<double> densities = OneSampleDensities(*kernel, dims, h, radii);
      double simpson = 0.0;
      for (int i = 0; i <= kIntervals; ++i) {
        const double weight = i == 0 || i == kIntervals ? 1 : i % 2 == 1 ? 4 : 2;
        simpson += weight * std::pow(radii[i], static_cast<double>(dims) - 1) * densities[i];
      }
      simpson *= h / kIntervals / 3;
      const double d = static_cast<double>(dims);
      const double sphere = 2 * std::pow(kPi, d / 2) / std::tgamma(d / 2);
      EXPECT_NEAR(sphere * simpson, 1.0, 1e-9) << "d = " << dims << ", h = " << h;
    }
  }
}

}  // namespace
}  // namespace parsweep
