// The memory estimate adds up the parts of a sweep, saturates instead of overflowing, reads
// what is available (a tight ulimit -v included), and refuses with the figures.
#include "runtime/sweep/memory_estimate.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

TEST(MemoryEstimateTest, AddsTheParts) {
  SweepSize size;
  size.samples = 10000;
  size.dims = 2;
  size.points = 3;
  size.widths = 100;
  size.output_bytes_per_result = 80;
  const MemoryEstimate estimate = EstimateSweepMemory(size);
  EXPECT_EQ(estimate.samples_bytes, 10000u * 2 * 8);
  EXPECT_EQ(estimate.points_bytes, 3u * 2 * 8 + 100 * 8);
  EXPECT_EQ(estimate.results_bytes, 300 * (kRuntimeBytesPerResult + 80));
  EXPECT_EQ(estimate.total_bytes,
            estimate.samples_bytes + estimate.points_bytes + estimate.results_bytes);
}

TEST(MemoryEstimateTest, SaturatesRatherThanWrapsAround) {
  SweepSize size;
  size.samples = UINT64_MAX / 2;
  size.dims = 1000;
  size.widths = uint64_t{1} << 40;
  size.points = uint64_t{1} << 40;
  EXPECT_EQ(EstimateSweepMemory(size).total_bytes, UINT64_MAX);
}

TEST(MemoryEstimateTest, RefusesWhatDoesNotFitWithTheFigures) {
  SweepSize size;
  size.samples = 10000;
  size.dims = 2;
  size.widths = 10'000'000;
  AvailableMemory available{1'000'000'000, "MemAvailable"};
  const absl::Status status = CheckSweepMemory(size, available);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("needs about 2.5 GB of memory (2.4 GB for 1 x 10000000"));
  EXPECT_THAT(status.message(), HasSubstr("(point, width) results"));
  EXPECT_THAT(status.message(), HasSubstr("160 kB of samples"));
  EXPECT_THAT(status.message(), HasSubstr("1.0 GB is available (MemAvailable)"));
  size.widths = 1000;
  EXPECT_TRUE(CheckSweepMemory(size, available).ok());
}

TEST(MemoryEstimateTest, FormatsBytes) {
  EXPECT_EQ(FormatBytes(999), "999 bytes");
  EXPECT_EQ(FormatBytes(160000), "160 kB");
  EXPECT_EQ(FormatBytes(3'200'000'000), "3.2 GB");
  EXPECT_EQ(FormatBytes(999'960), "1.0 MB");
  EXPECT_EQ(FormatBytes(UINT64_MAX), "18 EB");
}

TEST(MemoryEstimateTest, ReadsWhatIsAvailable) {
  const AvailableMemory available = ReadAvailableMemory();
  EXPECT_GT(available.bytes, 0u);
  EXPECT_FALSE(available.limited_by.empty());  // Linux has /proc/meminfo.
}

TEST(MemoryEstimateTest, AnAddressSpaceLimitCounts) {
  // In a child, so the limit does not bind the test runner.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    rlimit limit;
    getrlimit(RLIMIT_AS, &limit);
    limit.rlim_cur = uint64_t{4} << 30;
    if (setrlimit(RLIMIT_AS, &limit) != 0) _exit(2);
    const AvailableMemory available = ReadAvailableMemory();
    const bool ok = available.limited_by == "ulimit -v" && available.bytes < (uint64_t{4} << 30);
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "ReadAvailableMemory did not see ulimit -v";
}

}  // namespace
}  // namespace parsweep
