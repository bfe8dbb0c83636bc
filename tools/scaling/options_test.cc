#include "tools/scaling/options.h"

#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kTutorial[] = "serial,process:2,process:3";

ScalingFlags Study() {
  ScalingFlags flags;
  flags.scaling = true;
  flags.tutorial_compare = kTutorial;
  return flags;
}

std::string ErrorOf(const ScalingFlags& flags) {
  const absl::StatusOr<std::optional<ScalingOptions>> options = ScalingOptionsFromFlags(flags, 2);
  EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(options.status().message());
}

TEST(ScalingOptionsTest, DefaultsWithoutCompareOrWithABareCompare) {
  for (const std::optional<std::string>& compare :
       {std::optional<std::string>(), std::optional<std::string>(kTutorial)}) {
    ScalingFlags flags = Study();
    flags.compare = compare;
    const absl::StatusOr<std::optional<ScalingOptions>> options = ScalingOptionsFromFlags(flags, 3);
    ASSERT_TRUE(options.ok()) << options.status();
    ASSERT_TRUE(options->has_value());
    EXPECT_THAT((*options)->executors, ElementsAre("threads", "process"));
    EXPECT_THAT((*options)->workers, ElementsAre(1, 2, 3));
    EXPECT_TRUE((*options)->sizes.empty());
    EXPECT_EQ((*options)->json_path, "");
  }
}

TEST(ScalingOptionsTest, ParsesExecutorsWorkersSizesAndFiles) {
  ScalingFlags flags = Study();
  flags.compare = "serial,threads,process:spawn";
  flags.workers = "4,1,2";
  flags.sizes = "1e5,1000,1e4";
  flags.json = "/tmp/study.json";
  flags.baseline = "/tmp/old.json";
  const absl::StatusOr<std::optional<ScalingOptions>> options = ScalingOptionsFromFlags(flags, 2);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_THAT((*options)->executors, ElementsAre("threads", "process:spawn"));
  EXPECT_THAT((*options)->workers, ElementsAre(1, 2, 4));
  EXPECT_THAT((*options)->sizes, ElementsAre(1000, 10000, 100000));
  EXPECT_EQ((*options)->json_path, "/tmp/study.json");
  EXPECT_EQ((*options)->baseline_path, "/tmp/old.json");
}

TEST(ScalingOptionsTest, WithoutScalingNothingRunsAndItsFlagsAreRefused) {
  ScalingFlags flags;
  const absl::StatusOr<std::optional<ScalingOptions>> none = ScalingOptionsFromFlags(flags, 2);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  flags.baseline = "old.json";
  EXPECT_EQ(ErrorOf(flags), "--baseline belongs to a scaling study; add --scaling");
  flags = ScalingFlags();
  flags.sizes = "10";
  EXPECT_EQ(ErrorOf(flags), "--scaling_sizes belongs to a scaling study; add --scaling");
}

TEST(ScalingOptionsTest, RefusesContradictions) {
  ScalingFlags flags = Study();
  flags.compare = "serial,process:2";
  EXPECT_THAT(ErrorOf(flags), HasSubstr("--compare entry 'process:2': a --scaling study takes "
                                        "executor names"));
  flags.compare = "serial,mpi";
  EXPECT_THAT(ErrorOf(flags), HasSubstr("--compare entry 'mpi'"));
  flags.compare = "serial";
  EXPECT_EQ(ErrorOf(flags),
            "--compare='serial': a --scaling study needs an executor besides serial");
  flags.compare = "threads,threads";
  EXPECT_THAT(ErrorOf(flags), HasSubstr("lists 'threads' twice"));
  flags = Study();
  flags.n_given = true;
  flags.sizes = "100";
  EXPECT_THAT(ErrorOf(flags), HasSubstr("--n and --scaling_sizes both set the samples"));
  flags = Study();
  flags.repeat = 1;
  EXPECT_THAT(ErrorOf(flags), HasSubstr("--repeat=1: a --scaling study needs at least 2 runs"));
}

TEST(ParseCountsTest, WholePositiveDistinctNumbers) {
  EXPECT_THAT(*ParseCounts("--scaling_sizes", "1e3, 10,200", 1000), ElementsAre(10, 200, 1000));
  EXPECT_EQ(ParseCounts("--scaling_workers", "1,0", 8).status().message(),
            "--scaling_workers='1,0': '0' is not a whole number from 1 to 8");
  EXPECT_EQ(ParseCounts("--scaling_sizes", "1.5", 8).status().message(),
            "--scaling_sizes='1.5': '1.5' is not a whole number from 1 to 8");
  EXPECT_EQ(ParseCounts("--scaling_sizes", "9", 8).status().message(),
            "--scaling_sizes='9': '9' is not a whole number from 1 to 8");
  EXPECT_EQ(ParseCounts("--scaling_sizes", "x", 8).status().message(),
            "--scaling_sizes='x': 'x' is not a whole number from 1 to 8");
  EXPECT_EQ(ParseCounts("--scaling_sizes", "1e1,10", 80).status().message(),
            "--scaling_sizes='1e1,10' gives 10 twice");
  EXPECT_EQ(ParseCounts("--scaling_sizes", "1,,2", 80).status().message(),
            "--scaling_sizes='1,,2': entry 2 is empty");
}

TEST(DefaultSizesTest, ALadderOfTenfoldStepsEndingAtN) {
  EXPECT_THAT(DefaultSizes(10000), ElementsAre(100, 1000, 10000));
  EXPECT_THAT(DefaultSizes(150), ElementsAre(1, 15, 150));
  EXPECT_THAT(DefaultSizes(5), ElementsAre(5));
}

}  // namespace
}  // namespace parsweep
