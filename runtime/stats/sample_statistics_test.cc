#include "runtime/stats/sample_statistics.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runtime/data/data_file_testing.h"
#include "runtime/data/dataset.h"
#include "runtime/stats/python_reference.h"

namespace parsweep {
namespace {

std::vector<double> FirstColumn(const std::string& path) {
  absl::StatusOr<Matrix> m = ReadMatrixFile(path, "npy");
  EXPECT_TRUE(m.ok()) << m.status();
  std::vector<double> column;
  if (!m.ok()) return column;
  for (size_t i = 0; i < m->rows(); ++i) column.push_back((*m)(i, 0));
  return column;
}

// numpy's own sums, standard deviations and scipy's effective sample sizes, bit for bit, at
// sizes on either side of numpy's unrolling by 8, its block of 128 and its buffer of 8192.
TEST(SampleStatisticsTest, SumStandardDeviationAndNeffEqualNumpyAndScipy) {
  std::vector<std::string> files;
  std::vector<std::string> commands;
  for (int n : {2, 7, 9, 128, 129, 1000, 8192, 8193, 20000}) {
    files.push_back(TestFilePath(absl::StrCat("moments", n, ".npy")));
    commands.insert(commands.end(),
                    {"normal", files.back(), absl::StrCat(n), absl::StrCat(n + 40), "--"});
  }
  ASSERT_TRUE(RunReference(commands).ok());
  auto reference = ReferenceRules(files);
  ASSERT_TRUE(reference.ok()) << reference.status();
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    const std::vector<double> x = FirstColumn(file);
    std::map<std::string, double>& expected = (*reference)[file];
    EXPECT_EQ(PairwiseSum(x), expected["sum"]);
    EXPECT_EQ(SampleStandardDeviation(x), expected["std"]);
    EXPECT_EQ(EffectiveSampleSize(x.size()), expected["neff"]);
  }
}

TEST(SampleStatisticsTest, PairwiseSumIsASumInAnotherOrder) {
  std::vector<double> ones(1000, 1.0);
  EXPECT_EQ(PairwiseSum(ones), 1000.0);
  EXPECT_EQ(PairwiseSum(std::vector<double>{}), 0.0);
  // 1e16 and fifteen 1s: the order matters, and numpy's keeps small terms together longer
  // than a running sum does (np.sum gives 1e16 + 14).
  std::vector<double> values(16, 1.0);
  values[0] = 1e16;
  double running = 0;
  for (double v : values) running += v;
  EXPECT_EQ(running, 1e16);  // Each 1 is lost against 1e16 (ulp 2, ties to even).
  // Eight accumulators: r[0] = 1e16 + 1 rounds back to 1e16, r[1..7] reach 2 each, and
  // those 14 are added to 1e16 in pairs (2, then 4, then 8), none lost.
  EXPECT_EQ(PairwiseSum(values), 1e16 + 14);
}

TEST(SampleStatisticsTest, QuantileIsRsTypeSeven) {
  // R: quantile(c(1, 2, 3, 4), c(0.25, 0.5, 0.75)) is 1.75, 2.5, 3.25.
  const std::vector<double> x = {1, 2, 3, 4};
  EXPECT_EQ(SampleQuantile(x, 0.25), 1.75);
  EXPECT_EQ(SampleQuantile(x, 0.5), 2.5);
  EXPECT_EQ(SampleQuantile(x, 0.75), 3.25);
  EXPECT_EQ(SampleQuantile(x, 0), 1);
  EXPECT_EQ(SampleQuantile(x, 1), 4);
  // Five values: the quartiles are values themselves, taken as they are.
  EXPECT_EQ(SampleQuantile(std::vector<double>{0.1, 0.3, 0.7, 1.1, 1.9}, 0.25), 0.3);
  // Equal neighbours: the value itself, not (1 - h) x + h x rounded.
  EXPECT_EQ(SampleQuantile(std::vector<double>{0.1, 0.1, 0.1, 0.1}, 0.25), 0.1);
  EXPECT_EQ(SampleQuantile(std::vector<double>{5}, 0.75), 5);
}

}  // namespace
}  // namespace parsweep
