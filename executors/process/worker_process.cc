#include "executors/process/worker_process.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "executors/process/worker_loop.h"
#include "runtime/base/fd_io.h"
#include "runtime/base/resource_error.h"
#include "runtime/base/status_macros.h"
#include "runtime/process/child_processes.h"
#include "runtime/process/wait_status.h"

namespace parsweep {
namespace {

// Exit statuses of a child that could not become a worker.
constexpr int kOrphanedStatus = 1;  // The parent died before the child could watch it.
constexpr int kSetupStatus = 126;   // Its descriptors could not be arranged.
constexpr int kExecStatus = 127;    // execve failed (as a shell reports it).

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Pipe: a pipe, both ends close-on-exec; closes whatever ends it still holds when destroyed.
struct Pipe {
  int read = -1;
  int write = -1;

  static absl::StatusOr<Pipe> Open() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return ResourceError(errno, "cannot create a pipe");
    Pipe pipe;
    pipe.read = fds[0];
    pipe.write = fds[1];
    return pipe;
  }

  Pipe() = default;
  Pipe(Pipe&& other) noexcept { *this = std::move(other); }
  Pipe& operator=(Pipe&& other) noexcept {
    std::swap(read, other.read);
    std::swap(write, other.write);
    return *this;
  }
  ~Pipe() {
    CloseFd(read);
    CloseFd(write);
  }
};

// WorkerPipes: the two pipes of a worker being started.
struct WorkerPipes {
  Pipe request;  // Parent to worker.
  Pipe reply;    // Worker to parent.

  static absl::StatusOr<WorkerPipes> Open() {
    WorkerPipes pipes;
    ASSIGN_OR_RETURN(pipes.request, Pipe::Open());
    ASSIGN_OR_RETURN(pipes.reply, Pipe::Open());
    return pipes;
  }
};

// Async-signal-safe, like everything a child calls before it execs or becomes a worker:
// PR_SET_PDEATHSIG, then make sure the parent did not die before it was set.
void WatchParent(pid_t parent) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(kOrphanedStatus);
}

void UnblockAllSignals() {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

void CloseFrom(int first_fd) {
  if (syscall(SYS_close_range, first_fd, ~0U, 0) == 0) return;
  // Linux before 5.9 has no close_range.
  const long max_fd = sysconf(_SC_OPEN_MAX);
  for (long fd = first_fd; fd < max_fd; ++fd) close(static_cast<int>(fd));
}

void ClearCloseOnExec(int fd) {
  const int flags = fcntl(fd, F_GETFD);
  if (flags >= 0) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
}

// The forked child's side: the pipes at the fixed numbers, nothing else open above stderr
// (a worker holding another worker's pipe would keep that pipe from ever reaching EOF).
void KeepOnlyWorkerPipes(int request_fd, int reply_fd) {
  // Park both above the fixed numbers first, so neither dup lands on the other.
  const int parked_request = fcntl(request_fd, F_DUPFD, kForkReplyFd + 1);
  const int parked_reply = fcntl(reply_fd, F_DUPFD, kForkReplyFd + 1);
  if (parked_request < 0 || parked_reply < 0 ||
      dup3(parked_request, kForkRequestFd, O_CLOEXEC) < 0 ||
      dup3(parked_reply, kForkReplyFd, O_CLOEXEC) < 0) {
    _exit(kSetupStatus);
  }
  CloseFrom(kForkReplyFd + 1);
}

// Forks a child that runs `become_worker` (which must not return) on its ends of `pipes`;
// leaves `pipes` holding the parent's ends, the reply end non-blocking.
absl::StatusOr<pid_t> StartChild(
    WorkerPipes& pipes, absl::FunctionRef<void(int request_fd, int reply_fd)> become_worker) {
  // No signal may run between fork() and TrackChild(): a SIGINT handler that kills the
  // tracked children would miss this one, and it would outlive the program unreaped.
  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &saved);
  const pid_t pid = fork();
  if (pid == 0) {
    // The parent's handlers are for the parent (runtime/child_processes.h's SIGINT handler
    // kills *its* children); the blocked mask was only for the fork.
    struct sigaction default_action = {};
    default_action.sa_handler = SIG_DFL;
    sigaction(SIGINT, &default_action, nullptr);
    sigaction(SIGTERM, &default_action, nullptr);
    UnblockAllSignals();
    become_worker(pipes.request.read, pipes.reply.write);
    _exit(kSetupStatus);  // Never back into the caller: its frames belong to the parent.
  }
  if (pid > 0) TrackChild(pid);
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  if (pid < 0) return ResourceError(errno, "fork() failed");
  CloseFd(pipes.request.read);
  CloseFd(pipes.reply.write);
  fcntl(pipes.reply.read, F_SETFL, fcntl(pipes.reply.read, F_GETFL) | O_NONBLOCK);
  return pid;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ReadOwnCommandLine() {
  std::ifstream file("/proc/self/cmdline", std::ios::binary);
  if (!file) return absl::UnavailableError("cannot read /proc/self/cmdline");
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::vector<std::string> argv =
      absl::StrSplit(absl::StripSuffix(text, absl::string_view("\0", 1)), '\0');
  if (text.empty()) argv.clear();
  return argv;
}

namespace {

// The Threads: line of /proc/self/status; 0 if it cannot be read.
int CountThreads() {
  std::ifstream file("/proc/self/status");
  std::string line;
  while (std::getline(file, line)) {
    absl::string_view rest = line;
    int threads = 0;
    if (absl::ConsumePrefix(&rest, "Threads:")) {
      return absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &threads) ? threads : 0;
    }
  }
  return 0;
}

// A thread that was just joined (a threads executor destroyed a moment ago) wakes its joiner
// before the kernel has taken it off the process's list; it is gone within microseconds.
constexpr absl::Duration kExitingThreadGrace = absl::Milliseconds(50);

}  // namespace

