// Helpers for the process executor's tests: a guard that ends a hung test, what /proc says
// about descriptors, children, threads and other processes, and a tight address space.
//
// Not thread-safe (HangGuard uses the process's one alarm()); owns nothing.
//
// Example:
//   HangGuard guard("the crash matrix", 60);  // Ends the binary if the scope hangs.
//   const int fds = CountOpenFds();
#ifndef PARSWEEP_EXECUTORS_PROCESS_TEST_SUPPORT_H_
#define PARSWEEP_EXECUTORS_PROCESS_TEST_SUPPORT_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace parsweep {

// HangGuard: if the scope has not ended after `seconds`, prints `what`, kills and reaps every
// tracked child (runtime/process/child_processes.h) and ends the process with status 1, so that a
// hang fails one binary quickly instead of waiting for Bazel's timeout. alarm() is not
// inherited by fork, so workers are unaffected.
class HangGuard {
 public:
  HangGuard(absl::string_view what, unsigned seconds);
  ~HangGuard();
  HangGuard(const HangGuard&) = delete;
  HangGuard& operator=(const HangGuard&) = delete;
};

// CountOpenFds counts this process's open descriptors.
int CountOpenFds();

// CountThreads counts this process's threads (its Threads: line in /proc/self/status); 0 if
// it cannot be read.
int CountThreads();

// HasUnreapedChildren is true if this process has a child not yet waited for (it reaps any
// that has exited, which a test that finds one fails on anyway).
bool HasUnreapedChildren();

// ProcessIsGone is true if `pid` does not exist or is a zombie.
bool ProcessIsGone(pid_t pid);

// WaitFor polls `done` every few milliseconds for up to `seconds`; returns its last value.
template <typename Predicate>
bool WaitFor(Predicate done, double seconds);

// RunInChild runs `body` in a forked child and says whether it passed: GoogleTest assertions
// in the child report as usual and the child's exit status carries the verdict. For
// scenarios that would change this process for good, such as starting a thread: once a
// program has made one, ThreadSanitizer keeps a thread of its own running, and every later
// fork would be refused.
bool RunInChild(absl::FunctionRef<void()> body);

// LimitAddressSpace sets this process's RLIMIT_AS to its present size plus `headroom` bytes,
// so that any mapping larger than what is left fails; false if it could not. For a forked
// child (RunInChild): the limit stays.
bool LimitAddressSpace(size_t headroom);

// LimitNewThreads limits the address space (as LimitAddressSpace) so that about `threads`
// more threads can start, each mapping its stack, and the next is refused (EAGAIN); false if
// it could not. It also makes new threads' stacks larger than any that glibc keeps from
// threads that ended, since a thread that reuses one of those maps nothing and would escape
// the limit. For a forked child, like LimitAddressSpace.
bool LimitNewThreads(int threads);

// TestPath is a fresh path under TEST_TMPDIR, unique in this process, with `name` in it.
std::string TestPath(absl::string_view name);

// ReadPids reads the pids a FaultWorkload appended to `path`, one a line.
std::vector<pid_t> ReadPids(const std::string& path);

// SleepBriefly sleeps a few milliseconds.
void SleepBriefly();

template <typename Predicate>
bool WaitFor(Predicate done, double seconds) {
  const absl::Time deadline = absl::Now() + absl::Seconds(seconds);
  while (absl::Now() < deadline) {
    if (done()) return true;
    SleepBriefly();
  }
  return done();
}

}  // namespace parsweep

#endif  // PARSWEEP_EXECUTORS_PROCESS_TEST_SUPPORT_H_
