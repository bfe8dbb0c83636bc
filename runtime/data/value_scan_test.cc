// ScanValues finds a non-finite value anywhere (each of the four lanes and the tail) and the
// largest magnitude of the finite ones.
#include "runtime/data/value_scan.h"

#include <cmath>
#include <limits>
#include <vector>

#include "gtest/gtest.h"

namespace parsweep {
namespace {

TEST(ScanValuesTest, AllFiniteAndTheLargestMagnitude) {
  EXPECT_TRUE(ScanValues({}).all_finite);
  EXPECT_EQ(ScanValues({}).largest_magnitude, 0);
  const std::vector<double> values = {1, -7, 3, 0.5, -2, 6.5, -0.25};
  const ValueScan scan = ScanValues(values);
  EXPECT_TRUE(scan.all_finite);
  EXPECT_EQ(scan.largest_magnitude, 7);
  const std::vector<double> extreme = {-std::numeric_limits<double>::max(), 1};
  EXPECT_EQ(ScanValues(extreme).largest_magnitude, std::numeric_limits<double>::max());
}

TEST(ScanValuesTest, FindsANonFiniteValueAtEveryPosition) {
  for (const double bad : {std::nan(""), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()}) {
    for (size_t at = 0; at < 11; ++at) {
      std::vector<double> values(11, 1.5);
      values[at] = bad;
      const ValueScan scan = ScanValues(values);
      EXPECT_FALSE(scan.all_finite) << bad << " at " << at;
      EXPECT_EQ(scan.largest_magnitude, 1.5) << "only finite values count";
    }
  }
}

}  // namespace
}  // namespace parsweep
