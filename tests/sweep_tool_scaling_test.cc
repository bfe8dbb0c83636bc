// The real sweep tool's --scaling study, end to end: a tiny study (two sizes, two runs per
// cell, seconds in all), its table, JSON and charts, a second study against the first as a
// baseline, and the flag combinations it refuses. No assertion depends on a time.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sweep_tool_process.h"
#include "tools/scaling/json.h"

namespace parsweep {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> StudyArgs(const std::string& json) {
  return {"--scaling",
          "--compare=threads,process",
          "--scaling_workers=1,2",
          "--scaling_sizes=100,1e3",
          "--widths=0.5,1",
          "--repeat=2",
          "--scaling_json=" + json};
}

TEST(SweepToolScalingTest, ATinyStudyPrintsItsTablesAndSavesJsonAndCharts) {
  const std::string dir = ::testing::TempDir();
  std::vector<std::string> args = StudyArgs(dir + "/study.json");
  args.push_back("--plot=" + dir + "/study.svg");
  const ToolOutcome outcome = RunSweepTool(args);
  ASSERT_TRUE(ExitedWith(outcome, 0)) << Describe(outcome);
  EXPECT_THAT(outcome.out, HasSubstr("parsweep scaling study: kernel parzen_hypercube, 2 widths "
                                     "from 0.5 to 1, 1 point, 2-D, generated data"));
  EXPECT_THAT(outcome.out, HasSubstr("samples 100, 1,000; workers 1, 2; executors serial, "
                                     "threads, process; 2 timed runs per cell"));
  // Serial and 2 executors x 2 worker counts at each of 2 sizes: 10 rows, each with a
  // speedup and its interval, and serial's results.
  for (const char* size : {"100", "1,000"}) {
    EXPECT_THAT(outcome.out, ContainsRegex(std::string("\nserial +1 +") + size +
                                           " +[0-9.]+  1.00x \\[1.00, 1.00\\] .* reference\n"));
    for (const char* executor : {"threads", "process"}) {
      for (const char* workers : {"1", "2"}) {
        EXPECT_THAT(outcome.out,
                    ContainsRegex(std::string("\n") + executor + " +" + workers + " +" + size +
                                  " +[0-9.]+  [0-9.]+x \\[[0-9.]+, [0-9.]+\\] .* identical\n"))
            << executor << ":" << workers << " at " << size;
      }
    }
  }
  EXPECT_THAT(outcome.out, ContainsRegex("\nthreads +1,000  [0-9.]+ \\[[0-9.]+, [0-9.]+\\]"));
  EXPECT_THAT(outcome.out, ContainsRegex("\nprocess +2  (none|100|1,000)\n"));
  EXPECT_THAT(outcome.out, HasSubstr("Every cell gave serial's results.\n"));
  EXPECT_THAT(outcome.err, HasSubstr("wrote " + dir + "/study.svg\n"));
  EXPECT_THAT(outcome.err, HasSubstr("wrote " + dir + "/study_time.svg\n"));
  EXPECT_THAT(ReadFile(dir + "/study.svg"), HasSubstr("ideal (speedup = workers)"));

  const absl::StatusOr<ScalingStudy> study = ReadStudyFile(dir + "/study.json");
  ASSERT_TRUE(study.ok()) << study.status();
  ASSERT_EQ(study->cells_size(), 10);
  for (const ScalingCell& cell : study->cells()) {
    EXPECT_EQ(cell.seconds_size(), 2);
    EXPECT_TRUE(cell.agrees()) << cell.agreement();
    EXPECT_TRUE(cell.has_speedup());
  }
  EXPECT_EQ(study->amdahl_size(), 4);      // 2 executors x 2 sizes.
  EXPECT_EQ(study->crossovers_size(), 4);  // 2 executors x 2 worker counts.
  EXPECT_EQ(study->bootstrap().resamples(), 2000u);

  // The same study again, against the first.
  std::vector<std::string> again = StudyArgs(dir + "/again.json");
  again.push_back("--baseline=" + dir + "/study.json");
  const ToolOutcome compared = RunSweepTool(again);
  ASSERT_TRUE(ExitedWith(compared, 0)) << Describe(compared);
  EXPECT_THAT(compared.out, HasSubstr("Against the baseline " + dir + "/study.json"));
  EXPECT_THAT(compared.out,
              ContainsRegex("\nthreads +2 +1,000 +[0-9.]+ +[0-9.]+  [0-9.]+x \\[[0-9.]+, "
                            "[0-9.]+\\] +(SLOWER|faster|no significant change)"));
  EXPECT_THAT(compared.out, ContainsRegex("[0-9]+ of 10 cells slower \\(regressions\\)"));
}

TEST(SweepToolScalingTest, ContradictoryFlagsAreRefusedBeforeAnythingRuns) {
  const std::string dir = ::testing::TempDir();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--scaling_sizes=100"}, "--scaling_sizes belongs to a scaling study; add --scaling"},
      {{"--baseline=x.json"}, "--baseline belongs to a scaling study; add --scaling"},
      {{"--scaling", "--n=100", "--scaling_sizes=10"}, "--n and --scaling_sizes both set"},
      {{"--scaling", "--compare=serial,process:2"}, "--compare entry 'process:2'"},
      {{"--scaling", "--repeat=1"}, "--repeat=1: a --scaling study needs at least 2 runs"},
      {{"--scaling", "--executor=threads"}, "drop --executor"},
      {{"--scaling", "--format=json"}, "--compare prints a table; drop --format"},
      {{"--scaling", "--scaling_workers=0"}, "--scaling_workers='0': '0' is not a whole"},
      {{"--scaling", "--baseline=" + dir + "/missing.json"}, "--baseline: "},
      {{"--scaling", "--scaling_json=" + dir + "/no such dir/s.json"}, "--scaling_json: "},
  };
  for (const auto& [args, message] : cases) {
    const ToolOutcome outcome = RunSweepTool(args);
    EXPECT_TRUE(ExitedWith(outcome, 1)) << Describe(outcome);
    EXPECT_THAT(outcome.err, HasSubstr(message)) << args[0];
    EXPECT_EQ(outcome.out, "");
  }
}

}  // namespace
}  // namespace parsweep
