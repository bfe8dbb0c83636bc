// PlanTasks: cuts a sweep into tasks, the way its ExecutorSpec asks.
//
// split = widths: each task covers `chunk` consecutive widths over all samples (the
// tutorial's way: one task per width when chunk = 1). split = samples: each task covers
// `chunk` consecutive samples for every width, and the partial counts merge. Every task
// covers all evaluation points. chunk = 0 lets the planner choose: one task when
// `parallelism` is 1, otherwise about four tasks per worker so uneven tasks balance.
//
// Example:
//   std::vector<Task> tasks = PlanTasks(*sweep, executor->parallelism());
#ifndef PARSWEEP_RUNTIME_TASK_PLANNER_H_
#define PARSWEEP_RUNTIME_TASK_PLANNER_H_

#include <vector>

#include "proto/sweep.pb.h"
#include "runtime/sweep.h"

namespace parsweep {

// Tasks per worker when the planner chooses the chunk size.
inline constexpr int kTasksPerWorker = 4;

std::vector<Task> PlanTasks(const Sweep& sweep, int parallelism);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_TASK_PLANNER_H_
