// The sweep tool when the system refuses it a resource (a thread, a process, a descriptor,
// bytes of a file) or when a user's environment carries the process executor's private
// variable: every run ends within seconds with exit status 1, not a signal or a hang, with a
// message naming the cause (and the limit, where one applies), and leaves no process behind.
//
// The limits are the ones that bind root in Bazel's sandbox, where these tests run as uid 0
// in a user namespace that maps no other uid: RLIMIT_AS (threads), RLIMIT_FSIZE and
// RLIMIT_NOFILE. RLIMIT_NPROC never binds root, so a seccomp filter refuses fork() instead,
// with the EAGAIN that the limit would give.
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sweep_tool_process.h"

namespace parsweep {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

// Time enough for any of these runs on a loaded machine; a hang is killed there.
constexpr absl::Duration kTimeout = absl::Seconds(30);

// Limit is a ChildSetup that sets the soft limit of `resource` to `value`.
ChildSetup Limit(int resource, rlim_t value) {
  return [resource, value] {
    struct rlimit limit;
    if (getrlimit(resource, &limit) != 0) _exit(126);
    limit.rlim_cur = value;
    if (setrlimit(resource, &limit) != 0) _exit(126);
  };
}

// RefuseFork is a ChildSetup after which every fork() fails with EAGAIN: a seccomp filter
// answers clone() without CLONE_VM (a fork; threads share memory and pass) with EAGAIN, and
// clone3() with ENOSYS, so that glibc falls back to clone().
void RefuseFork() {
#if defined(__x86_64__)
  constexpr unsigned kFlags = offsetof(struct seccomp_data, args[0]);  // Low half, on x86-64.
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_fork, 3, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kFlags),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_VM, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EAGAIN),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog program = {sizeof(filter) / sizeof(filter[0]), filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
    _exit(125);
  }
#else
  _exit(125);
#endif
}

// LeftBehind reaps and returns the processes the tool left behind: this process is their
// subreaper (see the fixture), so they become its children when the tool exits. Ones still
// running after a few seconds are killed.
std::vector<pid_t> LeftBehind() {
  std::vector<pid_t> left;
  const absl::Time deadline = absl::Now() + absl::Seconds(3);
  for (;;) {
    const pid_t pid = waitpid(-1, nullptr, WNOHANG);
    if (pid > 0) {
      left.push_back(pid);
    } else if (pid < 0) {
      return left;  // No child at all.
    } else if (absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(10));  // A child that PR_SET_PDEATHSIG is killing.
    } else {
      for (pid_t running : ChildrenOf(getpid())) kill(running, SIGKILL);
    }
  }
}

class SweepResourceLimitsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0); }

  // Runs the tool to the end and checks what every run here must: exit status 1 within
  // kTimeout, nothing on stdout, no process left behind.
  static ToolOutcome RunRefused(const std::vector<std::string>& args,
                                const std::vector<std::string>& env, const ChildSetup& setup) {
    const ToolOutcome outcome = SweepToolProcess(args, env, setup).Finish(kTimeout);
    EXPECT_TRUE(ExitedWith(outcome, 1)) << Describe(outcome);
    EXPECT_EQ(outcome.out, "");
    EXPECT_THAT(LeftBehind(), ::testing::IsEmpty()) << "processes left behind";
    return outcome;
  }
};

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

TEST_F(SweepResourceLimitsTest, ThreadsBeyondTheAddressSpaceLimit) {
  if (kSanitized) GTEST_SKIP() << "a sanitizer build cannot run under an address space limit";
  // About 25 thread stacks beside the tool itself.
  const ToolOutcome outcome =
      RunRefused({"--executor=threads", "--workers=512"}, {}, Limit(RLIMIT_AS, rlim_t{256} << 20));
  EXPECT_THAT(outcome.err,
              ContainsRegex("executor 'threads': cannot start thread [0-9]+ of 512: Resource "
                            "temporarily unavailable \\(the address space limit, ulimit -v, is "
                            "262144 KiB\\)"));
}

TEST_F(SweepResourceLimitsTest, ProcessesThatCannotBeForked) {
#if !defined(__x86_64__)
  GTEST_SKIP() << "the seccomp filter is written for x86-64";
#endif
  for (const char* method : {"fork", "spawn"}) {
    SCOPED_TRACE(method);
    const ToolOutcome outcome =
        RunRefused({"--executor=process", "--workers=4", absl::StrCat("--start_method=", method)},
                   {}, RefuseFork);
    EXPECT_THAT(outcome.err, HasSubstr("executor 'process': cannot start worker process 1 of 4: "
                                       "fork() failed: Resource temporarily unavailable"));
  }
}