absl::Status CheckSingleThreaded() {
  int threads = CountThreads();
  for (const absl::Time until = absl::Now() + kExitingThreadGrace;
       threads > 1 && absl::Now() < until; threads = CountThreads()) {
    absl::SleepFor(absl::Microseconds(100));
  }
  if (threads == 1) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "start_method=fork needs a single-threaded process, but this one has ",
      threads > 0 ? absl::StrCat(threads, " threads") : std::string("an unknown number of threads"),
      ": a forked worker would inherit locks held by the other threads that nothing ever "
      "releases; use start_method=spawn"));
}

WorkerProcess::WorkerProcess(pid_t pid, int request_fd, int reply_fd, size_t max_frame_bytes)
    : pid_(pid), request_fd_(request_fd), reply_fd_(reply_fd), reader_(max_frame_bytes) {}

absl::StatusOr<std::unique_ptr<WorkerProcess>> WorkerProcess::Fork(ChildMain child_main,
                                                                   size_t max_frame_bytes) {
  RETURN_IF_ERROR(CheckSingleThreaded());
  ASSIGN_OR_RETURN(WorkerPipes pipes, WorkerPipes::Open());
  const pid_t parent = getpid();
  // Output buffered now would be written twice, by the parent and by the child.
  std::fflush(nullptr);
  auto become_worker = [&](int request_fd, int reply_fd) {
    WatchParent(parent);
    KeepOnlyWorkerPipes(request_fd, reply_fd);
    int status = kSetupStatus;
    try {
      status = child_main(kForkRequestFd, kForkReplyFd);
    } catch (const std::exception& error) {
      // Nothing may unwind into the caller's frames; the parent sees the exit status.
      std::fprintf(stderr, "parsweep worker %d: %s\n", static_cast<int>(getpid()), error.what());
    } catch (...) {
      // Not a std::exception: nothing to say but the exit status.
    }
    std::fflush(nullptr);
    _exit(status);
  };
  ASSIGN_OR_RETURN(const pid_t pid, StartChild(pipes, become_worker));
  return std::unique_ptr<WorkerProcess>(
      new WorkerProcess(pid, std::exchange(pipes.request.write, -1),
                        std::exchange(pipes.reply.read, -1), max_frame_bytes));
}

absl::StatusOr<std::unique_ptr<WorkerProcess>> WorkerProcess::Spawn(const SpawnCommand& command,
                                                                    size_t max_frame_bytes) {
  // Everything the child uses is built before fork: in a multi-threaded parent the child may
  // make only async-signal-safe calls until execve (no malloc, whose lock another thread may
  // have held at the fork).
  if (std::getenv(kWorkerEnvVar) != nullptr) {
    // This process was spawned as a worker but ran the program instead: each generation
    // would spawn the next.
    return absl::FailedPreconditionError(
        absl::StrCat("this process was started as a worker (", kWorkerEnvVar,
                     " is set) but its main() did not call RunWorkerIfRequested(); "
                     "start_method=spawn needs that call first thing in main()"));
  }
  static constexpr char kProgram[] = "/proc/self/exe";
  std::vector<char*> argv;
  for (const std::string& arg : command.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  if (argv.empty()) argv.push_back(const_cast<char*>(kProgram));
  argv.push_back(nullptr);
  ASSIGN_OR_RETURN(WorkerPipes pipes, WorkerPipes::Open());
  // A failed execve sends its errno on this pipe; one that succeeds closes it (close-on-exec).
  ASSIGN_OR_RETURN(Pipe exec_error, Pipe::Open());
  const pid_t parent = getpid();
  const std::string marker_prefix = absl::StrCat(kWorkerEnvVar, "=");
  const std::string marker = absl::StrCat(
      marker_prefix, FormatWorkerChannel({parent, pipes.request.read, pipes.reply.write}));
  std::vector<char*> envp;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!absl::StartsWith(*entry, marker_prefix)) envp.push_back(*entry);
  }
  envp.push_back(const_cast<char*>(marker.c_str()));
  envp.push_back(nullptr);
  auto become_worker = [&](int request_fd, int reply_fd) {
    WatchParent(parent);  // PR_SET_PDEATHSIG survives execve.
    // Descriptors that some library opened without O_CLOEXEC stay out of the worker; this
    // fails harmlessly before Linux 5.11, and the executor's own pipes are close-on-exec.
    syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
    ClearCloseOnExec(request_fd);
    ClearCloseOnExec(reply_fd);
    for (int fd : command.inherited_fds) ClearCloseOnExec(fd);
    execve(kProgram, argv.data(), envp.data());
    const int error = errno;
    WriteFully(exec_error.write, &error, sizeof(error));
    _exit(kExecStatus);
  };
  ASSIGN_OR_RETURN(const pid_t pid, StartChild(pipes, become_worker));
  auto worker = std::unique_ptr<WorkerProcess>(
      new WorkerProcess(pid, std::exchange(pipes.request.write, -1),
                        std::exchange(pipes.reply.read, -1), max_frame_bytes));
  // Returns once the child has exec'd or failed to: it does nothing that can block before.
  CloseFd(exec_error.write);
  int error = 0;
  ssize_t got;
  do {
    got = read(exec_error.read, &error, sizeof(error));
  } while (got < 0 && errno == EINTR);
  if (got == sizeof(error)) {
    worker->Reap(absl::Seconds(1));  // It is exiting.
    return ResourceError(error, absl::StrCat("cannot run ", kProgram));
  }
  return worker;
}

