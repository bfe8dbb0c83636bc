// PartialMerger: gathers the partial results of a sweep's tasks as they arrive, in any
// order, merges those of each cell (the tasks over the same points and widths, see
// TaskPlan), and has the kernel turn each complete cell into estimates, written straight
// into the messages it was given (the report's). It never looks inside a partial: parsing,
// merging and estimating are the kernel's (runtime/plugin/kernel.h).
//
// Merge order. A kernel whose partials merge exactly in any order (counts) has them merged
// as they come. Otherwise (floating-point sums) a cell's partials merge in task order, the
// early ones waiting, so that a plan gives the same bits on every run and every executor.
//
// It checks what executors send back: every task's result exactly once, for the task it
// claims to be, with a partial the kernel can parse; anything else is an Internal or
// DataLoss error rather than a wrong number. Not thread-safe.
//
// Example:
//   PartialMerger merger(sweep, plan, slots);
//   RETURN_IF_ERROR(merger.Add(index, result));  // For every task.
//   RETURN_IF_ERROR(merger.Finish());            // Every *slots[i] now holds its estimate.
#ifndef PARSWEEP_RUNTIME_SWEEP_PARTIAL_MERGER_H_
#define PARSWEEP_RUNTIME_SWEEP_PARTIAL_MERGER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "proto/sweep.pb.h"
#include "runtime/plugin/kernel.h"
#include "runtime/sweep/sweep.h"
#include "runtime/sweep/task_planner.h"

namespace parsweep {

class PartialMerger {
 public:
  // `slots` says where each estimate goes: *slots[point * widths + width], width in spec
  // order, each a cleared message. All three must outlive the merger.
  PartialMerger(const Sweep& sweep, const TaskPlan& plan, absl::Span<WidthResult* const> slots);

  // PartialMerger::Add takes the result of task `index` as the executor delivered it.
  absl::Status Add(uint64_t index, const TaskResult& result);

  // PartialMerger::Finish checks that every estimate is in its slot: Internal if some
  // task's result never came.
  absl::Status Finish();

 private:
  // A cell whose tasks have not all been merged.
  struct OpenCell {
    std::unique_ptr<Partial> total;  // Null until the first partial is merged.
    uint64_t merged = 0;
    uint64_t next = 0;  // In-order merging: the next task to merge.
    std::map<uint64_t, std::unique_ptr<Partial>> waiting;  // Arrived before their turn.
  };

  absl::Status MergeInto(OpenCell& cell, uint64_t task_index, std::unique_ptr<Partial> partial);
  absl::Status Close(uint64_t cell_index, const Task& task, const Partial& total);

  const Sweep& sweep_;
  const TaskPlan& plan_;
  const size_t num_widths_;
  std::vector<bool> received_;
  uint64_t num_received_ = 0;
  absl::flat_hash_map<uint64_t, OpenCell> open_;
  const absl::Span<WidthResult* const> slots_;
  std::vector<WidthResult*> cell_slots_;  // Close()'s scratch.
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SWEEP_PARTIAL_MERGER_H_
