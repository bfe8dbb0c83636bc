// The cost model behind --split=auto: how to cut a sweep of n samples, W widths and M points
// into tasks for P workers, and what each way would cost. Pure arithmetic on the sweep's
// shape (PlanShape), so that the same flags give the same plan on every run, which a
// checkpoint needs, and on every executor, so that a checkpoint begun on threads resumes on
// processes.
//
// The model, in its unit (the time one core takes to stream one byte of samples from
// memory; see KernelCost in runtime/plugin/kernel.h):
//  - A task reads its samples, n_t x d x 8 bytes, once per point for all of its widths when
//    the kernel's pass is fused, once per point and width otherwise. Cutting a fused sweep by
//    widths therefore reads all samples once per width-task; cutting by samples reads them
//    once in all, and cutting by points costs nothing extra. A kernel whose pass serves a
//    group of points (KernelCost::points_per_pass) reads them once per group: its groups
//    are kept whole.
//  - Each (point, sample, width) evaluation adds KernelCost::evaluation_bytes.
//  - Each task returns a partial of M_t x W_t x KernelCost::partial_bytes_per_result bytes,
//    which is serialized, moved, parsed and merged (kResultByteCost per byte), and costs a
//    fixed kTaskWorkerCost on its worker and kTaskCallerCost on the caller, whose share
//    adds up over the tasks since one caller handles them all.
//  - P workers run ceil(T / P) rounds of the largest task, and the sweep waits for the last
//    one: kStragglerShare of a task (workers share a machine with others; the last task to
//    start may run on a slowed worker), which is what makes several small tasks per worker
//    better than one large one once a task is worth more than its fixed cost.
// ChooseCut tries 1, P, 2P and kTasksPerWorker x P tasks (at least MinimumTasks), each by
// widths and by samples, points being cut first as the planner always does, and keeps the
// cheapest. The fixed costs were measured on the 2-core machine this was written on (AMD
// EPYC, as --compare's header names it, shared with other builds at the time), with
//   sweep --n=1000 --widths=0.1:1.2:100 --split=widths --chunk=1 --repeat=20
//         --compare=serial,threads:2,process:2
// whose overhead/task column gave 16 to 20 us per task on threads and on processes alike
// in one run, 7.5 us (threads) and 13 us (processes) in another, and a run of one task 7 to
// 100 us more than serial: at the 14.8 GB/s single-thread read, 100 to 300 kB of
// streaming per task; the model takes 250 kB, split below between caller and worker.
// Threads and processes differ by less than the machine's noise here, so the model has one
// figure for both, and a plan never depends on the executor: a checkpoint begun on threads
// resumes on processes (sweep_checkpoint.h).
//
// Example:
//   PlanShape shape = ...;  // From the sweep and the executor's parallelism.
//   const PlanChoice choice = ChooseCut(shape);
//   // choice.cut: the split, chunk and points per task; choice.cost: what it predicts.
#ifndef PARSWEEP_RUNTIME_SWEEP_PLAN_COST_MODEL_H_
#define PARSWEEP_RUNTIME_SWEEP_PLAN_COST_MODEL_H_

#include <cstdint>

#include "runtime/plugin/kernel.h"

namespace parsweep {

inline constexpr int kTasksPerWorker = 4;
// kMaxTaskWork: with chunk = 0, no task holds more than this many (point, sample, width)
// evaluations, whatever the parallelism: 2^33 is seconds to a minute of one core for the
// built-in kernels (about 1e9 evaluations a second for the hypercube, 1e8 for the Gaussian),
// so that a sweep of hours is many short tasks, which checkpoints keep one by one, and a
// task running for the default task_timeout (an hour) is stuck, not busy.
inline constexpr uint64_t kMaxTaskWork = uint64_t{1} << 33;

// The model's fixed costs, in bytes streamed in the same time (see above): about 10 us of a
// worker's time per task, 7 us of the caller's, and 4 passes over each byte of a result.
inline constexpr double kTaskWorkerCost = 150e3;
inline constexpr double kTaskCallerCost = 100e3;
inline constexpr double kResultByteCost = 4;
inline constexpr double kStragglerShare = 0.5;

// PlanShape: what the model knows of a sweep.
struct PlanShape {
  uint64_t samples = 0;
  uint64_t dims = 0;
  uint64_t widths = 0;
  uint64_t points = 0;
  uint64_t sample_block = 1;  // Kernel::SampleBlock(): samples are cut at its multiples.
  KernelCost kernel;
  int parallelism = 1;  // Tasks that may run at once.
};

// PlanCut: one way to cut a sweep, as TaskPlan runs it.
struct PlanCut {
  bool by_samples = false;  // Whether `chunk` counts samples, else widths.
  uint64_t chunk = 0;       // Widths or samples per task; the last of a point group may have fewer.
  uint64_t item_tasks = 0;  // Tasks per group of points.
  uint64_t point_chunk = 0;  // Points per task; the last group may have fewer.
  uint64_t tasks = 0;
};

// PlanCost: what the model predicts of a cut.
struct PlanCost {
  double time = 0;            // Until the last result is merged, in the model's unit.
  double streamed_bytes = 0;  // Bytes of samples every task together reads.
  double result_bytes = 0;    // Bytes of partial results every task together returns.
};

// PlanChoice: the cut ChooseCut keeps, and the cut by the other split into as many tasks,
// with what each costs (the two are the same where only points are cut).
struct PlanChoice {
  PlanCut cut;
  PlanCost cost;
  PlanCut other_cut;
  PlanCost other;
};

// EvaluationCount: points x samples x widths, saturating at UINT64_MAX.
uint64_t EvaluationCount(const PlanShape& shape);

// MinimumTasks: how many tasks keep each within kMaxTaskWork evaluations.
uint64_t MinimumTasks(const PlanShape& shape);

// CutSweep cuts `shape` into about `wanted` tasks (at least 1), by samples or by widths:
// points first (in whole groups of the kernel's points_per_pass), then the items; `chunk`
// > 0 fixes the widths or samples per task instead.
// Samples are cut at multiples of shape.sample_block only.
PlanCut CutSweep(const PlanShape& shape, bool by_samples, uint64_t wanted, uint64_t chunk);

// PredictCost is what the model predicts `cut` of `shape` costs.
PlanCost PredictCost(const PlanShape& shape, const PlanCut& cut);

// ChooseCut is the cheapest cut of `shape` that the model tries (see above); ties go to
// fewer tasks, then to widths.
PlanChoice ChooseCut(const PlanShape& shape);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SWEEP_PLAN_COST_MODEL_H_