WorkerProcess::~WorkerProcess() {
  ClosePipes();
  if (!reaped_) KillAndWait();
}

absl::Status WorkerProcess::Send(const ToWorker& frame) {
  if (request_fd_ < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("worker pid ", pid_, ": its request pipe is closed"));
  }
  absl::Status written = WriteFrame(request_fd_, frame);
  if (written.ok()) return written;
  return absl::Status(written.code(), absl::StrCat("worker pid ", pid_, ": ", written.message()));
}

absl::StatusOr<std::optional<FromWorker>> WorkerProcess::Receive() {
  if (reply_fd_ < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("worker pid ", pid_, ": its reply pipe is closed"));
  }
  FromWorker frame;
  absl::StatusOr<FrameReader::Result> got = reader_.ReadFrom(reply_fd_, frame);
  if (!got.ok()) {
    return absl::Status(got.status().code(),
                        absl::StrCat("worker pid ", pid_, ": ", got.status().message()));
  }
  switch (*got) {
    case FrameReader::Result::kFrame:
      return frame;
    case FrameReader::Result::kNeedMore:
      return std::nullopt;
    case FrameReader::Result::kEof:
      break;
  }
  return absl::UnavailableError(absl::StrCat("worker pid ", pid_, " closed its reply pipe"));
}

void WorkerProcess::ClosePipes() {
  CloseFd(request_fd_);
  CloseFd(reply_fd_);
}

void WorkerProcess::Reaped(std::optional<int> wait_status) {
  reaped_ = true;
  wait_status_ = wait_status;
  UntrackChild(pid_);
}

bool WorkerProcess::TryReap() {
  if (reaped_) return true;
  int wait_status = 0;
  pid_t result;
  do {
    result = waitpid(pid_, &wait_status, WNOHANG);
  } while (result < 0 && errno == EINTR);
  if (result == pid_) {
    Reaped(wait_status);
  } else if (result < 0) {
    Reaped(std::nullopt);  // ECHILD: reaped elsewhere, e.g. by a termination handler.
  }
  return reaped_;
}

void WorkerProcess::KillAndWait() {
  if (reaped_) return;
  // Not yet reaped, so the pid cannot have been reused.
  kill(pid_, SIGKILL);
  int wait_status = 0;
  pid_t result;
  do {
    result = waitpid(pid_, &wait_status, 0);
  } while (result < 0 && errno == EINTR);
  Reaped(result == pid_ ? std::optional<int>(wait_status) : std::nullopt);
}

void WorkerProcess::ReapAll(absl::Span<WorkerProcess* const> workers, absl::Duration grace) {
  const absl::Time deadline = absl::Now() + grace;
  absl::Duration pause = absl::Microseconds(100);
  for (;;) {
    bool all_reaped = true;
    for (WorkerProcess* worker : workers) all_reaped = worker->TryReap() && all_reaped;
    if (all_reaped) return;
    if (absl::Now() >= deadline) break;
    absl::SleepFor(std::min(pause, deadline - absl::Now()));
    pause = std::min(pause * 2, absl::Milliseconds(10));
  }
  for (WorkerProcess* worker : workers) worker->KillAndWait();
}

std::string WorkerProcess::DescribeEnd() const {
  if (!reaped_) return "is still running";
  if (!wait_status_) return "ended (reaped elsewhere)";
  return DescribeWaitStatus(*wait_status_);
}

}  // namespace parsweep
