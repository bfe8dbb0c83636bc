#include "tests/sweep_tool_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

extern char** environ;

namespace parsweep {

std::string Describe(const ToolOutcome& outcome) {
  std::string how = "did not finish";
  if (outcome.wait_status != -1 && WIFEXITED(outcome.wait_status)) {
    how = absl::StrCat("exited with ", WEXITSTATUS(outcome.wait_status));
  } else if (outcome.wait_status != -1 && WIFSIGNALED(outcome.wait_status)) {
    how = absl::StrCat("was killed by signal ", WTERMSIG(outcome.wait_status));
  }
  return absl::StrCat("sweep ", how, "\n--- stdout ---\n", outcome.out, "--- stderr ---\n",
                      outcome.err);
}

bool ExitedWith(const ToolOutcome& outcome, int code) {
  return outcome.wait_status != -1 && WIFEXITED(outcome.wait_status) &&
         WEXITSTATUS(outcome.wait_status) == code;
}

std::string SweepBinary() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return absl::StrCat(srcdir != nullptr ? srcdir : ".", "/parsweep/tools/sweep");
}

SweepToolProcess::SweepToolProcess(const std::vector<std::string>& args,
                                   const std::vector<std::string>& env, const ChildSetup& setup,
                                   int stdout_fd) {
  const std::string binary = SweepBinary();
  std::vector<std::string> argv_strings = {binary};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);

  // BUILD_WORKING_DIRECTORY is dropped unless a test sets it, so that the result does not
  // depend on whether the test itself was started by `bazel run`.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!absl::StartsWith(*e, "BUILD_WORKING_DIRECTORY=")) env_strings.push_back(*e);
  }
  env_strings.insert(env_strings.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (std::string& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);

  int out_pipe[2];
  int err_pipe[2];
  // O_CLOEXEC keeps the child from holding the read ends (and so never seeing EOF);
  // dup2 onto 1 and 2 clears the flag on the ends the child does use.
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return;
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return;
  }
  // fork and exec rather than posix_spawn, so that `setup` can run in between; the child
  // makes only async-signal-safe calls.
  const pid_t pid = fork();
  if (pid == 0) {
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, 0) < 0 ||
        dup2(stdout_fd >= 0 ? stdout_fd : out_pipe[1], 1) < 0 || dup2(err_pipe[1], 2) < 0) {
      _exit(127);
    }
    if (null_fd > 2) close(null_fd);
    if (setup) setup();
    execve(binary.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (pid < 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return;
  }
  pid_ = pid;
  out_fd_ = out_pipe[0];
  err_fd_ = err_pipe[0];
  if (stdout_fd >= 0) {  // Nothing will come through the pipe.
    close(out_fd_);
    out_fd_ = -1;
  }
}

SweepToolProcess::~SweepToolProcess() {
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

ToolOutcome SweepToolProcess::Finish(absl::Duration timeout) {
  ToolOutcome outcome;
  if (pid_ <= 0) {
    outcome.err = absl::StrCat("cannot run ", SweepBinary());
    return outcome;
  }
  const absl::Time deadline = absl::Now() + timeout;
  auto millis_left = [&deadline] { return absl::ToInt64Milliseconds(deadline - absl::Now()); };
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  std::string* sinks[2] = {&outcome.out, &outcome.err};
  int open_pipes = (out_fd_ >= 0) + (err_fd_ >= 0);
  bool timed_out = false;
  while (open_pipes > 0) {
    const int64_t left = millis_left();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    const int ready = poll(fds, 2, static_cast<int>(std::min<int64_t>(left, 1 << 30)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      timed_out = ready == 0;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;  // poll ignores negative descriptors.
        --open_pipes;
      }
    }
  }
  for (const pollfd& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  out_fd_ = err_fd_ = -1;

  // A child may close its output and still not exit, so waiting is bounded too.
  int status = 0;
  while (!timed_out) {
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      outcome.wait_status = status;
      pid_ = 0;
      return outcome;
    }
    if (done < 0 && errno != EINTR) break;
    if (millis_left() <= 0) timed_out = true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = 0;
  absl::StrAppend(&outcome.err, "\n[the test killed the tool: it did not finish within ",
                  absl::FormatDuration(timeout), "]\n");
  return outcome;
}

std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> children;
  std::ifstream tasks(absl::StrCat("/proc/", parent, "/task/", parent, "/children"));
  pid_t pid;
  while (tasks >> pid) children.push_back(pid);
  return children;
}

ToolOutcome RunSweepTool(const std::vector<std::string>& args, const std::vector<std::string>& env,
                         absl::Duration timeout) {
  SweepToolProcess process(args, env);
  return process.Finish(timeout);
}

}  // namespace parsweep
