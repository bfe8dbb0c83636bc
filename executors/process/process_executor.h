// process: an Executor (runtime/plugin/executor.h) that runs batches in worker processes, so that a
// workload that is not thread-safe, or that crashes, cannot take the caller down with it.
//
// Parameters (ExecutorSpec): `workers` (0: one per core); params `start_method` = fork
// (default) | spawn, `max_retries` (default 2), `max_frame_bytes` (default 64 MiB),
// `task_timeout` (default 1h) and `heartbeat_timeout` (default 5s).
//
// The executor is a TaskLedger (runtime/scheduling/task_ledger.h) over this file's backend:
// the ledger schedules dynamically (an idle worker gets the next batch), retries and
// cancels; the backend starts worker processes, writes a batch to one and waits with poll()
// for any worker's reply. Frames on the pipes are protobuf's varint-delimited ToWorker /
// FromWorker messages (see frame_io.h). Replies are read without blocking, so a slow worker
// never holds up the others, and a frame larger than `max_frame_bytes` is refused before it
// is buffered; a worker sends a result larger than that in pieces (ResultPiece), so every
// result that protobuf can hold (2 GiB) comes back.
//
// Liveness. While a worker runs a batch (or a spawned one builds its workload), a thread of
// its own sends a Heartbeat every tenth of `heartbeat_timeout`. A worker silent for
// `heartbeat_timeout` (stopped by SIGSTOP, say, or starved of memory) is killed with
// SIGKILL, and so is one whose batch runs past `task_timeout` (an endless loop); either
// then counts as a lost worker (below), and the messages say what was seen: "worker pid 42
// sent no heartbeat for 5s (the limit is 5s); it was stopped (SIGSTOP ...) while running the
// batch starting at item 17". The defaults (5 s, 1 h) and why: see kDefaultHeartbeatTimeout in
// runtime/scheduling/task_ledger.h. A spawned worker silent while it builds the workload is
// killed and replaced, at most `max_retries` times, before Start() fails.
//
// Faults. A worker that dies (its pipe reaches EOF, or a write to it fails) is reaped and
// replaced, and its batch runs again on another worker, at most `max_retries` times; after
// that the batch's result carries an Unavailable error naming the worker's pid, how it
// ended ("exited with status 3", "killed by signal 9 (Killed)"), the batch's first item and
// the retries. (A worker found dead when a batch is written to it counts as such a loss.) A
// worker that sends a corrupt or oversized frame, or ends inside a frame, is killed with
// SIGKILL and its batch fails with DataLoss, without retry. Errors a workload returns, and
// exceptions it throws (as Internal), are its batch's error as on every executor. A worker
// that cannot be started, or dies before it is ready, is not replaced at once (the ledger
// decides; see task_ledger.h).
//
// Resources. A worker process, pipe or shared-memory file that the system refuses (a
// ulimit, say) fails Start(), or the replacement, with the cause and the limit, naming the
// worker: "executor 'process': cannot start worker process 31 of 200: cannot create a pipe:
// Too many open files (the open file limit, ulimit -n, is 64)"; the workers already started
// are stopped and reaped. A write past the file size limit is such an error, not SIGXFSZ. A
// worker refused its heartbeat thread, or out of memory, answers its batch with that
// ResourceExhausted error; a reply that the parent has no memory to hold fails its batch
// with ResourceExhausted, as a corrupt one fails with DataLoss.
//
// Start methods:
//  - fork: each worker is a fork() of the caller and runs the workload object it inherited,
//    with the data as it was at Start() (copy-on-write), so any workload works, including one
//    that cannot Export(). Forking a process with other threads could leave their locks
//    (malloc's, say) held forever in the child, so every fork, including a replacement
//    forked by Next(), fails with FailedPrecondition unless the process is single-threaded.
//    The executor itself starts no thread. A forked worker keeps stdin, stdout and stderr
//    and its two pipes (at descriptors 3 and 4); every other descriptor is closed, so a
//    workload must not need its own descriptors in Run() (memory it has mapped stays).
//  - spawn: each worker is this binary started again (/proc/self/exe, same argv), with the
//    environment variable PARSWEEP_PROCESS_WORKER naming its parent and its pipes; main()
//    must call RunWorkerIfRequested() first (runtime/process/worker_entry.h). A process that
//    finds the variable set but is not that worker (a user's shell that has it set) says so
//    and exits with status 1, at once (worker_loop.h). The workload is rebuilt in the
//    worker from Export() (called once per Start) through Registry<Workload>, with each of
//    its blobs copied once into a sealed shared-memory file the workers inherit and map
//    read-only (shared_memory.h), so the workload must be registered with
//    PARSWEEP_REGISTER_WORKLOAD. Safe in a multi-threaded process. Start()
//    waits until every worker has built the workload, and returns the worker's error (an
//    unknown workload name, say) if one could not.
//  - Both: workers die with the thread that started them (PR_SET_PDEATHSIG = SIGKILL) and
//    exit when their request pipe closes, so none outlives the caller even if it is killed;
//    call Start() and Next() (which may start replacements) from a thread that lives as long
//    as the executor. Every worker is registered with TrackChild while it lives.
//
// Shutdown: destruction (and Start() with a new workload) closes every pipe, waits up to 2 s
// for the workers to exit, then kills the rest with SIGKILL and reaps them; no descriptor
// and no child is left behind.
//
// Thread safety: as Executor says, one thread at a time; no internal threads.
//
// Example:
//   ExecutorSpec spec;
//   spec.set_name("process");
//   spec.set_workers(4);
//   (*spec.mutable_params())["start_method"] = "spawn";
//   ASSIGN_OR_RETURN(std::unique_ptr<Executor> executor,
//                    Registry<Executor>::Global().Create(spec));
//   RETURN_IF_ERROR(executor->Start(workload));
//   RETURN_IF_ERROR(executor->Submit(batch));
//   ASSIGN_OR_RETURN(WorkBatchResult result, executor->Next());
#ifndef PARSWEEP_EXECUTORS_PROCESS_PROCESS_EXECUTOR_H_
#define PARSWEEP_EXECUTORS_PROCESS_PROCESS_EXECUTOR_H_

#include <cstddef>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/executor.pb.h"
#include "runtime/plugin/executor.h"
#include "runtime/scheduling/task_ledger.h"

namespace parsweep {

// ProcessExecutorOptions: the parsed ExecutorSpec.
struct ProcessExecutorOptions {
  enum class StartMethod { kFork, kSpawn };

  int workers = 1;
  StartMethod start_method = StartMethod::kFork;
  int max_retries = 2;
  size_t max_frame_bytes = size_t{64} << 20;
  absl::Duration task_timeout = kDefaultTaskTimeout;
  absl::Duration heartbeat_timeout = kDefaultHeartbeatTimeout;
};

// ParseProcessExecutorOptions reads `spec` as the registry does for "process":
// InvalidArgument naming the parameter for an unknown one or a bad value.
absl::StatusOr<ProcessExecutorOptions> ParseProcessExecutorOptions(const ExecutorSpec& spec);

}  // namespace parsweep

#endif  // PARSWEEP_EXECUTORS_PROCESS_PROCESS_EXECUTOR_H_
