#include "runtime/sweep/plan_cost_model.h"

#include <algorithm>
#include <cstdint>

namespace parsweep {
namespace {

uint64_t CeilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

}  // namespace

uint64_t EvaluationCount(const PlanShape& shape) {
  uint64_t work = shape.points;
  for (const uint64_t factor : {shape.samples, shape.widths}) {
    work = factor != 0 && work > UINT64_MAX / factor ? UINT64_MAX : work * factor;
  }
  return work;
}

uint64_t MinimumTasks(const PlanShape& shape) {
  return std::max<uint64_t>(1, CeilDiv(EvaluationCount(shape), kMaxTaskWork));
}

PlanCut CutSweep(const PlanShape& shape, bool by_samples, uint64_t wanted, uint64_t chunk) {
  PlanCut cut;
  cut.by_samples = by_samples;
  wanted = std::max<uint64_t>(wanted, 1);
  const uint64_t items = by_samples ? shape.samples : shape.widths;
  if (items == 0 || shape.points == 0) {  // Nothing to do: no task.
    cut.item_tasks = 1;
    return cut;
  }
  // Points come first: a task over some points and every width reads each sample once per
  // point (or per group of points_per_pass), the least memory traffic; widths or samples
  // are cut only where there are too few points (or groups) to make `wanted` tasks, or
  // where a chunk asks for it.
  cut.point_chunk = CeilDiv(shape.points, std::min<uint64_t>(shape.points, wanted));
  const uint64_t group = std::max<uint64_t>(shape.kernel.points_per_pass, 1);
  cut.point_chunk = std::min(shape.points, CeilDiv(cut.point_chunk, group) * group);
  const uint64_t point_tasks = CeilDiv(shape.points, cut.point_chunk);
  cut.chunk = chunk > 0 ? std::min(chunk, items)
                        : CeilDiv(items, std::min(items, CeilDiv(wanted, point_tasks)));
  if (by_samples) {
    // Cut only at multiples of the kernel's sample block (Kernel::SampleBlock), so that a
    // kernel that adds in fixed blocks gives the same bits whatever the cut.
    const uint64_t block = std::max<uint64_t>(shape.sample_block, 1);
    cut.chunk = std::min(items, CeilDiv(cut.chunk, block) * block);
  }
  cut.item_tasks = CeilDiv(items, cut.chunk);
  cut.tasks = point_tasks * cut.item_tasks;
  return cut;
}

PlanCost PredictCost(const PlanShape& shape, const PlanCut& cut) {
  const KernelCost& kernel = shape.kernel;
  // The largest task: the first, whose chunks are whole.
  const double samples = static_cast<double>(cut.by_samples ? cut.chunk : shape.samples);
  const double widths = static_cast<double>(cut.by_samples ? shape.widths : cut.chunk);
  const double points = static_cast<double>(cut.point_chunk);
  const uint64_t group = std::max<uint64_t>(kernel.points_per_pass, 1);
  // Reads of the samples, one per group of points: by the largest task, and by all of them
  // (the last point task may hold fewer points).
  const double reads = static_cast<double>(CeilDiv(cut.point_chunk, group));
  double all_reads = 0;
  if (cut.point_chunk > 0) {
    const uint64_t point_tasks = CeilDiv(shape.points, cut.point_chunk);
    const uint64_t last_points = shape.points - (point_tasks - 1) * cut.point_chunk;
    all_reads = static_cast<double>((point_tasks - 1) * CeilDiv(cut.point_chunk, group) +
                                    CeilDiv(last_points, group));
  }
  const double passes = kernel.one_pass_for_all_widths ? 1 : widths;
  const double streamed = samples * static_cast<double>(shape.dims) * 8 * reads * passes;
  const double evaluations = samples * widths * points;
  const double result = points * widths * kernel.partial_bytes_per_result;
  // A result's passes: half on the worker (serialize, send), half on the caller (parse, merge).
  const double result_passes = result * kResultByteCost / 2;
  const double task =
      streamed + evaluations * kernel.evaluation_bytes + kTaskWorkerCost + result_passes;

  const double tasks = static_cast<double>(cut.tasks);
  const double workers = static_cast<double>(std::max(shape.parallelism, 1));
  const double rounds = static_cast<double>(CeilDiv(cut.tasks, static_cast<uint64_t>(workers)));
  PlanCost cost;
  cost.time = (rounds + kStragglerShare) * task + tasks * (kTaskCallerCost + result_passes);
  // Totals over every task: a sample is read by each width-task of a fused pass, by each
  // width of a per-width loop, once when cut by samples; a (point, width) result comes from
  // each sample-task.
  const double all_passes = kernel.one_pass_for_all_widths
                                ? (cut.by_samples ? 1 : static_cast<double>(cut.item_tasks))
                                : static_cast<double>(shape.widths);
  cost.streamed_bytes = static_cast<double>(shape.samples) * static_cast<double>(shape.dims) * 8 *
                        all_reads * all_passes;
  cost.result_bytes = static_cast<double>(shape.points) * static_cast<double>(shape.widths) *
                      kernel.partial_bytes_per_result *
                      (cut.by_samples ? static_cast<double>(cut.item_tasks) : 1);
  return cost;
}

PlanChoice ChooseCut(const PlanShape& shape) {
  const uint64_t workers = static_cast<uint64_t>(std::max(shape.parallelism, 1));
  const uint64_t least = MinimumTasks(shape);
  PlanChoice best;
  uint64_t best_wanted = 0;
  for (const uint64_t tasks : {uint64_t{1}, workers, 2 * workers, kTasksPerWorker * workers}) {
    const uint64_t wanted = std::max(tasks, least);
    for (const bool by_samples : {false, true}) {
      const PlanCut cut = CutSweep(shape, by_samples, wanted, 0);
      const PlanCost cost = PredictCost(shape, cut);
      if (best_wanted == 0 || cost.time < best.cost.time) {
        best.cut = cut;
        best.cost = cost;
        best_wanted = wanted;
      }
    }
  }
  best.other_cut = CutSweep(shape, !best.cut.by_samples, best_wanted, 0);
  best.other = PredictCost(shape, best.other_cut);
  return best;
}

}  // namespace parsweep
