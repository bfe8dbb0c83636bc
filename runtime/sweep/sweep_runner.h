// RunSweep: the whole sweep on one executor: plan the tasks, stream them through a Pool
// (batched by measured time, a bounded number in flight), merge the partial results as
// they arrive, and report the densities by point and increasing width.
//
// The merge checks what executors send back: every task's result must arrive exactly once
// and be the size its task implies; anything else is an Internal error rather than a wrong
// number.
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

namespace parsweep {

// Progress: called after each task's result is merged, with the tasks done and in all.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

absl::StatusOr<Report> RunSweep(const Sweep& sweep, Executor& executor,
                                const PoolOptions& options = {},
                                const ProgressFn& progress = nullptr);

// RunSweepOnPool runs `sweep` on `pool`, which must have been created on a
// SweepWorkload of the same sweep: the same sweep again on workers already started, as
// benchmarks and the tool's compare mode do.
absl::StatusOr<Report> RunSweepOnPool(const Sweep& sweep, Pool& pool,
                                      const ProgressFn& progress = nullptr);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SWEEP_SWEEP_RUNNER_H_
