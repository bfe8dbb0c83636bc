// TaskPlan: how a sweep is cut into tasks, the way its ExecutorSpec asks. Tasks are made
// on demand from their index, so a plan of a million tasks costs nothing until they run.
//
// split = widths: each task covers `chunk` consecutive widths over all samples (the
// tutorial's way: one task per width when chunk = 1). split = samples: each task covers
// `chunk` consecutive samples for every width, and the partial counts merge; the chunk is
// rounded up to a multiple of the kernel's SampleBlock(). With many evaluation points,
// tasks are cut across points first. chunk = 0 lets the plan choose: one task when
// `parallelism` is 1, otherwise about kTasksPerWorker tasks per worker, so uneven tasks
// balance (the pool then batches tasks further by their measured time), and in either case
// enough that no task holds more than kMaxTaskWork evaluations.
//
// split = auto (SPLIT_AUTO, the tool's default): the cost model of plan_cost_model.h
// chooses the split and the chunk (points, widths or samples; 1 to kTasksPerWorker tasks
// per worker) from the sweep's shape, the kernel's Cost() and `parallelism`. With one
// worker and a sweep within kMaxTaskWork it is one task, without asking the model. A chunk
// given with auto counts widths, as a chunk given alone always has.
//
// Example:
//   TaskPlan plan(*sweep, executor->parallelism());
//   for (uint64_t i = 0; i < plan.size(); ++i) Run(plan.task(i));
#ifndef PARSWEEP_RUNTIME_SWEEP_TASK_PLANNER_H_
#define PARSWEEP_RUNTIME_SWEEP_TASK_PLANNER_H_

#include <cstdint>

#include "proto/sweep.pb.h"
#include "runtime/sweep/plan_cost_model.h"
#include "runtime/sweep/sweep.h"

namespace parsweep {

class TaskPlan {
 public:
  TaskPlan(const Sweep& sweep, int parallelism);

  uint64_t size() const { return cut_.tasks; }
  // TaskPlan::task is task `index`. Requires index < size().
  Task task(uint64_t index) const;

  // TaskPlan::by_samples: whether the plan cuts samples (else widths, or only points).
  bool by_samples() const { return cut_.by_samples; }
  // TaskPlan::chunk: widths or samples (by by_samples()) per task; the last may have fewer.
  uint64_t chunk() const { return cut_.chunk; }
  // TaskPlan::points_per_task: the last task's group may have fewer.
  uint64_t points_per_task() const { return cut_.point_chunk; }

  // TaskPlan::Summary is the plan as the report shows it, with the cost model's figures
  // and its reason in words when it chose the plan.
  TaskPlanSummary Summary() const;

  // Cells: the tasks over the same points and widths, which differ only in their samples
  // and whose partials merge. Split by widths, each task is a cell of its own; split by
  // samples, a cell is a group of points. A cell's tasks are consecutive.
  uint64_t cells() const { return cut_.by_samples ? cut_.tasks / cut_.item_tasks : cut_.tasks; }
  // TaskPlan::cell_of is the cell of task `index`.
  uint64_t cell_of(uint64_t index) const {
    return cut_.by_samples ? index / cut_.item_tasks : index;
  }
  // TaskPlan::first_task is the first task of `cell`; tasks_in_cell how many it has.
  uint64_t first_task(uint64_t cell) const {
    return cut_.by_samples ? cell * cut_.item_tasks : cell;
  }
  uint64_t tasks_in_cell() const { return cut_.by_samples ? cut_.item_tasks : 1; }

 private:
  PlanShape shape_;
  PlanCut cut_;
  bool automatic_ = false;  // Chosen by --split=auto.
  bool modelled_ = false;   // Chosen by the cost model (not the one-worker shortcut).
  PlanCut other_cut_;       // modelled_: the cut by the other split into as many tasks,
  PlanCost other_;          // and what the model predicts of it.
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SWEEP_TASK_PLANNER_H_
