// Ctrl-C and SIGTERM to the sweep tool while its workers run: every worker ends, the tool
// exits with 128 + the signal (130 for SIGINT), and no child is left running or unreaped.
//
// The test makes itself a child subreaper, so any worker the tool failed to reap would be
// handed to this process rather than to init, where the final check would see it.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/sweep_tool_process.h"

namespace parsweep {
namespace {

// The threads of `pid`, from /proc/<pid>/status; 0 if it cannot be read.
int ThreadsOf(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
  }
  return 0;
}

// Checks `done` every millisecond for up to `seconds`: waiting on the condition itself.
template <typename Predicate>
bool WaitFor(Predicate done, int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return done();
}

pid_t StartSweep(const std::vector<std::string>& flags) {
  std::vector<std::string> args = {SweepBinary()};
  args.insert(args.end(), flags.begin(), flags.end());
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (std::freopen("/dev/null", "w", stdout) == nullptr) _exit(126);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// Waits up to `seconds` for `pid`; returns its wait status, or -1 after killing it.
int WaitWithTimeout(pid_t pid, int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

struct SignalCase {
  std::string executor;
  std::string start_method;
  int signal_number;
};

class SweepSignalsTest : public testing::TestWithParam<SignalCase> {};

TEST_P(SweepSignalsTest, WorkersEndAndTheToolExitsWith128PlusTheSignal) {
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  const SignalCase& c = GetParam();
  std::vector<std::string> flags = {"--executor=" + c.executor, "--workers=2", "--n=2000000",
                                    "--widths=0.01:3:4000", "--chunk=1"};
  if (!c.start_method.empty()) flags.push_back("--start_method=" + c.start_method);
  const pid_t sweep = StartSweep(flags);
  ASSERT_GT(sweep, 0);

  // Wait until the sweep is under way: its two workers exist, as child processes or as
  // threads beside the main one.
  std::vector<pid_t> workers;
  const bool started = WaitFor(
      [&] {
        if (c.executor != "process") return ThreadsOf(sweep) >= 3;
        workers = ChildrenOf(sweep);
        return workers.size() >= 2;
      },
      10);
  ASSERT_TRUE(started) << "the workers did not start";
  if (c.executor == "process") {
    ASSERT_EQ(workers.size(), 2u);
  }

  ASSERT_EQ(kill(sweep, c.signal_number), 0);
  const int status = WaitWithTimeout(sweep, 20);
  ASSERT_NE(status, -1) << "the sweep did not end within 20 s of the signal";
  ASSERT_TRUE(WIFEXITED(status)) << "ended by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 128 + c.signal_number);

  // Nothing is left: no worker running, none handed to this subreaper as an orphan.
  for (pid_t worker : workers) {
    EXPECT_TRUE(kill(worker, 0) != 0 && errno == ESRCH) << "worker " << worker << " remains";
  }
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

INSTANTIATE_TEST_SUITE_P(Executors, SweepSignalsTest,
                         testing::Values(SignalCase{"process", "fork", SIGINT},
                                         SignalCase{"process", "spawn", SIGINT},
                                         SignalCase{"process", "fork", SIGTERM},
                                         SignalCase{"process", "spawn", SIGTERM},
                                         SignalCase{"threads", "", SIGINT}),
                         [](const testing::TestParamInfo<SignalCase>& info) {
                           return info.param.executor +
                                  (info.param.start_method.empty() ? "" : "_") +
                                  info.param.start_method +
                                  (info.param.signal_number == SIGINT ? "_sigint" : "_sigterm");
                         });

}  // namespace
}  // namespace parsweep
