#include "runtime/task_planner.h"

#include <algorithm>

namespace parsweep {
namespace {

uint64_t ChunkSize(uint64_t items, uint64_t requested, int parallelism) {
  if (requested > 0) return std::min(requested, items);
  if (parallelism <= 1) return items;
  const uint64_t tasks = static_cast<uint64_t>(parallelism) * kTasksPerWorker;
  return std::max<uint64_t>(1, (items + tasks - 1) / tasks);
}

}  // namespace

TaskPlan::TaskPlan(const Sweep& sweep, int parallelism)
    : by_samples_(sweep.spec().executor().split() == SPLIT_SAMPLES),
      num_widths_(sweep.spec().widths_size()),
      num_samples_(sweep.samples()),
      num_points_(static_cast<uint32_t>(sweep.points().rows())) {
  items_ = by_samples_ ? num_samples_ : num_widths_;
  chunk_ = ChunkSize(items_, sweep.spec().executor().chunk(), parallelism);
  tasks_ = (items_ + chunk_ - 1) / chunk_;
}

Task TaskPlan::task(uint64_t index) const {
  const uint64_t begin = index * chunk_;
  const uint64_t end = std::min(items_, begin + chunk_);
  Task task;
  task.set_index(index);
  const uint64_t width_begin = by_samples_ ? 0 : begin;
  const uint64_t width_end = by_samples_ ? num_widths_ : end;
  for (uint64_t w = width_begin; w < width_end; ++w) {
    task.add_width_indices(static_cast<uint32_t>(w));
  }
  task.set_sample_begin(by_samples_ ? begin : 0);
  task.set_sample_end(by_samples_ ? end : num_samples_);
  task.set_point_begin(0);
  task.set_point_end(num_points_);
  return task;
}

}  // namespace parsweep
