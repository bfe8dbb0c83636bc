// Executor: runs a sweep's tasks somewhere (this thread, a thread pool, worker processes,
// MPI ranks) and hands back their results. Every executor must produce, for the same tasks,
// the same results; only where and when they are computed differs.
//
// Contract, for every implementation:
//  - Run() executes each task of `tasks` exactly once (retrying a task that was lost with
//    its worker is allowed; delivering it twice is not) and passes its TaskResult to `sink`
//    exactly once. Tasks may execute concurrently and in any order; results reach `sink` in
//    completion order, each tagged with its Task::index, and the caller restores the order.
//  - `sink` is called on the thread that called Run(), one call at a time, so it needs no
//    locking. If it returns an error, Run() stops handing out tasks and returns that error.
//  - Run() returns only when no task of this call is still executing. It returns OK when
//    every task succeeded, otherwise the first error, whose message names the task.
//  - The executor does not own `sweep` or `tasks`; both must outlive the call. A worker
//    outside this process rebuilds the sweep from sweep.spec(), which is complete.
//  - One Run() at a time per executor; an executor may be reused for another Run().
//
// An executor lives in its own folder under executors/ and registers itself with one line,
// PARSWEEP_REGISTER_EXECUTOR(name, factory), at the bottom of its .cc file.
#ifndef PARSWEEP_RUNTIME_EXECUTOR_H_
#define PARSWEEP_RUNTIME_EXECUTOR_H_

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "proto/sweep.pb.h"
#include "runtime/registry.h"
#include "runtime/sweep.h"

namespace parsweep {

// ResultSink receives one task's result; see the Executor contract for when.
using ResultSink = absl::FunctionRef<absl::Status(TaskResult result)>;

class Executor {
 public:
  using Config = ExecutorSpec;
  static constexpr const char kKind[] = "executor";

  virtual ~Executor() = default;

  // Executor::parallelism is how many tasks may run at once; the planner cuts the sweep
  // into enough tasks to keep that many workers busy.
  virtual int parallelism() const = 0;

  // Executor::Run runs `tasks` of `sweep`; see the contract above.
  virtual absl::Status Run(const Sweep& sweep, absl::Span<const Task> tasks,
                           ResultSink sink) = 0;
};

}  // namespace parsweep

// PARSWEEP_REGISTER_EXECUTOR registers `factory`, callable as
// absl::StatusOr<std::unique_ptr<Executor>>(const ExecutorSpec&), under `name` (what
// --executor takes).
#define PARSWEEP_REGISTER_EXECUTOR(name, factory)                             \
  static const ::parsweep::Registrar<::parsweep::Executor>                    \
      parsweep_executor_registrar_##name(#name, factory)

#endif  // PARSWEEP_RUNTIME_EXECUTOR_H_
