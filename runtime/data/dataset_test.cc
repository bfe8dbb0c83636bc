// LoadDataset says how large the samples' coordinates get without a costly pass over them: a
// file's and small generated data's exactly, larger generated data's estimated within a
// factor of 2, erring high.
#include "runtime/data/dataset.h"

#include <cmath>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "runtime/data/value_scan.h"

namespace parsweep {
namespace {

double TrueLargest(const Matrix& samples) {
  return ScanValues(absl::MakeConstSpan(samples.data(), samples.rows() * samples.cols()))
      .largest_magnitude;
}

TEST(LoadDatasetTest, GeneratedDataKnowsItsLargestMagnitudeOrEstimatesItHigh) {
  struct Case {
    uint64_t n;
    std::vector<double> mean;
    std::vector<double> covariance;
  };
  for (const Case& c :
       {Case{10, {0, 0}, {1, 0, 0, 1}}, Case{10000, {0, 0}, {1, 0, 0, 1}},
        Case{1000, {1e16, 1e16}, {1, 0, 0, 1}}, Case{1000000, {3, -50}, {4, 0.5, 0.5, 0.25}},
        Case{2000000, {0, 0}, {1, 0, 0, 1}}}) {
    DataSpec spec;
    GaussianSource& gaussian = *spec.mutable_gaussian();
    gaussian.set_n(c.n);
    gaussian.set_seed(7);
    *gaussian.mutable_mean() = {c.mean.begin(), c.mean.end()};
    *gaussian.mutable_covariance() = {c.covariance.begin(), c.covariance.end()};
    absl::StatusOr<Dataset> data = LoadDataset(spec);
    ASSERT_TRUE(data.ok()) << data.status();
    ASSERT_TRUE(data->largest_magnitude.has_value());
    const double actual = TrueLargest(data->samples);
    if (c.n * c.mean.size() <= (uint64_t{1} << 12)) {
      EXPECT_EQ(*data->largest_magnitude, actual) << c.n;  // Scanned.
    } else {
      EXPECT_GE(*data->largest_magnitude, actual) << c.n;  // Estimated.
      EXPECT_LE(*data->largest_magnitude, 2 * actual) << c.n;
    }
  }
}

TEST(LoadDatasetTest, FileDataKnowsItsLargestMagnitudeExactly) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/samples.csv";
  std::ofstream(path) << "1,2\n-30.5,4\n";
  DataSpec spec;
  spec.mutable_file()->set_path(path);
  absl::StatusOr<Dataset> data = LoadDataset(spec);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->largest_magnitude, 30.5);
}

}  // namespace
}  // namespace parsweep
