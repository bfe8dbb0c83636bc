#include "runtime/stats/rules_of_thumb.h"

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runtime/data/data_file_testing.h"
#include "runtime/data/dataset.h"
#include "runtime/data/gaussian.h"
#include "runtime/stats/python_reference.h"

namespace parsweep {
namespace {

Matrix ReadData(const std::string& path) {
  absl::StatusOr<Matrix> m = ReadMatrixFile(path, "npy");
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? std::move(*m) : Matrix();
}

// Files of N(0, 1) draws of these sizes, written by the reference script.
std::vector<std::string> NormalFiles(const std::vector<int>& sizes, absl::string_view name) {
  std::vector<std::string> files;
  std::vector<std::string> commands;
  for (int n : sizes) {
    files.push_back(TestFilePath(absl::StrCat(name, n, ".npy")));
    commands.insert(commands.end(),
                    {"normal", files.back(), absl::StrCat(n), absl::StrCat(17 + n), "--"});
  }
  const absl::Status made = RunReference(commands).status();
  EXPECT_TRUE(made.ok()) << made;
  return files;
}

// gaussian_kde(x).factor * x.std(ddof=1), bit for bit. Before parsweep summed as numpy
// does and took scipy's n_eff, these differed by up to 15 ulps (n = 12345); with numpy's
// sums but n itself for n_eff, by up to 2.
TEST(RuleOfThumbTest, ScottAndSilvermanEqualScipyInOneDimension) {
  const std::vector<std::string> files = NormalFiles({2, 7, 100, 1000, 2500, 12345}, "kde");
  auto reference = ReferenceRules(files);
  ASSERT_TRUE(reference.ok()) << reference.status();
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    const Matrix x = ReadData(file);
    EXPECT_EQ(RuleOfThumbBandwidth(x, BandwidthMethod::kScott), (*reference)[file]["scott"]);
    EXPECT_EQ(RuleOfThumbBandwidth(x, BandwidthMethod::kSilverman),
              (*reference)[file]["silverman"]);
  }
}

// R's bw.nrd0, written in numpy. When (n - 1) / 4 is whole the quartiles are samples and
// every step is the same operation on the same operands: equal bits. Otherwise R's
// interpolation (1 - h) a + h b, which parsweep follows, and numpy's a + h (b - a) may
// differ in the quartiles' last bit, which the IQR, small beside the quartiles' magnitude,
// makes a few ulps of the bandwidth: 1e-14 relative covers it.
TEST(RuleOfThumbTest, Nrd0EqualsRsFormulaComputedWithNumpy) {
  const std::vector<int> sizes = {5, 13, 1001, 2, 10, 1000, 2500, 12346};
  const std::vector<std::string> files = NormalFiles(sizes, "nrd0_");
  auto reference = ReferenceRules(files);
  ASSERT_TRUE(reference.ok()) << reference.status();
  for (size_t i = 0; i < files.size(); ++i) {
    SCOPED_TRACE(files[i]);
    const double expected = (*reference)[files[i]]["nrd0"];
    const double h = RuleOfThumbBandwidth(ReadData(files[i]), BandwidthMethod::kNrd0);
    if ((sizes[i] - 1) % 4 == 0) {
      EXPECT_EQ(h, expected);
    } else {
      EXPECT_NEAR(h, expected, 1e-14 * expected);
    }
  }
}

// R's fallbacks where min(sd, IQR / 1.34) is 0: sd, else |x[1]|, else 1.
TEST(RuleOfThumbTest, Nrd0FallsBackAsRDoes) {
  struct Case {
    std::string values;
    double spread;  // What R's lo becomes; NaN: the sample sd.
  };
  const std::vector<Case> cases = {
      {"1,1,1,1,1,1,1,1,2,10", NAN},  // Quartiles coincide: sd.
      {"-3,-3,-3", 3},                // No spread at all: |x[1]|.
      {"0,0,0,0", 1},                 // And x[1] = 0: 1.
  };
  std::vector<std::string> files;
  std::vector<std::string> commands;
  for (size_t i = 0; i < cases.size(); ++i) {
    files.push_back(TestFilePath(absl::StrCat("fallback", i, ".npy")));
    commands.insert(commands.end(), {"values", files.back(), cases[i].values, "--"});
  }
  ASSERT_TRUE(RunReference(commands).ok());
  auto reference = ReferenceRules(files);
  ASSERT_TRUE(reference.ok()) << reference.status();
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].values);
    const Matrix x = ReadData(files[i]);
    const double spread =
        std::isnan(cases[i].spread) ? (*reference)[files[i]]["std"] : cases[i].spread;
    const double h = RuleOfThumbBandwidth(x, BandwidthMethod::kNrd0);
    EXPECT_EQ(h, 0.9 * spread * std::pow(static_cast<double>(x.rows()), -0.2));
    EXPECT_EQ(h, (*reference)[files[i]]["nrd0"]);
  }
}

