#include "runtime/sweep/task_planner.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "runtime/sweep/memory_estimate.h"

namespace parsweep {
namespace {

std::string Bytes(double bytes) { return FormatBytes(static_cast<uint64_t>(bytes)); }

// What a cut reads and returns, in words: "160 MB of samples read, 6.4 kB of results".
std::string Traffic(const PlanCost& cost) {
  return absl::StrCat(Bytes(cost.streamed_bytes), " of samples read, ", Bytes(cost.result_bytes),
                      " of results");
}

}  // namespace

TaskPlan::TaskPlan(const Sweep& sweep, int parallelism) {
  const ExecutorSpec& executor = sweep.spec().executor();
  shape_.samples = sweep.samples();
  shape_.dims = sweep.dims();
  shape_.widths = static_cast<uint64_t>(sweep.spec().widths_size());
  shape_.points = sweep.points().rows();
  shape_.sample_block = sweep.kernel().SampleBlock();
  shape_.parallelism = parallelism;
  const uint64_t workers = static_cast<uint64_t>(std::max(parallelism, 1));
  shape_.kernel = sweep.kernel().Cost();
  automatic_ = executor.split() == SPLIT_AUTO && executor.chunk() == 0;
  if (!automatic_) {
    // As asked (a chunk with auto counts widths): about kTasksPerWorker tasks per worker.
    const uint64_t wanted =
        std::max(workers == 1 ? 1 : workers * kTasksPerWorker, MinimumTasks(shape_));
    cut_ = CutSweep(shape_, executor.split() == SPLIT_SAMPLES, wanted, executor.chunk());
    return;
  }
  if (workers == 1 && MinimumTasks(shape_) == 1) {
    cut_ = CutSweep(shape_, /*by_samples=*/false, 1, 0);  // One worker: one task.
    return;
  }
  const PlanChoice choice = ChooseCut(shape_);
  cut_ = choice.cut;
  other_cut_ = choice.other_cut;
  other_ = choice.other;
  modelled_ = true;
}

Task TaskPlan::task(uint64_t index) const {
  const uint64_t point_group = index / cut_.item_tasks;
  const uint64_t items = cut_.by_samples ? shape_.samples : shape_.widths;
  const uint64_t begin = (index % cut_.item_tasks) * cut_.chunk;
  const uint64_t end = std::min(items, begin + cut_.chunk);
  Task task;
  task.set_index(index);
  const uint64_t width_begin = cut_.by_samples ? 0 : begin;
  const uint64_t width_end = cut_.by_samples ? shape_.widths : end;
  task.set_width_begin(static_cast<uint32_t>(width_begin));
  task.set_width_end(static_cast<uint32_t>(width_end));
  task.set_sample_begin(cut_.by_samples ? begin : 0);
  task.set_sample_end(cut_.by_samples ? end : shape_.samples);
  const uint64_t point_begin = point_group * cut_.point_chunk;
  task.set_point_begin(static_cast<uint32_t>(point_begin));
  task.set_point_end(
      static_cast<uint32_t>(std::min<uint64_t>(shape_.points, point_begin + cut_.point_chunk)));
  return task;
}

TaskPlanSummary TaskPlan::Summary() const {
  TaskPlanSummary summary;
  summary.set_split(cut_.by_samples ? SPLIT_SAMPLES : SPLIT_WIDTHS);
  summary.set_tasks(cut_.tasks);
  summary.set_chunk(cut_.chunk);
  summary.set_points_per_task(static_cast<uint32_t>(cut_.point_chunk));
  summary.set_automatic(automatic_);
  const PlanCost cost = PredictCost(shape_, cut_);
  summary.set_streamed_bytes(cost.streamed_bytes);
  summary.set_result_bytes(cost.result_bytes);
  if (!automatic_) return summary;
  if (!modelled_) {
    summary.set_reason("one worker");
  } else if (cut_.tasks == 1) {
    summary.set_reason(absl::StrCat("a small sweep (", Traffic(cost),
                                    "): one task costs less than sharing it out"));
  } else if (cut_.item_tasks == 1) {
    summary.set_reason(
        absl::StrCat(shape_.points, " points: cut by points alone, ", Traffic(cost)));
  } else {
    summary.set_reason(absl::StrCat(Traffic(cost), "; ", other_cut_.tasks, " tasks by ",
                                    cut_.by_samples ? "widths" : "samples", ": ", Traffic(other_)));
  }
  return summary;
}

}  // namespace parsweep
