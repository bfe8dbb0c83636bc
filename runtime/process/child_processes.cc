#include "runtime/process/child_processes.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace parsweep {
namespace {

// Lock-free slots: a signal handler may read them while the main program updates them.
std::atomic<pid_t> g_children[kMaxTrackedChildren];

std::atomic<TerminationReporter> g_reporter{nullptr};

void OnTerminationSignal(int signal_number) {
  if (const TerminationReporter reporter = g_reporter.load()) reporter(signal_number);
  KillAndReapTrackedChildren();
  _exit(128 + signal_number);
}

}  // namespace

bool TrackChild(pid_t pid) {
  for (auto& slot : g_children) {
    pid_t empty = 0;
    if (slot.compare_exchange_strong(empty, pid)) return true;
  }
  return false;
}

void UntrackChild(pid_t pid) {
  for (auto& slot : g_children) {
    pid_t expected = pid;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

void KillAndReapTrackedChildren() {
  const int saved_errno = errno;
  for (auto& slot : g_children) {
    const pid_t pid = slot.load();
    if (pid > 0) kill(pid, SIGKILL);
  }
  for (auto& slot : g_children) {
    const pid_t pid = slot.exchange(0);
    if (pid <= 0) continue;
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  errno = saved_errno;
}

void SetTerminationReporter(TerminationReporter reporter) { g_reporter.store(reporter); }

void InstallTerminationHandlers() {
  struct sigaction action = {};
  action.sa_handler = OnTerminationSignal;
  sigemptyset(&action.sa_mask);
  // Block the other termination signal while handling one, so the cleanup runs once.
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

}  // namespace parsweep
