// PartialMerger: gathers the partial results of a sweep's tasks as they arrive, in any
// order, merges those of each cell (the tasks over the same points and widths, see
// TaskPlan), and has the kernel turn each complete cell into estimates. It never looks
// inside a partial: parsing, merging and estimating are the kernel's (runtime/plugin/kernel.h).
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
//   PartialMerger merger(sweep, plan);
//   RETURN_IF_ERROR(merger.Add(index, result));  // For every task.
//   ASSIGN_OR_RETURN(std::vector<WidthResult> estimates, merger.Finish());
#ifndef PARSWEEP_RUNTIME_SWEEP_PARTIAL_MERGER_H_
#define PARSWEEP_RUNTIME_SWEEP_PARTIAL_MERGER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/sweep.pb.h"
#include "runtime/plugin/kernel.h"
#include "runtime/sweep/sweep.h"
#include "runtime/sweep/task_planner.h"

namespace parsweep {

class PartialMerger {
 public:
  // Both must outlive the merger.
  PartialMerger(const Sweep& sweep, const TaskPlan& plan);

  // PartialMerger::Add takes the result of task `index` as the executor delivered it.
  absl::Status Add(uint64_t index, const TaskResult& result);

  // PartialMerger::Finish returns the estimates, one per (point, width) in spec order:
  // entry [point * widths + width]. Internal if some task's result never came.
  absl::StatusOr<std::vector<WidthResult>> Finish();

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
  std::vector<WidthResult> estimates_;
  std::vector<double> cell_widths_;        // Close()'s scratch.
  std::vector<WidthResult> cell_results_;  // Close()'s scratch.
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SWEEP_PARTIAL_MERGER_H_
