// The worker side of the process executor: what runs in each worker process.
//
// RunWorkerLoop serves batches until the parent goes away: it reads ToWorker frames from
// the request pipe, runs each batch with RunBatch and writes the result as a FromWorker
// frame. A forked worker calls it directly on the workload it inherited. A spawned worker is
// this program started again by execv with kWorkerEnvVar set; RunSpawnedWorkerIfRequested
// (a WorkerEntry, see runtime/process/worker_entry.h) rebuilds the workload from the first frame,
// answers with WorkerReady, and then runs the same loop.
//
// Both run in a process of their own and on its main thread; they own nothing but the two
// descriptors they are given.
//
// Example (in a forked child):
//   _exit(RunWorkerLoop(workload, request_fd, reply_fd));
#ifndef PARSWEEP_EXECUTORS_PROCESS_WORKER_LOOP_H_
#define PARSWEEP_EXECUTORS_PROCESS_WORKER_LOOP_H_

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "runtime/plugin/workload.h"

namespace parsweep {

// kWorkerEnvVar marks a spawned worker; its value is a WorkerChannel.
inline constexpr char kWorkerEnvVar[] = "PARSWEEP_PROCESS_WORKER";

// WorkerChannel: what kWorkerEnvVar tells a spawned worker, written
// "<parent pid>:<request fd>,<reply fd>": who started it and its ends of the two pipes. The
// parent's pid lets a process tell a value meant for it from one that a user's shell
// happens to carry.
struct WorkerChannel {
  pid_t parent = 0;
  int request_fd = -1;
  int reply_fd = -1;
};

// FormatWorkerChannel writes `channel` as kWorkerEnvVar's value; ParseWorkerChannel reads
// it back, nullopt unless it has that form.
std::string FormatWorkerChannel(const WorkerChannel& channel);
std::optional<WorkerChannel> ParseWorkerChannel(absl::string_view value);

// CheckWorkerChannel parses kWorkerEnvVar's `value` and checks that this process is the
// worker it describes: a child of the pid it names, which runs this same program, holding
// the read end of one pipe (request_fd) and the write end of another (reply_fd).
// InvalidArgument saying what does not match otherwise, as for a stray value that a user's
// shell has set; nothing is read from the descriptors.
absl::StatusOr<WorkerChannel> CheckWorkerChannel(absl::string_view value);

// WorkerLoopOptions: what a forked worker is told directly (a spawned one reads the same from
// its WorkerStart frame).
struct WorkerLoopOptions {
  // The largest frame the parent reads (kMinResultMessageBytes .. kMaxFrameLimit); a larger result
  // travels in pieces.
  size_t max_reply_bytes = size_t{64} << 20;
  // How often a worker running a batch sends a Heartbeat; zero: never.
  absl::Duration heartbeat_interval = absl::ZeroDuration();
};

// RunWorkerLoop serves batches of `workload` from `request_fd` to `reply_fd` and returns the
// process's exit status: 0 when the parent closed the request pipe, died or stopped reading;
// 1 if a frame from the parent was corrupt. While a batch runs, a thread of the worker's own
// sends heartbeats (runtime/scheduling/heartbeat.h); a batch for which that thread cannot be
// started, or that runs out of memory, is answered with the reason, as ResourceExhausted.
int RunWorkerLoop(const Workload& workload, int request_fd, int reply_fd,
                  const WorkerLoopOptions& options);

// RunSpawnedWorkerIfRequested returns nullopt unless kWorkerEnvVar is set. Otherwise it
// unsets it and checks that this process is the worker it describes: a child of the pid it
// names, which runs this same program, holding a pipe's read end and another's write end. If
// not (a variable left in a user's environment, say), it says so on stderr, advising to
// unset it, and returns 1 at once: nothing is read from descriptors no parent writes to. A
// worker arranges to be killed when the parent dies, rebuilds the workload named by the
// first frame from Registry<Workload>, reports how that went (a heartbeat thread or memory
// that the system refused is the workload's error), serves batches, and returns the exit
// status: 0 at the end of the request stream, 1 if the workload could not be built or the
// parent is already gone.
std::optional<int> RunSpawnedWorkerIfRequested(int argc, char** argv);

}  // namespace parsweep

#endif  // PARSWEEP_EXECUTORS_PROCESS_WORKER_LOOP_H_
