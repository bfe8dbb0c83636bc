// WorkerBackend: the part of an executor that differs from one to the next: how its workers
// start, how a batch reaches one, and how replies and losses come back. Everything else an
// executor does (the queue, which batch runs where, retries of batches whose worker was lost,
// cancellation, the results) is the TaskLedger's (task_ledger.h), written once for all.
//
// A backend has slots() worker slots, numbered from 0. The ledger tells it what to do with a
// slot; the backend reports what happened through Wait(). The contract:
//  - Start(workload) readies a worker in every slot for `workload` and returns once all are
//    ready, or with the error that stopped one (the backend then holds no worker). It replaces
//    the workers of an earlier Start. The ledger calls it only with no batch running.
//  - Send(slot, batch) hands a batch to the idle, ready worker in `slot`. The ledger keeps
//    `batch` alive and unchanged until the slot's result or loss is reported, so a backend
//    whose workers share this process may run it in place. InvalidArgument: the batch cannot
//    be sent (too large) and the worker is fine. Any other error: the worker is lost, and the
//    next Wait() reports it (kLost) like any other loss.
//  - Wait(deadline, events) blocks until something happened or `deadline` passed, and
//    appends the events (possibly none) to `events`. An error means the backend cannot go on at all
//    (an MPI job that broke): every batch it held is lost.
//  - A worker that dies, or breaks its protocol, is reaped (and killed if need be) by the
//    backend, which reports kLost for its slot; the slot then holds no worker until Restart().
//  - Restart(slot) starts a fresh worker in an empty slot, for the workload of the last
//    Start: ready at once (true), or later, reported by kReady or kLost (false).
//  - Backends whose workers send heartbeats (heartbeats() is true) report each as kAlive
//    while a batch runs, and while a worker that Restart() started builds its workload.
//  - Kill(slot) stops the slot's worker (for a batch over its deadline, or a worker gone
//    silent) and returns what it saw of it ("it was stopped ..."; may be empty); a kLost
//    follows, or, for a backend whose workers cannot be replaced (MPI), an error from the
//    next Wait(). Backends whose workers cannot be stopped (threads) do nothing.
//  - Destruction stops every worker and waits for it; no process or thread outlives it.
// A backend is used from one thread.
//
// Example:
//   class MyBackend : public WorkerBackend { ... };
//   std::unique_ptr<Executor> executor =
//       std::make_unique<TaskLedger>(std::make_unique<MyBackend>(...), LedgerOptions{});
#ifndef PARSWEEP_RUNTIME_SCHEDULING_WORKER_BACKEND_H_
#define PARSWEEP_RUNTIME_SCHEDULING_WORKER_BACKEND_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "proto/work.pb.h"
#include "runtime/plugin/workload.h"

namespace parsweep {

// WorkerEvent: something that happened to a slot's worker.
struct WorkerEvent {
  enum class Kind {
    kResult,       // The slot's batch finished: `result`.
    kLost,         // The slot's worker is gone (reaped): `cause`, `worker`, `end`.
    kReady,        // A worker that Restart() started is ready.
    kStartFailed,  // A worker that Restart() started could not build its workload: `cause`.
    kAlive,        // A heartbeat: the slot's worker is running `batch` (0: building).
  };
  int slot = 0;
  Kind kind = Kind::kResult;
  WorkBatchResult result;
  // kLost, kStartFailed: why, naming the worker ("worker pid 42: a frame declares ...").
  absl::Status cause;
  // kLost: who the worker was ("worker pid 42") and how it ended ("exited with status 3").
  std::string worker;
  std::string end;
  // kLost: whether the batch it was running may run again on another worker. False when the
  // worker sent something corrupt: a batch whose reply was corrupt once may well be again.
  bool retryable = true;
  // kAlive: the batch the worker says it runs.
  uint64_t batch = 0;
};

class WorkerBackend {
 public:
  virtual ~WorkerBackend() = default;

  // WorkerBackend::slots is how many workers run at once.
  virtual int slots() const = 0;

  // WorkerBackend::Start readies every slot's worker for `workload`, which must outlive
  // the backend or the next Start.
  virtual absl::Status Start(const Workload& workload) = 0;

  // WorkerBackend::Restart starts a worker in the empty `slot`: true if it is ready at once.
  virtual absl::StatusOr<bool> Restart(int slot) = 0;

  // WorkerBackend::Send gives `batch` to the ready, idle worker in `slot`.
  virtual absl::Status Send(int slot, const WorkBatch& batch) = 0;

  // WorkerBackend::Wait appends to `events` what happened by `deadline`.
  virtual absl::Status Wait(absl::Time deadline, std::vector<WorkerEvent>& events) = 0;

  // WorkerBackend::heartbeats is true if busy workers report kAlive regularly, so that
  // silence means a worker is stopped or gone.
  virtual bool heartbeats() const { return false; }

  // WorkerBackend::Kill stops the worker in `slot`, if workers can be stopped, and says what
  // it saw of it.
  // `why` is the ledger's reason ("sent no heartbeat for 5s"), for backends that report the
  // kill themselves.
  virtual std::string Kill(int slot, absl::string_view why) { return ""; }
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SCHEDULING_WORKER_BACKEND_H_
