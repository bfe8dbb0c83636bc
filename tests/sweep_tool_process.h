// SweepToolProcess: the real //tools:sweep binary run as a child process, for tests that
// check what a user sees (exit status, standard output, standard error) and for tests that
// act on the running tool or its workers meanwhile (signals, SIGSTOP).
//
// Both pipes are drained together, so a child filling one cannot deadlock against the test;
// waiting is bounded, and a child still running at the deadline is killed (SIGKILL) and
// reported as not finished, so a hang fails a test instead of stalling it.
//
// Example:
//   SweepToolProcess sweep({"--executor=process", "--workers=2"});
//   StopAWorker(sweep.pid());
//   const ToolOutcome outcome = sweep.Finish(absl::Seconds(60));
//   EXPECT_TRUE(ExitedWith(outcome, 0)) << Describe(outcome);
#ifndef PARSWEEP_TESTS_SWEEP_TOOL_PROCESS_H_
#define PARSWEEP_TESTS_SWEEP_TOOL_PROCESS_H_

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace parsweep {

struct ToolOutcome {
  int wait_status = -1;  // From waitpid; -1 if the child could not run or did not finish.
  std::string out;
  std::string err;
};

// Describe says how the tool ended, with its output, for a failing assertion.
std::string Describe(const ToolOutcome& outcome);
// ExitedWith: the tool exited normally with status `code`.
bool ExitedWith(const ToolOutcome& outcome, int code);

// SweepBinary is the path of //tools:sweep in the test's runfiles (the test's BUILD rule
// must list it in `data`).
std::string SweepBinary();

// ChildSetup runs in the tool's process between fork and exec, after its standard streams
// are in place: for a test that starts the tool under a resource limit (setrlimit) or with
// other descriptors. It may make only async-signal-safe calls.
using ChildSetup = std::function<void()>;

class SweepToolProcess {
 public:
  // Starts the tool with `args`, stdin from /dev/null; `env` entries ("NAME=value") are
  // added to this process's environment, from which BUILD_WORKING_DIRECTORY is dropped.
  // `setup`, if given, runs just before the tool's exec. With `stdout_fd` >= 0 the tool's
  // standard output is that descriptor (a file, /dev/full, a pipe whose reader has gone)
  // instead of a pipe read into ToolOutcome::out.
  explicit SweepToolProcess(const std::vector<std::string>& args,
                            const std::vector<std::string>& env = {},
                            const ChildSetup& setup = nullptr, int stdout_fd = -1);
  // Kills and reaps the tool if Finish() was not called.
  ~SweepToolProcess();
  SweepToolProcess(const SweepToolProcess&) = delete;
  SweepToolProcess& operator=(const SweepToolProcess&) = delete;

  // The tool's pid; 0 if it could not be started.
  pid_t pid() const { return pid_; }

  // SweepToolProcess::Finish reads the tool's output until it exits, for up to `timeout`.
  ToolOutcome Finish(absl::Duration timeout);

 private:
  pid_t pid_ = 0;
  int out_fd_ = -1;
  int err_fd_ = -1;
};

// ChildrenOf lists the child processes of `parent` (the tool's workers, or a test's own
// children), from /proc/<parent>/task/<parent>/children; empty if it cannot be read.
std::vector<pid_t> ChildrenOf(pid_t parent);

// RunSweepTool runs the tool to the end: SweepToolProcess(args, env).Finish(timeout).
ToolOutcome RunSweepTool(const std::vector<std::string>& args,
                         const std::vector<std::string>& env = {},
                         absl::Duration timeout = absl::Seconds(60));

}  // namespace parsweep

#endif  // PARSWEEP_TESTS_SWEEP_TOOL_PROCESS_H_
