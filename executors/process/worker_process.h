// WorkerProcess: one worker process of the process executor, as its parent sees it: how it
// is started, frames sent to it and received from it, and how it is reaped.
//
// Each worker has two pipes, created close-on-exec: requests from the parent, replies from
// the worker. The parent's end of the reply pipe is non-blocking, so Receive() never waits;
// poll() reply_fd() for POLLIN. Every child is registered with TrackChild (so a program
// stopped by SIGINT takes it along) until it is reaped, and is started with
// PR_SET_PDEATHSIG = SIGKILL, so it dies with the thread that started it.
//
// Thread safety: none; a WorkerProcess belongs to one thread at a time. It owns its child
// and its ends of the pipes: destruction closes the pipes and, unless the child has been
// reaped, kills it with SIGKILL and reaps it.
//
// Example:
//   ASSIGN_OR_RETURN(std::unique_ptr<WorkerProcess> worker,
//                    WorkerProcess::Fork([&](int in, int out) {
//                      return RunWorkerLoop(workload, in, out);
//                    }, max_frame_bytes));
//   RETURN_IF_ERROR(worker->Send(request));
//   ... poll(worker->reply_fd()) ..., then worker->Receive()
#ifndef PARSWEEP_EXECUTORS_PROCESS_WORKER_PROCESS_H_
#define PARSWEEP_EXECUTORS_PROCESS_WORKER_PROCESS_H_

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "executors/process/frame_io.h"
#include "proto/work.pb.h"

namespace parsweep {

// A forked worker finds its request pipe at kForkRequestFd and its reply pipe at
// kForkReplyFd; every other descriptor above 2 is closed.
inline constexpr int kForkRequestFd = 3;
inline constexpr int kForkReplyFd = 4;

// SpawnCommand: what Spawn runs. The program is always /proc/self/exe, this very binary.
struct SpawnCommand {
  std::vector<std::string> argv;   // Empty: just the program's path.
  std::vector<int> inherited_fds;  // Kept open, under the same numbers, across execv.
};

// ReadOwnCommandLine returns this process's argv, from /proc/self/cmdline.
absl::StatusOr<std::vector<std::string>> ReadOwnCommandLine();

// CheckSingleThreaded is FailedPrecondition, advising start_method=spawn, if this process
// (after up to 50 ms for threads that were just joined to leave)
// has more than one thread (or the count cannot be read): a forked child would inherit
// locks that the other threads hold and that nothing in the child will ever release.
absl::Status CheckSingleThreaded();

class WorkerProcess {
 public:
  // ChildMain is the forked child's body; its value is the child's exit status.
  using ChildMain = absl::FunctionRef<int(int request_fd, int reply_fd)>;

  // WorkerProcess::Fork starts a child that runs `child_main(kForkRequestFd, kForkReplyFd)`
  // and _exits with its value; the child never returns into the caller. It shares nothing
  // with the parent after fork but copies of its memory. FailedPrecondition if the process
  // has more than one thread (see CheckSingleThreaded). If the system refuses the pipes or
  // the process, the error names the cause and the limit (runtime/base/resource_error.h):
  // "fork() failed: Resource temporarily unavailable (the process and thread limit, ulimit
  // -u, is 50)"; nothing is left open or running.
  static absl::StatusOr<std::unique_ptr<WorkerProcess>> Fork(ChildMain child_main,
                                                             size_t max_frame_bytes);

  // WorkerProcess::Spawn starts a child that execs this binary with kWorkerEnvVar naming
  // its parent and pipes (see worker_loop.h). Safe in a multi-threaded process: the child
  // makes only async-signal-safe calls before execve. The new program must call
  // RunWorkerIfRequested() first thing in main(). Errors as Fork's, and an execve that
  // fails is one too, with its errno ("cannot run /proc/self/exe: Argument list too long"),
  // once the child that tried it is reaped.
  // FailedPrecondition in a process that was itself spawned as a worker but did not become
  // one (its main() lacks that call), which would otherwise spawn generation after
  // generation.
  static absl::StatusOr<std::unique_ptr<WorkerProcess>> Spawn(const SpawnCommand& command,
                                                              size_t max_frame_bytes);

  ~WorkerProcess();
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  pid_t pid() const { return pid_; }

  // WorkerProcess::reply_fd is the descriptor to poll() for replies; -1 once closed.
  int reply_fd() const { return reply_fd_; }

  // WorkerProcess::Send writes one frame, blocking until the pipe has taken all of it (the
  // executor sends only to idle workers, which are reading). Unavailable if the worker has
  // closed its end; FailedPrecondition after ClosePipes().
  absl::Status Send(const ToWorker& frame);

  // WorkerProcess::Receive returns the next reply once all of it has arrived, or nullopt if
  // it has not yet. Unavailable when the worker closed its pipe at a frame boundary (it
  // exited or died); DataLoss for a corrupt or oversized frame, or EOF inside one. Errors
  // name the worker's pid.
  absl::StatusOr<std::optional<FromWorker>> Receive();

  // WorkerProcess::unread_bytes counts bytes received but not yet part of a whole frame.
  size_t unread_bytes() const { return reader_.buffered_bytes(); }

  // WorkerProcess::ClosePipes closes both pipes; the worker sees EOF and exits.
  void ClosePipes();

  // WorkerProcess::Reap waits up to `grace` for the child to exit, then kills it with
  // SIGKILL and waits for it. Reap(absl::ZeroDuration()) kills at once.
  void Reap(absl::Duration grace) { ReapAll({this}, grace); }

  // WorkerProcess::ReapAll is Reap for several workers with one deadline.
  static void ReapAll(absl::Span<WorkerProcess* const> workers, absl::Duration grace);

  // WorkerProcess::reaped is true once the child has been waited for.
  bool reaped() const { return reaped_; }

  // WorkerProcess::DescribeEnd says how the reaped child ended (runtime/process/wait_status.h).
  std::string DescribeEnd() const;

 private:
  WorkerProcess(pid_t pid, int request_fd, int reply_fd, size_t max_frame_bytes);

  // Reaps without blocking; true once reaped.
  bool TryReap();
  void KillAndWait();
  void Reaped(std::optional<int> wait_status);

  const pid_t pid_;
  int request_fd_;
  int reply_fd_;
  FrameReader reader_;
  bool reaped_ = false;
  std::optional<int> wait_status_;  // Unknown if something else reaped the child.
};

}  // namespace parsweep

#endif  // PARSWEEP_EXECUTORS_PROCESS_WORKER_PROCESS_H_
