// mpi: an Executor (runtime/plugin/executor.h) whose workers are the ranks of an MPI job (Open
// MPI), so a sweep can use the cores of several machines:
//
//   mpirun -np 4 bazel-bin/tools/sweep --executor=mpi
//
// Roles. Every rank runs the same binary. Rank 0 runs the caller's program (the sweep tool:
// it parses flags, plans, merges and prints) and owns the executor. Ranks > 0 never reach the
// program: main() calls RunWorkerIfRequested() first (runtime/process/worker_entry.h), and this
// plugin's WorkerEntry takes any process that Open MPI launched with rank > 0
// (OMPI_COMM_WORLD_RANK, else PMIX_RANK), initialises MPI and serves rank 0 until told to
// stop, then finalises MPI and exits 0. Parameters: `workers` (0: every rank but 0; else the
// first `workers` worker ranks), and params `max_message_bytes` (default 64 MiB) and
// `data_on_all_ranks` (see Data).
//
// Wire. Plain serialized protobuf, one message per MPI_Send of MPI_BYTEs on MPI_COMM_WORLD,
// the tag saying what it is: rank 0 sends MpiStart (the workload, once per Start), WorkBatch
// and an empty stop; workers answer WorkerReady and WorkBatchResult: the process executor's
// messages (proto/work.proto). Receivers probe, read the size with MPI_Get_count, and
// refuse (DataLoss) a message larger than their limit before allocating it. A worker whose
// result would exceed rank 0's limit sends that batch's error instead.
//
// Data. A workload reaches the workers as its WorkloadSpec, rebuilt there
// (Registry<Workload>), and its blobs (runtime/plugin/workload.h). Shared memory cannot
// cross machines, so a blob is broadcast from rank 0 (MPI_Bcast, in pieces of at most 1
// GiB) unless each rank can load the same bytes itself: a reproducible blob (data generated
// from a seed) is always rebuilt by each rank, and a blob reloadable from a shared file is
// rebuilt only with data_on_all_ranks=true (the path must name the same file on every host).
// A rank that loads a blob itself checks it against rank 0's 64-bit fingerprint
// (runtime/base/fingerprint.h) and fails Start() with DataLoss if they differ by one bit
// (another libm, another file), so results stay serial's bit for bit. Every rank takes part
// in Start(), those beyond `workers` too, so that a broadcast is collective.
//
// Scheduling is dynamic: Submit() sends a batch to an idle worker rank at once or queues
// it; Next() waits for the next reply from any rank and hands that rank the
// next queued batch. Rank 0 only sends to a rank that is idle (waiting for it), and
// workers only send replies, so blocking sends cannot deadlock. Waiting ranks poll
// (MPI_Iprobe, then sleeps of up to 100 us) rather than spin in MPI_Probe, so that rank 0
// and idle workers leave the cores to the working ranks.
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
// mpi executor is created and finalises it at exit (std::atexit), after sending every
// worker the stop message; an executor's destruction only waits for its running batches,
// so a program (--compare) may create mpi executors one after another, never two at once
// (FailedPrecondition). If rank 0 never uses MPI (`mpirun ... --executor=serial`, or bad
// flags) rank 0 still initialises MPI at exit to release the workers, so such a job also
// ends. Without mpirun (no OMPI_COMM_WORLD_SIZE), or with one rank, creating the executor
// fails with FailedPrecondition: there is no worker.
//
// Thread safety: as Executor says, one thread at a time, and always the same thread (MPI is
// initialised with MPI_THREAD_FUNNELED); no internal threads. Do not fork() (the process
// executor's fork method) after MPI is initialised; spawn is fine.
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
#include "proto/executor.pb.h"
#include "runtime/plugin/executor.h"

namespace parsweep {

// MpiExecutorOptions: the parsed ExecutorSpec.
struct MpiExecutorOptions {
  int workers = 0;  // 0: every rank but 0.
  size_t max_message_bytes = size_t{64} << 20;
  bool data_on_all_ranks = false;  // File data: each rank reads it rather than rank 0 sending it.
};

// ParseMpiExecutorOptions reads `spec`: InvalidArgument naming the parameter for an
// unknown one or a bad value.
absl::StatusOr<MpiExecutorOptions> ParseMpiExecutorOptions(const ExecutorSpec& spec);

// InMpiJob is whether mpirun started this process as part of a job of at least 2 ranks:
// in rank 0 the mpi executor then has workers (tests and benchmarks include it only then).
bool InMpiJob();

}  // namespace parsweep

#endif  // PARSWEEP_EXECUTORS_MPI_MPI_EXECUTOR_H_
