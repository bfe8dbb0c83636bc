// A process worker that stops making progress (SIGSTOP) in the middle of the sweep tool's
// run: with default flags the tool kills it once it has been silent for the heartbeat
// timeout (5 s), runs its batch again on a fresh worker, says so on stderr, and prints
// exactly serial's output; before liveness it waited for the worker forever.
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sweep_tool_process.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

// The CPU time `pid` has used, from /proc/<pid>/stat (utime + stime, in clock ticks);
// -1 if it cannot be read.
int64_t CpuTicksOf(pid_t pid) {
  std::ifstream file(absl::StrCat("/proc/", pid, "/stat"));
  const std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return -1;
  // After "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
  std::vector<std::string> fields = absl::StrSplit(stat.substr(paren + 2), ' ');
  int64_t utime = 0;
  int64_t stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime)) {
    return -1;
  }
  return utime + stime;
}

// A sweep of a few seconds in 100 tasks, long enough to stop a worker in the middle of it.
std::vector<std::string> Workload() {
  return {"--n=2000000", "--widths=0.01:3:500", "--algorithm=naive", "--chunk=5", "--format=csv"};
}

class SweepLivenessTest : public testing::TestWithParam<std::string> {};

TEST_P(SweepLivenessTest, AStoppedWorkerCostsSecondsAndTheOutputIsSerials) {
  const ToolOutcome serial = RunSweepTool(Workload());
  ASSERT_TRUE(ExitedWith(serial, 0)) << Describe(serial);

  std::vector<std::string> args = Workload();
  args.push_back("--executor=process");
  args.push_back("--workers=2");
  args.push_back("--start_method=" + GetParam());
  SweepToolProcess sweep(args);
  ASSERT_GT(sweep.pid(), 0);
  std::vector<pid_t> workers;
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while ((workers = ChildrenOf(sweep.pid())).size() < 2 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_EQ(workers.size(), 2u) << "the workers did not start";
  // Stop it in the middle of a batch: once it has used 0.2 s of CPU (building the workload
  // takes milliseconds; every batch takes longer).
  const int64_t ticks = sysconf(_SC_CLK_TCK) / 5;
  while (CpuTicksOf(workers[0]) < ticks && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_GE(CpuTicksOf(workers[0]), ticks) << "the worker did not start computing";
  const absl::Time stopped = absl::Now();
  ASSERT_EQ(kill(workers[0], SIGSTOP), 0);

  const ToolOutcome outcome = sweep.Finish(absl::Seconds(120));
  const absl::Duration took = absl::Now() - stopped;
  ASSERT_TRUE(ExitedWith(outcome, 0)) << Describe(outcome);
  EXPECT_EQ(outcome.out, serial.out);
  EXPECT_THAT(outcome.err,
              HasSubstr(absl::StrCat("worker pid ", workers[0], " sent no heartbeat for ")));
  EXPECT_THAT(outcome.err, HasSubstr("(the limit is 5s) while running the batch starting at "
                                     "item "));
  EXPECT_THAT(outcome.err, HasSubstr("; it was stopped (SIGSTOP or a terminal stop), and was "
                                     "killed; running it again (retry 1 of 2)"));
  EXPECT_THAT(outcome.err, HasSubstr("running it again (retry 1 of 2)"));
  // The heartbeat timeout, then the stopped worker's share of a sweep of a few seconds,
  // with room for a loaded machine: not the forever it took before.
  EXPECT_LT(took, absl::Seconds(60));
}

INSTANTIATE_TEST_SUITE_P(StartMethods, SweepLivenessTest, testing::Values("fork", "spawn"));

}  // namespace
}  // namespace parsweep
