// RunSweep: the whole sweep on one executor: plan the tasks, run them, merge the partial
// results, and report the densities by point and increasing width.
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
#ifndef PARSWEEP_RUNTIME_SWEEP_RUNNER_H_
#define PARSWEEP_RUNTIME_SWEEP_RUNNER_H_

#include "absl/status/statusor.h"
#include "proto/sweep.pb.h"
#include "runtime/executor.h"
#include "runtime/sweep.h"

namespace parsweep {

absl::StatusOr<Report> RunSweep(const Sweep& sweep, Executor& executor);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SWEEP_RUNNER_H_
