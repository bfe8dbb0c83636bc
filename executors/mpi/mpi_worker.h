// The worker ranks of the mpi executor (ranks > 0 of the job). A worker rank never reaches
// the program's main: mpi_executor.cc's worker entry calls ServeRankZero, which serves rank
// 0 until it says stop (see mpi_executor.h for the roles and the wire):
//  - a WorkerStart rebuilds the workload (blobs broadcast from rank 0, or reloaded and
//    checked against rank 0's fingerprint) and is answered with WorkerReady;
//  - a WorkBatch runs (RunBatch) and is answered with its WorkBatchResult, in pieces when it
//    is larger than rank 0's message limit (runtime/scheduling/result_pieces.h);
//  - while it builds a workload or runs a batch, a thread of its own sends a Heartbeat to
//    rank 0 every WorkerStart.heartbeat_interval_us, so rank 0 can tell a busy rank from one
//    that is stopped (SIGSTOP) or cut off, and end the job instead of waiting for ever;
//  - a stop is acknowledged (so rank 0 knows every rank will finalise), then MPI is
//    finalised and the process exits 0.
// A rank that cannot go on (a corrupt message from rank 0, MPI failing) says so on stderr and
// ends the job with MPI_Abort.
//
// Example (the worker entry):
//   if (rank > 0) return ServeRankZero(rank);
#ifndef PARSWEEP_EXECUTORS_MPI_MPI_WORKER_H_
#define PARSWEEP_EXECUTORS_MPI_MPI_WORKER_H_

namespace parsweep {

// ServeRankZero initialises MPI (MPI_THREAD_SERIALIZED, for the heartbeat thread), checks the
// launch (mpi_launch.h), serves rank 0 and returns the process's exit status.
int ServeRankZero(int rank);

}  // namespace parsweep

#endif  // PARSWEEP_EXECUTORS_MPI_MPI_WORKER_H_
