#include "runtime/sweep/window_precision.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

// A 2-D sample matrix whose coordinates are all near `center`.
Matrix Around(double center, size_t rows) {
  std::vector<double> values(rows * 2);
  for (size_t i = 0; i < values.size(); ++i) values[i] = center + static_cast<double>(i % 7);
  return Matrix(rows, 2, std::move(values));
}

TEST(LargestMagnitudeTest, MaxOfAbsoluteValuesSkippingNaN) {
  EXPECT_EQ(LargestMagnitude(Matrix(0, 2, {}).View()), 0);
  EXPECT_EQ(LargestMagnitude(Matrix(2, 2, {1, -7, std::nan(""), 3}).View()), 7);
  EXPECT_EQ(LargestMagnitude(Matrix(1, 1, {-std::numeric_limits<double>::max()}).View()),
            std::numeric_limits<double>::max());
}

// With mean 1e16 doubles are 2 apart: h = 0.1 keeps no bit of the window test.
TEST(WindowPrecisionWarningTest, WarnsWhenTheSmallestWidthKeepsFewerThanTenBits) {
  const Matrix samples = Around(1e16, 100);
  const Matrix point(1, 2, {1e16, 1e16});
  const std::vector<double> widths = {0.5, 0.1, 1e4};
  const std::optional<std::string> warning =
      WindowPrecisionWarning(samples.View(), point.View(), widths);
  ASSERT_TRUE(warning.has_value());
  EXPECT_EQ(*warning,
            "the data's coordinates reach 1e+16 in magnitude, where doubles are 2 apart: the "
            "window test |x_j - s_j| <= h/2 keeps -4.3 significant bits for h = 0.1 (fewer than "
            "10), so the densities of widths below 2048 are unreliable; subtract a center from "
            "the data (and the points), or use wider windows");
}

TEST(WindowPrecisionWarningTest, TheThresholdIsTenBits) {
  // From 1024 to 2048 doubles are 2^-42 apart: h = 2^-32 keeps exactly 10 bits, half of it 9.
  const Matrix samples = Around(1024, 10);
  const Matrix origin(1, 2, {0, 0});
  const std::vector<double> ten_bits = {std::ldexp(1.0, -32)};
  const std::vector<double> nine_bits = {std::ldexp(1.0, -33)};
  EXPECT_FALSE(WindowPrecisionWarning(samples.View(), origin.View(), ten_bits).has_value());
  EXPECT_THAT(WindowPrecisionWarning(samples.View(), origin.View(), nine_bits).value_or(""),
              HasSubstr("keeps 9.0 significant bits"));
}

TEST(WindowPrecisionWarningTest, PointsCountAndOrdinaryDataDoNotWarn) {
  const Matrix samples = Around(0, 1000);
  const Matrix origin(1, 2, {0, 0});
  const std::vector<double> widths = {1e-9, 0.1};
  EXPECT_FALSE(WindowPrecisionWarning(samples.View(), origin.View(), widths).has_value());
  // A far point makes the subtraction coarse as much as far samples do.
  const Matrix far_point(1, 2, {0, 1e16});
  EXPECT_TRUE(WindowPrecisionWarning(samples.View(), far_point.View(), widths).has_value());
  EXPECT_FALSE(WindowPrecisionWarning(samples.View(), far_point.View(), {}).has_value());
  // The largest double has a finite spacing too (2^971).
  const Matrix huge(1, 1, {std::numeric_limits<double>::max()});
  EXPECT_THAT(WindowPrecisionWarning(huge.View(), Matrix(1, 1, {0}).View(), widths).value_or(""),
              HasSubstr("doubles are 1.99584e+292 apart"));
}

}  // namespace
}  // namespace parsweep
