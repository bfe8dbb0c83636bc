#include "kernels/parzen_gaussian/vector_exp.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace parsweep {
namespace parzen_gaussian_internal {
namespace {

// The arguments the kernel passes: -r^2 / (2 h^2), anywhere in [-745.2, 0], with most of
// the mass in [-50, 0] and a log-uniform share near 0 (tiny distances, wide windows).
std::vector<double> Arguments(size_t count, double lo, double hi, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> xs(count);
  for (size_t i = 0; i < count; ++i) {
    if (i % 4 == 0) {
      xs[i] = -std::ldexp(std::uniform_real_distribution<double>(0.5, 1.0)(rng),
                          -static_cast<int>(rng() % 60));
    } else {
      xs[i] = std::uniform_real_distribution<double>(lo, hi)(rng);
    }
  }
  return xs;
}

// Results in the normal range (x >= -708.39): relative error below DBL_EPSILON against a
// long double reference (x86-64's 64-bit significand: 11 bits beyond double), and below
// 1.5 DBL_EPSILON against std::exp (glibc's own error is at most 0.51 ulp).
TEST(VectorExpTest, RelativeErrorIsBelowOneEpsilonInTheNormalRange) {
  double worst_true = 0.0;
  double worst_std = 0.0;
  for (double x : Arguments(2000000, -708.39, 0.0, 1)) {
    const double got = ExpNonPositive(x);
    const long double want = std::exp(static_cast<long double>(x));
    worst_true = std::max(worst_true, static_cast<double>(std::fabs((got - want) / want)));
    const double std_exp = std::exp(x);
    worst_std = std::max(worst_std, std::fabs(got - std_exp) / std_exp);
  }
  EXPECT_LT(worst_true, DBL_EPSILON);
  EXPECT_LT(worst_std, 1.5 * DBL_EPSILON);
  std::cout << "max relative error: " << worst_true / DBL_EPSILON << " eps against expl, "
            << worst_std / DBL_EPSILON << " eps against std::exp\n";
}

// Subnormal results: within 1.25 smallest subnormals of the exact value (0.5 for the
// final rounding, plus below DBL_EPSILON relative of a value below DBL_MIN = 2^52 of
// them: 0.74 at most by the test above), and within 2 of std::exp's (0.5 + 0.51 ulp).
TEST(VectorExpTest, SubnormalResultsAreWithinAFewSmallestSubnormals) {
  const double tiny = std::numeric_limits<double>::denorm_min();
  for (double x : Arguments(200000, -745.2, -708.39, 2)) {
    if (x > -708.39) continue;
    const double got = ExpNonPositive(x);
    const long double want = std::exp(static_cast<long double>(x));
    ASSERT_LE(std::fabs(got - want), 1.25 * tiny) << "x = " << x;
    ASSERT_LE(std::fabs(got - std::exp(x)), 2 * tiny) << "x = " << x;
  }
}

TEST(VectorExpTest, SpecialValues) {
  EXPECT_EQ(ExpNonPositive(0.0), 1.0);
  EXPECT_EQ(ExpNonPositive(-0.0), 1.0);
  EXPECT_EQ(ExpNonPositive(-1e-300), 1.0);
  EXPECT_EQ(ExpNonPositive(-745.13), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(ExpNonPositive(-745.14), 0.0);
  EXPECT_EQ(ExpNonPositive(-746.0), 0.0);
  EXPECT_EQ(ExpNonPositive(-1e300), 0.0);
  EXPECT_EQ(ExpNonPositive(-std::numeric_limits<double>::infinity()), 0.0);
  EXPECT_TRUE(std::isnan(ExpNonPositive(std::numeric_limits<double>::quiet_NaN())));
  // Exactly representable powers: e^(-k ln 2) is 2^-k up to the error of ln 2's rounding.
  EXPECT_NEAR(ExpNonPositive(-std::log(2.0)), 0.5, 0.5 * DBL_EPSILON);
}

// Every lane of a vector gets the bits the scalar gets.
TEST(VectorExpTest, VectorLanesEqualTheScalarBitForBit) {
  const std::vector<double> xs = Arguments(40000, -746.0, 0.0, 3);
  for (size_t i = 0; i + 4 <= xs.size(); i += 4) {
    const V2d two = ExpNonPositive(V2d{xs[i], xs[i + 1]});
    const V4d four = ExpNonPositive(V4d{xs[i], xs[i + 1], xs[i + 2], xs[i + 3]});
    for (size_t lane = 0; lane < 4; ++lane) {
      const uint64_t want = BitCast<uint64_t>(ExpNonPositive(xs[i + lane]));
      if (lane < 2) {
        EXPECT_EQ(BitCast<uint64_t>(two[lane]), want) << xs[i + lane];
      }
      EXPECT_EQ(BitCast<uint64_t>(four[lane]), want) << xs[i + lane];
    }
  }
}

}  // namespace
}  // namespace parzen_gaussian_internal
}  // namespace parsweep
