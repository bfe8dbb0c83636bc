#include "executors/process/test_support.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "runtime/process/child_processes.h"

namespace parsweep {
namespace {

char g_hang_message[256];

void OnHang(int) {
  // Async-signal-safe: write, kill, waitpid, _exit.
  if (write(STDERR_FILENO, g_hang_message, std::strlen(g_hang_message)) < 0) {
  }
  KillAndReapTrackedChildren();
  _exit(1);
}

// The number on the line "<name>: <number> [kB]" of /proc/self/status; 0 if there is none.
size_t StatusField(absl::string_view name) {
  std::ifstream file("/proc/self/status");
  std::string line;
  while (std::getline(file, line)) {
    absl::string_view rest = line;
    size_t value = 0;
    if (absl::ConsumePrefix(&rest, name) && absl::ConsumePrefix(&rest, ":") &&
        absl::SimpleAtoi(absl::StripSuffix(absl::StripAsciiWhitespace(rest), " kB"), &value)) {
      return value;
    }
  }
  return 0;
}

}  // namespace

HangGuard::HangGuard(absl::string_view what, unsigned seconds) {
  const std::string message =
      absl::StrCat("\nHangGuard: ", what, " did not finish within ", seconds, " s\n");
  std::strncpy(g_hang_message, message.c_str(), sizeof(g_hang_message) - 1);
  signal(SIGALRM, OnHang);
  alarm(seconds);
}

HangGuard::~HangGuard() { alarm(0); }

int CountOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int count = 0;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count - 1;  // Not the descriptor of the listing itself.
}

int CountThreads() { return static_cast<int>(StatusField("Threads")); }

bool HasUnreapedChildren() {
  int status;
  const pid_t pid = waitpid(-1, &status, WNOHANG);
  return !(pid < 0 && errno == ECHILD);
}

bool ProcessIsGone(pid_t pid) {
  std::ifstream file(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat;
  if (!std::getline(file, stat)) return true;
  // "pid (comm) S ...": the state follows the last ')', as comm may hold anything.
  const size_t paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] == 'Z' ||
         stat[paren + 2] == 'X';
}

bool RunInChild(absl::FunctionRef<void()> body) {
  const bool had_failure = ::testing::Test::HasFailure();
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child < 0) return false;
  if (child == 0) {
    body();
    std::fflush(nullptr);
    _exit(::testing::Test::HasFailure() && !had_failure ? 1 : 0);
  }
  TrackChild(child);  // So that a HangGuard takes it along.
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  UntrackChild(child);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool LimitAddressSpace(size_t headroom) {
  const size_t kib = StatusField("VmSize");
  if (kib == 0) return false;
  struct rlimit limit;
  if (getrlimit(RLIMIT_AS, &limit) != 0) return false;
  limit.rlim_cur = kib * 1024 + headroom;
  return setrlimit(RLIMIT_AS, &limit) == 0;
}

bool LimitNewThreads(int threads) {
  pthread_attr_t attr;
  size_t stack = 0;
  if (pthread_getattr_default_np(&attr) != 0) return false;
  pthread_attr_getstacksize(&attr, &stack);
  stack *= 2;
  const bool larger =
      pthread_attr_setstacksize(&attr, stack) == 0 && pthread_setattr_default_np(&attr) == 0;
  pthread_attr_destroy(&attr);
  return larger && LimitAddressSpace(stack * threads + stack / 2);
}

std::string TestPath(absl::string_view name) {
  static int counter = 0;
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name, ".", getpid(), ".", ++counter);
}

std::vector<pid_t> ReadPids(const std::string& path) {
  std::ifstream file(path);
  std::vector<pid_t> pids;
  std::string line;
  while (std::getline(file, line)) {
    pid_t pid = 0;
    if (absl::SimpleAtoi(line, &pid)) pids.push_back(pid);
  }
  return pids;
}

void SleepBriefly() { absl::SleepFor(absl::Milliseconds(5)); }

}  // namespace parsweep
