#include "runtime/sweep/task_planner.h"

#include <algorithm>

namespace parsweep {
namespace {

uint64_t CeilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

}  // namespace

TaskPlan::TaskPlan(const Sweep& sweep, int parallelism)
    : by_samples_(sweep.spec().executor().split() == SPLIT_SAMPLES),
      num_widths_(sweep.spec().widths_size()),
      num_samples_(sweep.samples()),
      num_points_(static_cast<uint32_t>(sweep.points().rows())) {
  items_ = by_samples_ ? num_samples_ : num_widths_;
  const uint64_t requested = sweep.spec().executor().chunk();
  // Evaluations in all: points x samples x widths, saturating.
  uint64_t work = num_points_;
  for (const uint64_t factor : {num_samples_, num_widths_}) {
    work = factor != 0 && work > UINT64_MAX / factor ? UINT64_MAX : work * factor;
  }
  const uint64_t wanted =
      std::max(parallelism <= 1 ? 1 : static_cast<uint64_t>(parallelism) * kTasksPerWorker,
               CeilDiv(work, kMaxTaskWork));
  // Points come first: a task over some points and every width reads each sample once per
  // point, the least memory traffic; widths or samples are cut only where there are too
  // few points to make `wanted` tasks, or where --chunk asks for it.
  const uint64_t point_groups = std::min<uint64_t>(num_points_, wanted);
  point_chunk_ = CeilDiv(num_points_, point_groups);
  const uint64_t point_tasks = CeilDiv(num_points_, point_chunk_);
  chunk_ = requested > 0 ? std::min(requested, items_)
                         : CeilDiv(items_, std::min(items_, CeilDiv(wanted, point_tasks)));
  if (by_samples_) {
    // Cut only at multiples of the kernel's sample block (Kernel::SampleBlock), so that a
    // kernel that adds in fixed blocks gives the same bits whatever the cut.
    const uint64_t block = std::max<uint64_t>(sweep.kernel().SampleBlock(), 1);
    chunk_ = std::min(items_, CeilDiv(chunk_, block) * block);
  }
  item_tasks_ = CeilDiv(items_, chunk_);
  tasks_ = point_tasks * item_tasks_;
}

Task TaskPlan::task(uint64_t index) const {
  const uint64_t point_group = index / item_tasks_;
  const uint64_t begin = (index % item_tasks_) * chunk_;
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
  const uint64_t point_begin = point_group * point_chunk_;
  task.set_point_begin(static_cast<uint32_t>(point_begin));
  task.set_point_end(
      static_cast<uint32_t>(std::min<uint64_t>(num_points_, point_begin + point_chunk_)));
  return task;
}

}  // namespace parsweep
