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

#include <cstddef>
#include <optional>

#include "absl/time/time.h"
#include "runtime/plugin/workload.h"

namespace parsweep {

// kWorkerEnvVar marks a spawned worker; its value is "<request_fd>,<reply_fd>".
inline constexpr char kWorkerEnvVar[] = "PARSWEEP_PROCESS_WORKER";

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
// sends heartbeats (runtime/scheduling/heartbeat.h).
int RunWorkerLoop(const Workload& workload, int request_fd, int reply_fd,
                  const WorkerLoopOptions& options);

// RunSpawnedWorkerIfRequested returns nullopt unless kWorkerEnvVar is set. Otherwise it
// unsets it, arranges to be killed when the parent dies, rebuilds the workload named by the
// first frame from Registry<Workload>, reports how that went, serves batches, and returns
// the exit status: 0 at the end of the request stream, 1 if the workload could not be built
// or the parent is already gone, 2 if kWorkerEnvVar is malformed.
std::optional<int> RunSpawnedWorkerIfRequested(int argc, char** argv);

}  // namespace parsweep

#endif  // PARSWEEP_EXECUTORS_PROCESS_WORKER_LOOP_H_
