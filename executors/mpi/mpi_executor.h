// mpi: an Executor (runtime/plugin/executor.h) whose workers are the ranks of an MPI job (Open
// MPI), so a sweep can use the cores of several machines:
//
//   mpirun -np 4 bazel-bin/tools/sweep --executor=mpi
//
// Roles. Every rank runs the same binary. Rank 0 runs the caller's program (the sweep tool:
// it parses flags, plans, merges and prints) and owns the executor. Ranks > 0 never reach the
// program: main() calls RunWorkerIfRequested() first (runtime/process/worker_entry.h), and this
// plugin's WorkerEntry takes any process that mpirun launched with rank > 0 (mpi_launch.h)
// and serves rank 0 until told to stop (mpi_worker.h). Parameters: `workers` (0: every rank
// but 0; else the first `workers` worker ranks), and params `max_message_bytes` (default 64
// MiB), `data_on_all_ranks` (see Data), `task_timeout` and `heartbeat_timeout` (Liveness).
//
// Wire (mpi_wire.h). Serialized protobuf, one message per send of MPI_BYTEs on
// MPI_COMM_WORLD, the tag saying what it is: rank 0 sends WorkerStart (the workload, once per
// Start), WorkBatch and an empty stop; workers answer WorkerReady, WorkBatchResult (or its
// ResultPieces, when it is larger than `max_message_bytes`: every result serial can return
// comes back), Heartbeat, and an acknowledgement of the stop: the process executor's
// messages (proto/work.proto). Receivers probe, read the size with MPI_Get_count, and refuse
// (DataLoss) a message larger than their limit before allocating it. Every send, receive
// and broadcast is a non-blocking request that the waiting rank polls (MPI_Test,
// MPI_Iprobe, then sleeps of up to 100 us), so rank 0 never blocks inside MPI waiting for a
// rank (it can notice one gone silent), and waiting ranks leave the cores to working ones.
//
// Data. A workload reaches the workers as its WorkloadSpec, rebuilt there
// (Registry<Workload>), and its blobs (runtime/plugin/workload.h). Shared memory cannot
// cross machines, so a blob is broadcast from rank 0 (MPI_Ibcast, in pieces of at most 1
// GiB) unless each rank can load the same bytes itself: a reproducible blob (data generated
// from a seed) is always rebuilt by each rank, and a blob reloadable from a shared file is
// rebuilt only with data_on_all_ranks=true (the path must name the same file on every host).
// A rank that loads a blob itself checks it against rank 0's 64-bit fingerprint
// (runtime/base/fingerprint.h) and fails Start() with DataLoss if they differ by one bit
// (another libm, another file), so results stay serial's bit for bit. Every rank takes part
// in Start(), those beyond `workers` too, so that a broadcast is collective.
//
// Scheduling is dynamic: Submit() sends a batch to an idle worker rank at once or queues
// it; Next() waits for the next reply from any rank and hands that rank the next queued
// batch.
//
// Liveness. While a worker rank builds a workload or runs a batch, a thread of its own sends
// rank 0 a Heartbeat every tenth of `heartbeat_timeout` (MPI is initialised there with
// MPI_THREAD_SERIALIZED, every call under one mutex). A rank silent for `heartbeat_timeout`
// (stopped by SIGSTOP, its host cut off), or whose batch runs past `task_timeout`, cannot be
// replaced (MPI-3 cannot lose a rank), so the sweep fails at once with DeadlineExceeded
// naming the rank, what was seen and its tasks ("MPI rank 2 sent no heartbeat for 5s (the
// limit is 5s) while running task 17; ..."), nothing is printed to standard output, and the
// job ends with MPI_Abort at exit (mpirun then kills every rank, the stopped one too) and a
// non-zero status. At exit every rank must acknowledge the stop within `heartbeat_timeout`,
// or the job ends the same way rather than wait in MPI_Finalize for a rank that never comes.
// Defaults and why: runtime/scheduling/task_ledger.h.
//
// Faults. A workload's error (a kernel's, say) is its batch's error, as on every executor,
// with " (on MPI rank R)" added. MPI_COMM_WORLD uses MPI_ERRORS_RETURN, so a failing MPI
// call becomes an Unavailable status naming the call, the rank and what every rank was
// running, and the job is then unusable (it ends with MPI_Abort at exit). A rank that dies
// cannot be survived in MPI-3: mpirun sees the lost process and stops the job, naming the
// rank and its signal or exit status; it stops rank 0 with SIGTERM, and a program that
// installed InstallTerminationHandlers() (the sweep tool does) then prints which rank was
// running which tasks. The job never hangs.
//
// MPI's lifetime. MPI_Init and MPI_Finalize may each run once per process. On workers they
// live in the worker entry. On rank 0 a process-wide session initialises MPI when the first
// mpi executor is created and finalises it at exit (std::atexit), after stopping every
// worker; an executor's destruction only waits for its running batches, so a program
// (--compare) may create mpi executors one after another, never two at once
// (FailedPrecondition). If rank 0 never uses MPI (`mpirun ... --executor=serial`, or bad
// flags) rank 0 still initialises MPI at exit to release the workers, so such a job also
// ends. Without mpirun, or with one rank, creating the executor fails with
// FailedPrecondition: there is no worker.
//
// Thread safety: as Executor says, one thread at a time, and always the same thread (rank 0
// initialises MPI with MPI_THREAD_FUNNELED); no internal threads on rank 0. Do not fork()
// (the process executor's fork method) after MPI is initialised; spawn is fine.
//
// Example:
//   ExecutorSpec spec;
//   spec.set_name("mpi");
//   ASSIGN_OR_RETURN(std::unique_ptr<Executor> executor,
//                    Registry<Executor>::Global().Create(spec));
#ifndef PARSWEEP_EXECUTORS_MPI_MPI_EXECUTOR_H_
#define PARSWEEP_EXECUTORS_MPI_MPI_EXECUTOR_H_

#include <cstddef>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/executor.pb.h"
#include "runtime/plugin/executor.h"
#include "runtime/scheduling/task_ledger.h"

namespace parsweep {

// MpiExecutorOptions: the parsed ExecutorSpec.
struct MpiExecutorOptions {
  int workers = 0;  // 0: every rank but 0.
  size_t max_message_bytes = size_t{64} << 20;
  bool data_on_all_ranks = false;  // File data: each rank reads it rather than rank 0 sending it.
  absl::Duration task_timeout = kDefaultTaskTimeout;
  absl::Duration heartbeat_timeout = kDefaultHeartbeatTimeout;
};

// ParseMpiExecutorOptions reads `spec`: InvalidArgument naming the parameter for an
// unknown one or a bad value.
absl::StatusOr<MpiExecutorOptions> ParseMpiExecutorOptions(const ExecutorSpec& spec);

// InMpiJob is whether mpirun started this process as part of a job of at least 2 ranks:
// in rank 0 the mpi executor then has workers (tests and benchmarks include it only then).
bool InMpiJob();

}  // namespace parsweep

#endif  // PARSWEEP_EXECUTORS_MPI_MPI_EXECUTOR_H_