// In d dimensions: the isotropic bandwidth whose kernel has the volume of scipy's kernel
// (det(kde.covariance)^(1/(2d))) when the coordinates are uncorrelated, as these are to
// within their sampling noise (sample correlations of order 1/sqrt(n) = 2%); nrd0 as its
// numpy twin computes the d-dimensional convention.
TEST(RuleOfThumbTest, InDDimensionsTheGeometricMeanKeepsScipysKernelVolume) {
  const std::string file = TestFilePath("columns.npy");
  ASSERT_TRUE(RunReference({"columns", file, "3000", "5", "1,4,0.5"}).ok());
  auto reference = ReferenceRules({file});
  ASSERT_TRUE(reference.ok()) << reference.status();
  std::map<std::string, double>& expected = (*reference)[file];
  const Matrix x = ReadData(file);
  EXPECT_NEAR(RuleOfThumbBandwidth(x, BandwidthMethod::kScott), expected["scott_volume"],
              0.02 * expected["scott_volume"]);
  EXPECT_NEAR(RuleOfThumbBandwidth(x, BandwidthMethod::kSilverman), expected["silverman_volume"],
              0.02 * expected["silverman_volume"]);
  EXPECT_NEAR(RuleOfThumbBandwidth(x, BandwidthMethod::kNrd0), expected["nrd0"],
              1e-14 * expected["nrd0"]);
}

TEST(RuleOfThumbTest, MatchesTheFormulaOnAFixedSample) {
  // Columns +-1 and +-4: sample variances 4/3 and 64/3 (n - 1 in the denominator), so
  // sigma, the geometric mean of the standard deviations, is sqrt(sqrt(4/3) sqrt(64/3)).
  const Matrix samples(4, 2, {-1, -4, 1, 4, -1, 4, 1, -4});
  const double sigma = std::sqrt(std::sqrt(4.0 / 3) * std::sqrt(64.0 / 3));
  EXPECT_NEAR(RuleOfThumbBandwidth(samples, BandwidthMethod::kScott),
              std::pow(4.0, -1.0 / 6) * sigma, 1e-12);
  // Silverman's 2-D factor (n (d + 2) / 4)^(-1/(d+4)) is Scott's.
  EXPECT_NEAR(RuleOfThumbBandwidth(samples, BandwidthMethod::kSilverman),
              std::pow(4.0, -1.0 / 6) * sigma, 1e-12);
  // The quartiles of (-1, -1, 1, 1) are -1 and 1: IQR / 1.34 = 1.49 > sd = 1.15; of
  // (-4, -4, 4, 4), -4 and 4: 5.97 > 4.62. So the spreads are the standard deviations.
  EXPECT_NEAR(RuleOfThumbBandwidth(samples, BandwidthMethod::kNrd0),
              0.9 * std::pow(4.0, -1.0 / 6) * sigma, 1e-12);
}

TEST(RuleOfThumbTest, ScalesWithTheDataAndShrinksWithN) {
  const Gaussian g = *Gaussian::Create({0}, {9});  // sigma 3
  const Matrix samples = g.Sample(100000, 5);
  // The sample standard deviation of 1e5 normals is within 1% of sigma (its relative
  // standard error is 1/sqrt(2n) = 0.22%).
  EXPECT_NEAR(RuleOfThumbBandwidth(samples, BandwidthMethod::kScott), 3 * std::pow(1e5, -0.2),
              0.01 * 3 * std::pow(1e5, -0.2));
  // Silverman's 1-D factor is (4/3)^(1/5) = 1.0592.
  EXPECT_NEAR(RuleOfThumbBandwidth(samples, BandwidthMethod::kSilverman) /
                  RuleOfThumbBandwidth(samples, BandwidthMethod::kScott),
              std::pow(4.0 / 3, 0.2), 1e-12);
  // For a Gaussian IQR / 1.34 = 1.0066 sigma > sigma: nrd0 is 0.9 / (4/3)^(1/5) of
  // Silverman's, to the sampling noise of the sd and the quartiles.
  EXPECT_NEAR(RuleOfThumbBandwidth(samples, BandwidthMethod::kNrd0) /
                  RuleOfThumbBandwidth(samples, BandwidthMethod::kSilverman),
              0.9 / std::pow(4.0 / 3, 0.2), 0.01);
}

TEST(RuleOfThumbTest, ACoordinateThatDoesNotVaryGivesZeroForScottAndSilverman) {
  const Matrix samples(3, 2, {0, 5, 1, 5, 2, 5});
  EXPECT_EQ(RuleOfThumbBandwidth(samples, BandwidthMethod::kScott), 0);
  EXPECT_EQ(RuleOfThumbBandwidth(samples, BandwidthMethod::kSilverman), 0);
  // nrd0 falls back to |x[1]| = 5 in the second coordinate.
  EXPECT_GT(RuleOfThumbBandwidth(samples, BandwidthMethod::kNrd0), 0);
}

}  // namespace
}  // namespace parsweep
