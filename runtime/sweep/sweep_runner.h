// RunSweep: the whole sweep on one executor: plan the tasks, stream them through a Pool
// (batched by measured time, a bounded number in flight), merge the partial results as
// they arrive, and report the densities by point and increasing width.
//
// The merge checks what executors send back: every task's result must arrive exactly once
// and be the size its task implies; anything else is an Internal error rather than a wrong
// number.
//
// With a checkpoint (sweep_checkpoint.h), the runner first checks it against the sweep and
// its plan and merges the results it holds; only the other tasks run, each appended to it
// once merged, and it is synced at the end. The report is the same, bit for bit, as a run
// without it (partials merge in task order where order matters, wherever they came from);
// when it holds every task, no executor is started.
//
// Example:
//   ASSIGN_OR_RETURN(std::unique_ptr<Sweep> sweep, Sweep::Create(spec));
//   ASSIGN_OR_RETURN(std::unique_ptr<Executor> executor,
//                    Registry<Executor>::Global().Create(spec.executor()));
//   ASSIGN_OR_RETURN(Report report, RunSweep(*sweep, *executor));
#ifndef PARSWEEP_RUNTIME_SWEEP_SWEEP_RUNNER_H_
#define PARSWEEP_RUNTIME_SWEEP_SWEEP_RUNNER_H_

#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"
#include "proto/sweep.pb.h"
#include "runtime/plugin/executor.h"
#include "runtime/scheduling/pool.h"
#include "runtime/sweep/sweep.h"
#include "runtime/sweep/sweep_checkpoint.h"

namespace parsweep {

// Progress: called after each task's result is merged, with the tasks done and in all.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

// `checkpoint`, if not null, must be open (SweepCheckpoint::Open) and not yet resumed.
absl::StatusOr<Report> RunSweep(const Sweep& sweep, Executor& executor,
                                const PoolOptions& options = {},
                                const ProgressFn& progress = nullptr,
                                SweepCheckpoint* checkpoint = nullptr);

// RunSweepOnPool runs `sweep` on `pool`, which must have been created on a
// SweepWorkload of the same sweep: the same sweep again on workers already started, as
// benchmarks and the tool's compare mode do.
absl::StatusOr<Report> RunSweepOnPool(const Sweep& sweep, Pool& pool,
                                      const ProgressFn& progress = nullptr,
                                      SweepCheckpoint* checkpoint = nullptr);

// RunSweepOnPool into `report`, replacing what it held. A report used again keeps its
// result messages' memory (protobuf's Clear() does), so a sweep run many times, as
// benchmarks and --repeat do, does not allocate one message per result each time. On
// error, `report` holds nothing useful.
absl::Status RunSweepOnPool(const Sweep& sweep, Pool& pool, Report& report,
                            const ProgressFn& progress = nullptr,
                            SweepCheckpoint* checkpoint = nullptr);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SWEEP_SWEEP_RUNNER_H_
