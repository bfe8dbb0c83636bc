// The sweep tool's --checkpoint end to end: a run killed with SIGKILL once its checkpoint
// holds some of its tasks, then rerun with the same flags, prints byte for byte what an
// uninterrupted run prints, running only the tasks the checkpoint lacked; serially, on forked
// processes and on threads, and for the Gaussian kernel split by samples (sums merged in
// task order). And what it refuses: a checkpoint in use, for other flags, or not one at all.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/sweep/checkpoint_format.h"
#include "runtime/sweep/checkpoint_testing.h"
#include "tests/sweep_tool_process.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// The records in the checkpoint at `path` (0 while it has no header yet).
size_t RecordsIn(const std::string& path) {
  absl::StatusOr<CheckpointContents> contents = ParseCheckpoint(ReadFile(path));
  return contents.ok() ? contents->records.size() : 0;
}

std::vector<std::string> With(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// Sweeps of 100 tasks that take a second or two: long enough to be killed in the middle.
std::vector<std::string> Counts() {
  return {"--n=1000000", "--widths=0.01:3:200", "--algorithm=naive", "--chunk=2", "--format=csv"};
}
std::vector<std::string> Sums() {
  return {"--kernel=parzen_gaussian", "--n=819200",   "--widths=0.1:1:100", "--algorithm=naive",
          "--split=samples",          "--chunk=8192", "--format=csv"};
}
constexpr size_t kTasks = 100;

struct Case {
  std::string name;
  std::vector<std::string> workload;
  std::vector<std::string> executor;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class SweepCheckpointKillTest : public testing::TestWithParam<Case> {};

TEST_P(SweepCheckpointKillTest, AKilledRunRerunPrintsWhatAnUninterruptedRunPrints) {
  const Case& c = GetParam();
  const std::vector<std::string> args = With(c.workload, c.executor);
  const ToolOutcome uninterrupted = RunSweepTool(args);
  ASSERT_TRUE(ExitedWith(uninterrupted, 0)) << Describe(uninterrupted);

  const std::string checkpoint = TempPath(c.name + ".checkpoint");
  const std::vector<std::string> with_checkpoint = With(args, {"--checkpoint=" + checkpoint});
  size_t at_kill = 0;
  {
    SweepToolProcess first(with_checkpoint);
    ASSERT_GT(first.pid(), 0);
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (RecordsIn(checkpoint) < 3 && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(1));
    }
    // A second run on the same checkpoint meanwhile is refused at once, naming the first.
    const ToolOutcome second = RunSweepTool(with_checkpoint);
    EXPECT_TRUE(ExitedWith(second, 1)) << Describe(second);
    EXPECT_THAT(second.err,
                HasSubstr(absl::StrCat("--checkpoint=", checkpoint,
                                       ": in use by another sweep (process ", first.pid(), ")")));
    ASSERT_EQ(kill(first.pid(), SIGKILL), 0);
    const ToolOutcome killed = first.Finish(absl::Seconds(30));
    ASSERT_TRUE(WIFSIGNALED(killed.wait_status) && WTERMSIG(killed.wait_status) == SIGKILL)
        << "the sweep ended before it could be killed: " << Describe(killed);
    at_kill = RecordsIn(checkpoint);
    RecordProperty("records_at_kill", static_cast<int>(at_kill));
    ASSERT_GE(at_kill, 3u);
    ASSERT_LT(at_kill, kTasks) << "the checkpoint was complete when the sweep was killed";
  }

  const ToolOutcome resumed = RunSweepTool(with_checkpoint);
  ASSERT_TRUE(ExitedWith(resumed, 0)) << Describe(resumed);
  EXPECT_EQ(resumed.out, uninterrupted.out);
  // Only a torn last record (a write the kill cut short) is ever dropped.
  EXPECT_THAT(resumed.err,
              MatchesRegex(absl::StrCat("checkpoint ", checkpoint, ": ", at_kill, " of ", kTasks,
                                        " tasks were done already(; a torn last record \\([0-9]+ "
                                        "bytes\\) was dropped)?\n")));
  EXPECT_EQ(RecordsIn(checkpoint), kTasks);

  // Complete, it reruns nothing and reprints the same.
  const ToolOutcome again = RunSweepTool(with_checkpoint);
  ASSERT_TRUE(ExitedWith(again, 0)) << Describe(again);
  EXPECT_EQ(again.out, uninterrupted.out);
  EXPECT_EQ(again.err, absl::StrCat("checkpoint ", checkpoint, ": ", kTasks, " of ", kTasks,
                                    " tasks were done already\n"));
}

INSTANTIATE_TEST_SUITE_P(
    Executors, SweepCheckpointKillTest,
    testing::Values(Case{"serial", Counts(), {}},
                    Case{"fork", Counts(), {"--executor=process", "--workers=2"}},
                    Case{"threads", Counts(), {"--executor=threads", "--workers=2"}},
                    Case{"gaussian_samples", Sums(), {"--executor=process", "--workers=2"}}),
    [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

// The table and JSON carry the run's time; everything else must be the same.
std::string WithoutTiming(absl::string_view output) {
  std::vector<absl::string_view> lines = absl::StrSplit(output, '\n');
  std::string kept;
  for (absl::string_view line : lines) {
    if (absl::StrContains(line, "\"wall_seconds\"") || absl::StrContains(line, " ran in ")) {
      continue;
    }
    absl::StrAppend(&kept, line, "\n");
  }
  return kept;
}

// A checkpoint cut after its 40th record and in the middle of the 41st (a power cut), then
// resumed with another output format; and reprinted complete with --select, which does not
// change what the tasks compute.
TEST(SweepCheckpointToolTest, EveryFormatIsTheSameAfterATornCheckpoint) {
  // Wide enough windows that leave-one-out finds a neighbour for every sample.
  const std::vector<std::string> args = {"--widths=1.0:3:100", "--chunk=1"};
  const std::string checkpoint = TempPath("formats.checkpoint");
  const ToolOutcome first = RunSweepTool(With(args, {"--checkpoint=" + checkpoint}));
  ASSERT_TRUE(ExitedWith(first, 0)) << Describe(first);
  const std::string full = ReadFile(checkpoint);
  const std::vector<size_t> bounds = RecordBounds(full);
  ASSERT_EQ(bounds.size(), 101u);
  const std::string cut = full.substr(0, bounds[40] + 7);
  WriteFile(checkpoint, cut);

  for (const std::vector<std::string>& more :
       {std::vector<std::string>{"--format=json"}, std::vector<std::string>{"--format=table"},
        std::vector<std::string>{"--format=table", "--select=loo_cv,scott"}}) {
    const ToolOutcome uninterrupted = RunSweepTool(With(args, more));
    ASSERT_TRUE(ExitedWith(uninterrupted, 0)) << Describe(uninterrupted);
    const ToolOutcome resumed =
        RunSweepTool(With(With(args, more), {"--checkpoint=" + checkpoint}));
    ASSERT_TRUE(ExitedWith(resumed, 0)) << Describe(resumed);
    EXPECT_EQ(WithoutTiming(resumed.out), WithoutTiming(uninterrupted.out)) << more.back();
    EXPECT_NE(resumed.out, WithoutTiming(resumed.out)) << "no timing line: " << more.back();
    if (more[0] == "--format=json") {
      EXPECT_EQ(resumed.err, absl::StrCat("checkpoint ", checkpoint,
                                          ": 40 of 100 tasks were done already; a torn last "
                                          "record (7 bytes) was dropped\n"));
    }
  }
}

TEST(SweepCheckpointToolTest, RefusesOtherFlagsAndOtherFilesAndLeavesThemAsTheyAre) {
  const std::string checkpoint = TempPath("refused.checkpoint");
  const std::vector<std::string> args = {"--widths=1.0:1.2:100", "--chunk=1",
                                         "--checkpoint=" + checkpoint};
  ASSERT_TRUE(ExitedWith(RunSweepTool(args), 0));
  const std::string before = ReadFile(checkpoint);

  ToolOutcome outcome = RunSweepTool({"--widths=1.0:1.2:100", "--chunk=0", "--executor=threads",
                                      "--workers=2", "--checkpoint=" + checkpoint});
  EXPECT_TRUE(ExitedWith(outcome, 1)) << Describe(outcome);
  EXPECT_EQ(outcome.err,
            absl::StrCat("sweep: error: --checkpoint=", checkpoint,
                         " was written for another sweep: the checkpoint is for 100 tasks of 1 "
                         "width; this run plans 2 tasks of 5000 samples: use the --split, --chunk "
                         "and --workers of the run that wrote it (with --chunk=0 the tasks "
                         "follow the workers, and --split=auto, the default, chooses widths or "
                         "samples by them), or a new checkpoint file; this one is left as it "
                         "is\n"));
  outcome = RunSweepTool(With(args, {"--seed=7"}));
  EXPECT_TRUE(ExitedWith(outcome, 1)) << Describe(outcome);
  EXPECT_THAT(outcome.err, HasSubstr("other samples of the same size"));
  EXPECT_EQ(ReadFile(checkpoint), before);

  // Not a checkpoint: refused, untouched.
  const std::string csv = TempPath("results.csv");
  WriteFile(csv, "point,x1,x2,width\n");
  outcome = RunSweepTool({"--checkpoint=" + csv});
  EXPECT_TRUE(ExitedWith(outcome, 1)) << Describe(outcome);
  EXPECT_THAT(outcome.err,
              HasSubstr(absl::StrCat("--checkpoint=", csv, ": not a parsweep checkpoint")));
  EXPECT_EQ(ReadFile(csv), "point,x1,x2,width\n");
}

TEST(SweepCheckpointToolTest, AnUnwritablePathFailsBeforeAnyWork) {
  // Before the data is read: the error is the checkpoint's, not the missing data file's.
  ToolOutcome outcome = RunSweepTool({"--checkpoint=/nonexistent-directory/sweep.checkpoint",
                                      "--data=/nonexistent-directory/samples.csv"});
  EXPECT_TRUE(ExitedWith(outcome, 1)) << Describe(outcome);
  EXPECT_EQ(outcome.err,
            "sweep: error: --checkpoint=/nonexistent-directory/sweep.checkpoint: cannot open it "
            "for writing: No such file or directory\n");

  // A run that fails for another reason leaves no checkpoint behind.
  const std::string checkpoint = TempPath("never.checkpoint");
  outcome = RunSweepTool({"--checkpoint=" + checkpoint, "--data=/nonexistent-directory/x.csv"});
  EXPECT_TRUE(ExitedWith(outcome, 1)) << Describe(outcome);
  EXPECT_NE(::access(checkpoint.c_str(), F_OK), 0);

  outcome = RunSweepTool({"--checkpoint=" + checkpoint, "--compare=serial"});
  EXPECT_TRUE(ExitedWith(outcome, 1)) << Describe(outcome);
  EXPECT_THAT(outcome.err, HasSubstr("--checkpoint keeps the tasks of one sweep; --compare"));
}

}  // namespace
}  // namespace parsweep
