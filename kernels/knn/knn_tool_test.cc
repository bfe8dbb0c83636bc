// The sweep tool with --kernel=knn, as a user runs it: the widths are k, the outputs say so,
// r_k = 0 prints as infinity in every format, and what does not apply to k (a width that is
// no k, k > n, a bandwidth rule) ends with a message and status 1.
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/data/data_file_testing.h"
#include "tests/sweep_tool_process.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(KnnToolTest, SweepsKAndSaysTheWidthsAreK) {
  const ToolOutcome outcome = RunSweepTool({"--kernel=knn", "--widths=1,5,10,50"});
  ASSERT_TRUE(ExitedWith(outcome, 0)) << Describe(outcome);
  EXPECT_THAT(outcome.out, HasSubstr("kernel knn, executor serial, 4 widths"));
  EXPECT_THAT(outcome.out, HasSubstr("the widths are k, the number of neighbours"));
}

// The table names k as k, in whole numbers (Knn::Width()): its column, its rows, the
// closest; not a width h of 10.0.
TEST(KnnToolTest, TheTableNamesKAndPrintsItAsAWholeNumber) {
  const ToolOutcome outcome = RunSweepTool({"--kernel=knn", "--widths=1,5,10,50"});
  ASSERT_TRUE(ExitedWith(outcome, 0)) << Describe(outcome);
  EXPECT_THAT(outcome.out, HasSubstr("\nneighbours       density      expected          true\n"
                                     "         1   0.971752991"));
  EXPECT_THAT(outcome.out, HasSubstr("\n        50   0.145424567"));
  EXPECT_THAT(outcome.out, HasSubstr("\nclosest to the true density: k = 10 (density"));
  EXPECT_THAT(outcome.out, Not(HasSubstr("h = ")));
  EXPECT_THAT(outcome.out, Not(HasSubstr("10.0")));
}

// The chart's axis is k's; CSV keeps its `width` column for programs.
TEST(KnnToolTest, TheChartNamesKAndCsvKeepsItsWidthColumn) {
  const std::string chart = TestFilePath("knn_density.svg");
  const ToolOutcome table =
      RunSweepTool({"--kernel=knn", "--widths=1,5", "--n=1000", "--plot=" + chart});
  ASSERT_TRUE(ExitedWith(table, 0)) << Describe(table);
  std::ifstream file(chart);
  const std::string svg((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_THAT(svg, HasSubstr(">neighbours k<"));
  EXPECT_THAT(svg, Not(HasSubstr("width h")));
  const ToolOutcome csv =
      RunSweepTool({"--kernel=knn", "--widths=1,5", "--n=1000", "--format=csv"});
  ASSERT_TRUE(ExitedWith(csv, 0)) << Describe(csv);
  EXPECT_THAT(csv.out, StartsWith("point,x1,x2,width,count,density,"));
}

// k compares with no distance: data far from the origin, where doubles are 2 apart, bring
// no warning about window widths (it once said widths below 2048 were unreliable).
TEST(KnnToolTest, NoWindowPrecisionWarningAboutK) {
  const ToolOutcome outcome =
      RunSweepTool({"--kernel=knn", "--widths=1,5", "--n=1000", "--mean=1e16,1e16"});
  ASSERT_TRUE(ExitedWith(outcome, 0)) << Describe(outcome);
  EXPECT_THAT(outcome.err, Not(HasSubstr("window")));
}

// Three samples on the point: k = 1 and 3 are +infinity, k = 4 is finite.
TEST(KnnToolTest, AnInfiniteDensityPrintsInEveryFormat) {
  const std::string data = WriteTestFile("twins.csv", "0.5,0.5\n0.5,0.5\n0.5,0.5\n1.5,0.5\n-1,0\n");
  const std::vector<std::string> sweep = {"--kernel=knn", "--data=" + data, "--point=0.5,0.5",
                                          "--widths=1,3,4"};
  auto with = [&](const std::string& format) {
    std::vector<std::string> args = sweep;
    args.push_back("--format=" + format);
    const ToolOutcome outcome = RunSweepTool(args);
    EXPECT_TRUE(ExitedWith(outcome, 0)) << Describe(outcome);
    return outcome.out;
  };
  EXPECT_THAT(with("table"), HasSubstr("\n         3           inf"));
  EXPECT_THAT(with("csv"), HasSubstr("0,0.5,0.5,3,,inf,,,,inf\n"));
  EXPECT_THAT(with("json"), HasSubstr("\"density\": \"Infinity\""));
}

TEST(KnnToolTest, WhatDoesNotApplyToKEndsWithAMessage) {
  for (const auto& [args, message] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--widths=1,2.5"}, "width 2.5 is not a k"},
           {{"--n=30", "--widths=1,31"}, "k = 31 but there are only n = 30 samples"},
           {{"--widths=1,5", "--select=scott"}, "kernel 'knn' has no width equivalent to one"}}) {
    std::vector<std::string> full = {"--kernel=knn"};
    full.insert(full.end(), args.begin(), args.end());
    const ToolOutcome outcome = RunSweepTool(full);
    EXPECT_TRUE(ExitedWith(outcome, 1)) << Describe(outcome);
    EXPECT_THAT(outcome.err, HasSubstr(message));
  }
}

TEST(KnnToolTest, CompareGivesSerialsResultsOnEveryExecutor) {
  const ToolOutcome outcome = RunSweepTool({"--kernel=knn", "--widths=1:50:50", "--n=20000",
                                            "--compare=serial,threads:2,process:2", "--repeat=1"});
  ASSERT_TRUE(ExitedWith(outcome, 0)) << Describe(outcome);
  EXPECT_THAT(outcome.out, HasSubstr("Every executor gave serial's results."));
}

}  // namespace
}  // namespace parsweep