TEST_F(SweepResourceLimitsTest, SpawnBeyondTheFileSizeLimit) {
  // 100,000 samples in 2-D are 1.6 MB of doubles, past a limit of 1 MiB.
  const ToolOutcome outcome =
      RunRefused({"--executor=process", "--start_method=spawn", "--workers=2", "--n=100000"}, {},
                 Limit(RLIMIT_FSIZE, 1 << 20));
  EXPECT_THAT(outcome.err,
              HasSubstr("executor 'process': cannot copy 1600000 bytes of samples into shared "
                        "memory: File too large (the file size limit, ulimit -f, is 1048576 "
                        "bytes)"));
}

TEST_F(SweepResourceLimitsTest, ProcessesBeyondTheDescriptorLimit) {
  for (const char* method : {"fork", "spawn"}) {
    SCOPED_TRACE(method);
    // Each worker holds two descriptors in the tool: some of the 200 start, then one cannot,
    // and those that did are stopped and reaped.
    const ToolOutcome outcome =
        RunRefused({"--executor=process", "--workers=200", absl::StrCat("--start_method=", method)},
                   {}, Limit(RLIMIT_NOFILE, 64));
    EXPECT_THAT(outcome.err,
                ContainsRegex("executor 'process': cannot start worker process [0-9]+ of 200: "
                              "cannot create a pipe: Too many open files \\(the open file "
                              "limit, ulimit -n, is 64\\)"));
  }
}

TEST_F(SweepResourceLimitsTest, SweepsThatCannotFitAreRefusedWithTheFigureBeforeAnyWork) {
  // 10^8 widths: about 25 GB of results, refused before the widths are even made (a machine
  // with more memory than that takes the 1 GiB address space limit instead). Before the
  // estimate the tool built them and the kernel's OOM killer ended it.
  absl::Time start = absl::Now();
  ToolOutcome outcome = RunRefused({"--widths=0.1:1:100000000"}, {},
                                   kSanitized ? nullptr : Limit(RLIMIT_AS, rlim_t{1} << 30));
  EXPECT_THAT(outcome.err, HasSubstr("sweep: error: --widths '0.1:1:100000000': the sweep "
                                     "needs about 25 GB of memory (24 GB for 1 x 100000000 "
                                     "(point, width) results"));
  EXPECT_THAT(outcome.err, HasSubstr(" is available ("));
  EXPECT_THAT(outcome.err, HasSubstr("): use fewer widths or points"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  if (kSanitized) return;
  // 10^6 widths on a 30 x 30 grid under ulimit -v 1 GiB: known only once the grid is
  // expanded, before the samples are generated.
  start = absl::Now();
  outcome = RunRefused({"--widths=0.1:1:1000000", "--grid=-1:1:30"}, {},
                       Limit(RLIMIT_AS, rlim_t{1} << 30));
  EXPECT_THAT(outcome.err, HasSubstr("sweep: error: the sweep needs about 216 GB of memory "
                                     "(216 GB for 900 x 1000000 (point, width) results, 160 kB "
                                     "of samples), but "));
  EXPECT_THAT(outcome.err, HasSubstr("B is available (ulimit -v)"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST_F(SweepResourceLimitsTest, StrayWorkerVariableIsRefusedNotObeyed) {
  // The tool's stdin is a pipe that stays open and empty: a tool that took the variable's
  // descriptor 0 for its request pipe would wait on it for ever.
  int stdin_pipe[2];
  ASSERT_EQ(pipe2(stdin_pipe, O_CLOEXEC), 0);
  const int stdin_read = stdin_pipe[0];
  const ChildSetup empty_stdin = [stdin_read] {
    if (dup2(stdin_read, 0) < 0) _exit(126);
  };
  for (const std::string& value : {std::string("0,1"), std::string("garbage"), std::string("1:3,4"),
                                   absl::StrCat(getpid(), ":0,1")}) {
    SCOPED_TRACE(value);
    const ToolOutcome outcome =
        RunRefused({"--executor=process", "--workers=2", "--start_method=spawn"},
                   {absl::StrCat("PARSWEEP_PROCESS_WORKER=", value)}, empty_stdin);
    EXPECT_THAT(outcome.err,
                HasSubstr(absl::StrCat("PARSWEEP_PROCESS_WORKER=", value,
                                       " is set, but this process is not a worker that the process "
                                       "executor started: ")));
    EXPECT_THAT(outcome.err, HasSubstr("unset it"));
  }
  close(stdin_pipe[0]);
  close(stdin_pipe[1]);
}

}  // namespace
}  // namespace parsweep
