// TaskPlan: how a sweep is cut into tasks, the way its ExecutorSpec asks. Tasks are made
// on demand from their index, so a plan of a million tasks costs nothing until they run.
//
// split = widths: each task covers `chunk` consecutive widths over all samples (the
// tutorial's way: one task per width when chunk = 1). split = samples: each task covers
// `chunk` consecutive samples for every width, and the partial counts merge; the chunk is
// rounded up to a multiple of the kernel's SampleBlock(). With many
// evaluation points, tasks are cut across points first. chunk = 0 lets the plan choose:
// one task when `parallelism` is 1, otherwise about kTasksPerWorker tasks per worker, so
// uneven tasks balance (the pool then batches tasks further by their measured time), and in
// either case enough that no task holds more than kMaxTaskWork evaluations.
//
// Example:
//   TaskPlan plan(*sweep, executor->parallelism());
//   for (uint64_t i = 0; i < plan.size(); ++i) Run(plan.task(i));
#ifndef PARSWEEP_RUNTIME_SWEEP_TASK_PLANNER_H_
#define PARSWEEP_RUNTIME_SWEEP_TASK_PLANNER_H_

#include <cstdint>

#include "proto/sweep.pb.h"
#include "runtime/sweep/sweep.h"

namespace parsweep {

inline constexpr int kTasksPerWorker = 4;
// kMaxTaskWork: with chunk = 0, no task holds more than this many (point, sample, width)
// evaluations, whatever the parallelism: 2^33 is seconds to a minute of one core for the
// built-in kernels (about 1e9 evaluations a second for the hypercube, 1e8 for the Gaussian),
// so that a sweep of hours is many short tasks, which checkpoints keep one by one, and a
// task running for the default task_timeout (an hour) is stuck, not busy.
inline constexpr uint64_t kMaxTaskWork = uint64_t{1} << 33;

class TaskPlan {
 public:
  TaskPlan(const Sweep& sweep, int parallelism);

  uint64_t size() const { return tasks_; }
  // TaskPlan::task is task `index`. Requires index < size().
  Task task(uint64_t index) const;

  // Cells: the tasks over the same points and widths, which differ only in their samples
  // and whose partials merge. Split by widths, each task is a cell of its own; split by
  // samples, a cell is a group of points. A cell's tasks are consecutive.
  uint64_t cells() const { return by_samples_ ? tasks_ / item_tasks_ : tasks_; }
  // TaskPlan::cell_of is the cell of task `index`.
  uint64_t cell_of(uint64_t index) const { return by_samples_ ? index / item_tasks_ : index; }
  // TaskPlan::first_task is the first task of `cell`; tasks_in_cell how many it has.
  uint64_t first_task(uint64_t cell) const { return by_samples_ ? cell * item_tasks_ : cell; }
  uint64_t tasks_in_cell() const { return by_samples_ ? item_tasks_ : 1; }

 private:
  bool by_samples_;
  uint64_t items_;        // Widths or samples, by the split.
  uint64_t chunk_;        // Widths or samples per task.
  uint64_t item_tasks_;   // Tasks per group of points.
  uint64_t point_chunk_;  // Points per task.
  uint64_t tasks_;
  uint64_t num_widths_;
  uint64_t num_samples_;
  uint32_t num_points_;
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SWEEP_TASK_PLANNER_H_
