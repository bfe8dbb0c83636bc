#include "runtime/data/standard_normal.h"

#include <cmath>
#include <limits>
#include <vector>

#include "gtest/gtest.h"

namespace parsweep {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// EXPECT_REL: a and b agree to `tolerance` relative to b.
#define EXPECT_REL(a, b, tolerance) EXPECT_NEAR((a) / (b), 1.0, tolerance) << (a) << " vs " << (b)

// The references below are mpmath's ncdf and erfinv at 40 digits, rounded to doubles
// (mpmath.ncdf(b) - mpmath.ncdf(a) for an interval, of the doubles a and b).
TEST(StandardNormalTest, DistributionFunctionKeepsItsDigitsInTheLowerTail) {
  EXPECT_EQ(StandardNormalCdf(0.0), 0.5);
  EXPECT_REL(StandardNormalCdf(1.5), 0.9331927987311419, 1e-15);
  EXPECT_REL(StandardNormalCdf(-10.0), 7.619853024160525e-24, 1e-14);
  EXPECT_REL(StandardNormalCdf(-37.0), 5.725571222524577e-300, 2e-13);
  EXPECT_EQ(StandardNormalCdf(-kInf), 0.0);
  EXPECT_EQ(StandardNormalCdf(kInf), 1.0);
}

TEST(StandardNormalTest, IntervalProbabilitiesMatchHighPrecisionValues) {
  struct Case {
    double a, b, expected, tolerance;
  };
  const Case cases[] = {
      {0.5, 1.5, 0.24173033745712882, 1e-15},           // He_2(1) = 0: a vanishing term.
      {-1.0, 2.0, 0.8185946141203637, 1e-15},           // Across the mean.
      {8.0, 9.0, 6.21983198586583e-16, 1e-14},          // Upper tail: about 64 * 1.1e-16.
      {-9.0, -8.0, 6.21983198586583e-16, 1e-14},        // Lower tail.
      {0.9995, 1.0005, 0.00024197072451911646, 1e-15},  // Narrow.
      {-1e-8, 1e-8, 7.978845608028653e-09, 1e-15},      // Narrower.
      {30.0, 30.01, 1.2731211121828332e-198, 1e-12},    // Narrow, far out.
      {-kInf, 0.0, 0.5, 0.0},
      {5.0, kInf, 2.866515718791939e-07, 4e-15},  // erfc's argument 5 / sqrt(2), rounded.
  };
  for (const Case& c : cases) {
    EXPECT_REL(StandardNormalInterval(c.a, c.b), c.expected, c.tolerance)
        << "[" << c.a << ", " << c.b << "]";
  }
  EXPECT_EQ(StandardNormalInterval(-kInf, kInf), 1.0);
  EXPECT_EQ(StandardNormalInterval(1.0, 1.0), 0.0);
  EXPECT_EQ(StandardNormalInterval(2.0, 1.0), 0.0);
  EXPECT_EQ(StandardNormalInterval(40.0, 41.0), 0.0);  // Underflows.
}

// The series for narrow intervals, checked where the difference of tails is still
// accurate: half * max(1, |mid|) between 1/4 and 1/2, where the difference cancels at
// most a factor 4. Midpoints cover the zeros of He_2 (1) and He_4 (0.742, 2.334) and
// far tails on both sides.
TEST(StandardNormalTest, NarrowSeriesAgreesWithTheTailDifferenceAtItsEdge) {
  const std::vector<double> mids = {0.0,  0.3,    0.742, 1.0,  1.5,   2.334, 3.0,  5.0,
                                    10.0, -0.742, -1.0,  -4.0, -20.0, 25.0,  -30.0};
  for (double mid : mids) {
    for (double scale : {0.25, 0.35, 0.5}) {
      const double half = scale / std::max(1.0, std::abs(mid));
      const double a = mid - half;
      const double b = mid + half;
      // Difference of the tail on the side away from the mean, as exact as erfc is.
      const double difference = mid >= 0 ? StandardNormalCdf(-a) - StandardNormalCdf(-b)
                                         : StandardNormalCdf(b) - StandardNormalCdf(a);
      EXPECT_REL(StandardNormalInterval(a, b), difference, 4e-15 * (1 + mid * mid))
          << "mid " << mid << ", half " << half;
    }
  }
}

TEST(StandardNormalTest, IntervalsAddUp) {
  for (double a : {-3.0, -0.2, 0.7, 4.0, 12.0}) {
    for (double width : {1e-9, 1e-4, 0.3, 2.0}) {
      const double b = a + 0.4 * width;
      const double c = a + width;
      EXPECT_REL(StandardNormalInterval(a, b) + StandardNormalInterval(b, c),
                 StandardNormalInterval(a, c), 4e-15 * (1 + a * a))
          << "[" << a << ", " << c << "]";
    }
  }
}

TEST(StandardNormalTest, QuantileInvertsTheDistributionFunction) {
  EXPECT_REL(StandardNormalQuantile(0.975), 1.9599639845400538, 1e-15);
  EXPECT_REL(StandardNormalQuantile(1e-10), -6.361340902404057, 1e-15);
  EXPECT_NEAR(StandardNormalQuantile(0.5), 0.0, 1e-17);
  for (double p = 1e-300; p < 0.5; p *= 3.7) {
    const double z = StandardNormalQuantile(p);
    EXPECT_REL(StandardNormalCdf(z), p, 4e-16 * (4 + z * z)) << "p " << p;
    const double q = 1.0 - p;  // Rounded; 1 - q is exact.
    EXPECT_EQ(StandardNormalQuantile(q), -StandardNormalQuantile(1.0 - q)) << "q " << q;
  }
  EXPECT_EQ(StandardNormalQuantile(0.0), -kInf);
  EXPECT_EQ(StandardNormalQuantile(1.0), kInf);
  EXPECT_TRUE(std::isnan(StandardNormalQuantile(-0.1)));
  EXPECT_TRUE(std::isnan(StandardNormalQuantile(1.5)));
  EXPECT_TRUE(std::isnan(StandardNormalQuantile(std::nan(""))));
}

// Quantile(w) cuts off the fraction w of the interval's probability, in the middle, in
// either tail, on unbounded intervals and on narrow ones. The quantile z is as precise as
// its tail probability tail(z) = min(Phi(z), 1 - Phi(z)), so the share measured from the
// nearer end is known to about 1e-16 tail(z) / share; and a double z resolves the share
// only to ulp(z) phi(z) / share.
TEST(TruncatedStandardNormalTest, QuantileCutsOffItsShareOfTheProbability) {
  struct Case {
    double lower, upper;
  };
  const Case cases[] = {{0.5, 1.5},  {-1.0, 2.0},   {8.0, 9.0},   {-9.0, -8.0}, {-kInf, 0.0},
                        {3.0, kInf}, {-kInf, kInf}, {1.0, 1.001}, {20.0, 20.5}, {-35.0, -34.0}};
  for (const Case& c : cases) {
    const TruncatedStandardNormal t(c.lower, c.upper);
    EXPECT_EQ(t.probability(), StandardNormalInterval(c.lower, c.upper));
    for (double w : {1e-9, 0.001, 0.1, 0.5, 0.9, 0.999, 1 - 1e-9}) {
      const double z = t.Quantile(w);
      ASSERT_GE(z, c.lower);
      ASSERT_LE(z, c.upper);
      // Measured from the nearer end, where the share is known best.
      const double share = (w <= 0.5 ? w : 1.0 - w) * t.probability();
      const double got =
          w <= 0.5 ? StandardNormalInterval(c.lower, z) : StandardNormalInterval(z, c.upper);
      const double resolution = (std::nextafter(z, kInf) - z) * StandardNormalDensity(z) / share;
      const double tail = StandardNormalCdf(-std::abs(z));
      EXPECT_REL(got, share, 2e-14 * (1 + z * z) * (1 + tail / share) + 2 * resolution)
          << "[" << c.lower << ", " << c.upper << "] w " << w;
    }
  }
}

TEST(TruncatedStandardNormalTest, TheComplementMapsTheTopOfAnUnboundedInterval) {
  // Z >= 0: its top 1e-20 share starts where 1 - Phi(z) = 0.5e-20. Given as 1 - w the
  // share survives; w = 1 - 1e-20 itself rounds to 1, the top of [0, infinity).
  const TruncatedStandardNormal t(0.0, kInf);
  const double z = t.Quantile(1.0, 1e-20);
  EXPECT_REL(StandardNormalCdf(-z), 0.5e-20, 1e-13);
  EXPECT_EQ(t.Quantile(1.0 - 1e-20), TruncatedStandardNormal::kFiniteLimit);
}

TEST(TruncatedStandardNormalTest, EndsAreFiniteEvenWhereTheIntervalIsNot) {
  const TruncatedStandardNormal t(-kInf, kInf);
  EXPECT_EQ(t.Quantile(0.0), -TruncatedStandardNormal::kFiniteLimit);
  EXPECT_EQ(t.Quantile(1.0), TruncatedStandardNormal::kFiniteLimit);
  EXPECT_NEAR(TruncatedStandardNormal(0.5, 1.5).Quantile(0.0), 0.5, 1e-15);
  EXPECT_NEAR(TruncatedStandardNormal(0.5, 1.5).Quantile(1.0), 1.5, 1e-15);
  // An interval beyond the limit: no probability, and its nearest point.
  EXPECT_EQ(TruncatedStandardNormal(50.0, 60.0).Quantile(0.3), 50.0);
}

TEST(TruncatedStandardNormalTest, MeanIsTheConditionalExpectation) {
  EXPECT_EQ(TruncatedStandardNormal(-kInf, kInf).Mean(), 0.0);
  EXPECT_NEAR(TruncatedStandardNormal(-1.0, 1.0).Mean(), 0.0, 1e-16);
  // E[Z | Z > 5] = phi(5) / (1 - Phi(5)), the inverse Mills ratio.
  EXPECT_REL(TruncatedStandardNormal(5.0, kInf).Mean(),
             StandardNormalDensity(5.0) / StandardNormalCdf(-5.0), 1e-14);
  EXPECT_REL(TruncatedStandardNormal(-kInf, -5.0).Mean(),
             -StandardNormalDensity(5.0) / StandardNormalCdf(-5.0), 1e-14);
  // Where the probability underflows: the nearest point to 0.
  EXPECT_EQ(TruncatedStandardNormal(45.0, 46.0).Mean(), 45.0);
}

TEST(TruncatedStandardNormalTest, CenteredKeepsANarrowWidthThatTheEndsWouldLose) {
  // The ends 0.5 +- 1e-12 carry the width to only about 1e-4 of itself; given as a
  // half-width it is exact, and the probability is phi(0.5) * 2e-12 to 1e-15.
  const TruncatedStandardNormal t = TruncatedStandardNormal::Centered(0.5, 1e-12);
  EXPECT_REL(t.probability(), StandardNormalDensity(0.5) * 2e-12, 1e-15);
  const TruncatedStandardNormal wide = TruncatedStandardNormal::Centered(-2.0, 3.0);
  EXPECT_REL(wide.probability(), StandardNormalInterval(-5.0, 1.0), 1e-15);
  EXPECT_EQ(wide.lower(), -5.0);
  EXPECT_EQ(wide.upper(), 1.0);
}

}  // namespace
}  // namespace parsweep
