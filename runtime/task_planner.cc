#include "runtime/task_planner.h"

#include <algorithm>
#include <cstdint>

namespace parsweep {
namespace {

uint64_t ChunkSize(uint64_t items, uint64_t requested, int parallelism) {
  if (requested > 0) return std::min(requested, items);
  if (parallelism <= 1) return items;
  const uint64_t tasks = static_cast<uint64_t>(parallelism) * kTasksPerWorker;
  return std::max<uint64_t>(1, (items + tasks - 1) / tasks);
}

}  // namespace

std::vector<Task> PlanTasks(const Sweep& sweep, int parallelism) {
  const ExecutorSpec& executor = sweep.spec().executor();
  const uint64_t num_widths = sweep.spec().widths_size();
  const uint64_t num_samples = sweep.samples();
  const uint32_t num_points = static_cast<uint32_t>(sweep.points().rows());
  std::vector<Task> tasks;
  auto add_task = [&](uint64_t width_begin, uint64_t width_end, uint64_t sample_begin,
                      uint64_t sample_end) {
    Task& task = tasks.emplace_back();
    task.set_index(tasks.size() - 1);
    for (uint64_t w = width_begin; w < width_end; ++w) {
      task.add_width_indices(static_cast<uint32_t>(w));
    }
    task.set_sample_begin(sample_begin);
    task.set_sample_end(sample_end);
    task.set_point_begin(0);
    task.set_point_end(num_points);
  };
  if (executor.split() == SPLIT_SAMPLES) {
    const uint64_t chunk = ChunkSize(num_samples, executor.chunk(), parallelism);
    for (uint64_t begin = 0; begin < num_samples; begin += chunk) {
      add_task(0, num_widths, begin, std::min(num_samples, begin + chunk));
    }
  } else {
    const uint64_t chunk = ChunkSize(num_widths, executor.chunk(), parallelism);
    for (uint64_t begin = 0; begin < num_widths; begin += chunk) {
      add_task(begin, std::min(num_widths, begin + chunk), 0, num_samples);
    }
  }
  return tasks;
}

}  // namespace parsweep
