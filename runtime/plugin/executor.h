// Executor: where a workload's batches of requests run (this thread, a thread pool, worker
// processes, MPI ranks). Executors move bytes and know no workload; the same batches give
// the same results on every executor. Callers normally use Pool
// (runtime/scheduling/pool.h), which adds Apply/Map/futures/streams, chunking and a bound on
// work in flight. Built-in executors are a TaskLedger (runtime/scheduling/task_ledger.h) over
// a WorkerBackend of their own, which gives them this contract from one implementation.
//
// Contract, for every implementation:
//  - Start(workload) readies the workers for `workload`, which must stay alive and
//    unchanged until the executor is destroyed or started again. Start again (another
//    workload) only with no batch outstanding.
//  - Submit(batch) queues one batch and returns without waiting for it to run; an idle
//    worker may take it at once. Batch ids are the caller's and unique among outstanding
//    batches. Batches may run concurrently and in any order; items within a batch run in
//    order on one worker.
//  - Next(deadline) waits until some outstanding batch has finished, or until `deadline`
//    (nullopt then), and returns its result, in completion order; Next() waits as long as it
//    takes. Every submitted batch yields exactly one result. An executor may re-run a batch
//    whose worker was lost (bounded retries); its result still comes once.
//  - Cancel(id): the caller no longer wants batch `id`. If it has not started, it never runs
//    and its result (error Cancelled) is ready at once; if it is running, it finishes and its
//    result comes as usual. Unknown ids are ignored.
//  - Failures that belong to a batch (a request's error, a worker that kept dying while
//    running it, a corrupt reply) come back as that batch's WorkBatchResult::error, naming
//    the item, and for processes the worker's pid and exit status or signal. The executor
//    stays usable. Next() itself returns an error only when it cannot go on at all: no batch
//    is outstanding (FailedPrecondition), or no worker can be started.
//  - Submit(), Next() and Cancel() are called from one thread at a time. Destruction stops
//    every worker and waits for it; no process or thread outlives the executor.
//
// An executor lives in its own folder under executors/ and registers itself with
// PARSWEEP_REGISTER_EXECUTOR(name, summary, factory, options...) at the bottom of its .cc.
#ifndef PARSWEEP_RUNTIME_PLUGIN_EXECUTOR_H_
#define PARSWEEP_RUNTIME_PLUGIN_EXECUTOR_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/executor.pb.h"
#include "proto/work.pb.h"
#include "runtime/plugin/plugin_options.h"
#include "runtime/plugin/registry.h"
#include "runtime/plugin/workload.h"

namespace parsweep {

class Executor {
 public:
  using Config = ExecutorSpec;
  using Factory = std::function<absl::StatusOr<std::unique_ptr<Executor>>(const ExecutorSpec&,
                                                                          const PluginOptions&)>;
  static constexpr const char kKind[] = "executor";

  virtual ~Executor() = default;

  // Executor::parallelism is how many batches may run at once.
  virtual int parallelism() const = 0;

  // Executor::Start readies workers for `workload`; see the contract above.
  virtual absl::Status Start(const Workload& workload) = 0;

  // Executor::Submit queues `batch`. Requires a successful Start().
  virtual absl::Status Submit(WorkBatch batch) = 0;

  // Executor::Next returns the next finished batch's result, or nullopt at `deadline`.
  virtual absl::StatusOr<std::optional<WorkBatchResult>> Next(absl::Time deadline) = 0;

  // Executor::Next without a deadline.
  absl::StatusOr<WorkBatchResult> Next() {
    absl::StatusOr<std::optional<WorkBatchResult>> next = Next(absl::InfiniteFuture());
    if (!next.ok()) return next.status();
    if (!next->has_value()) return absl::InternalError("Next() returned no result and no error");
    return **std::move(next);
  }

  // Executor::Cancel withdraws batch `id` if it has not started.
  virtual void Cancel(uint64_t id) = 0;
};

}  // namespace parsweep

// PARSWEEP_REGISTER_EXECUTOR registers `factory`, callable as
// absl::StatusOr<std::unique_ptr<Executor>>(const ExecutorSpec&, const PluginOptions&),
// under `name` (what --executor takes), with a one-line `summary` for --list and the
// OptionSpecs of the options it takes, if any, after it.
#define PARSWEEP_REGISTER_EXECUTOR(name, summary, factory, ...)                                \
  static const ::parsweep::Registrar<::parsweep::Executor> parsweep_executor_registrar_##name( \
      #name, summary, factory, ::parsweep::OptionList{__VA_ARGS__})

#endif  // PARSWEEP_RUNTIME_PLUGIN_EXECUTOR_H_
