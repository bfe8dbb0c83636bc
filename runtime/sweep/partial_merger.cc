#include "runtime/sweep/partial_merger.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "runtime/base/status_macros.h"

namespace parsweep {

PartialMerger::PartialMerger(const Sweep& sweep, const TaskPlan& plan,
                             absl::Span<WidthResult* const> slots)
    : sweep_(sweep),
      plan_(plan),
      num_widths_(sweep.spec().widths_size()),
      received_(plan.size(), false),
      slots_(slots) {}

absl::Status PartialMerger::Add(uint64_t index, const TaskResult& result) {
  if (index >= plan_.size() || result.task_index() != index) {
    return absl::InternalError(absl::StrCat("executor returned a result for task ",
                                            result.task_index(), " as task ", index,
                                            ", which was not submitted"));
  }
  if (received_[index]) {
    return absl::InternalError(
        absl::StrCat("executor returned the result of task ", index, " twice"));
  }
  const Task task = plan_.task(index);
  std::unique_ptr<Partial> partial = sweep_.kernel().NewPartial(
      task.point_end() - task.point_begin(), task.width_end() - task.width_begin());
  if (const absl::Status parsed = partial->Parse(result.partial()); !parsed.ok()) {
    return absl::Status(parsed.code(), absl::StrCat("task ", index, " returned a partial that ",
                                                    "does not fit its task: ", parsed.message()));
  }
  received_[index] = true;
  ++num_received_;

  const uint64_t cell_index = plan_.cell_of(index);
  if (plan_.tasks_in_cell() == 1) return Close(cell_index, task, *partial);  // Complete.
  auto [it, opened] = open_.try_emplace(cell_index);
  OpenCell& cell = it->second;
  if (opened) cell.next = plan_.first_task(cell_index);
  if (sweep_.kernel().MergesInAnyOrder()) {
    RETURN_IF_ERROR(MergeInto(cell, index, std::move(partial)));
  } else {
    // Results that arrive early wait here (at most the tasks in flight, in practice).
    cell.waiting.emplace(index, std::move(partial));
    for (auto next = cell.waiting.find(cell.next); next != cell.waiting.end();
         next = cell.waiting.find(cell.next)) {
      std::unique_ptr<Partial> in_turn = std::move(next->second);
      cell.waiting.erase(next);
      RETURN_IF_ERROR(MergeInto(cell, cell.next++, std::move(in_turn)));
    }
  }
  if (cell.merged == plan_.tasks_in_cell()) {
    const absl::Status closed = Close(cell_index, task, *cell.total);
    open_.erase(it);
    return closed;
  }
  return absl::OkStatus();
}

absl::Status PartialMerger::MergeInto(OpenCell& cell, uint64_t task_index,
                                      std::unique_ptr<Partial> partial) {
  ++cell.merged;
  if (cell.total == nullptr) {
    cell.total = std::move(partial);
    return absl::OkStatus();
  }
  const absl::Status merged = cell.total->Merge(*partial);
  if (merged.ok()) return merged;
  return absl::InternalError(
      absl::StrCat("merging the partial of task ", task_index, ": ", merged.message()));
}

absl::Status PartialMerger::Close(uint64_t cell_index, const Task& task, const Partial& total) {
  // Every task of a cell has the same points and widths.
  const size_t widths = task.width_end() - task.width_begin();
  const size_t points = task.point_end() - task.point_begin();
  const absl::Span<const double> cell_widths =
      absl::MakeConstSpan(sweep_.spec().widths()).subspan(task.width_begin(), widths);
  cell_slots_.resize(points * widths);
  for (size_t p = 0; p < points; ++p) {
    for (size_t w = 0; w < widths; ++w) {
      WidthResult& result =
          *slots_[(task.point_begin() + p) * num_widths_ + task.width_begin() + w];
      result.set_point_index(static_cast<uint32_t>(task.point_begin() + p));
      result.set_width(cell_widths[w]);
      cell_slots_[p * widths + w] = &result;
    }
  }
  const WidthResults cell_results(cell_slots_);
  const absl::Status estimated =
      sweep_.spec().has_held_out()
          ? sweep_.kernel().EstimateHeldOut(total, sweep_.samples(), sweep_.dims(), cell_widths,
                                            cell_results)
          : sweep_.kernel().Estimate(total, sweep_.samples(), sweep_.dims(), cell_widths,
                                     cell_results);
  if (!estimated.ok()) {
    return absl::Status(estimated.code(), absl::StrCat("kernel '", sweep_.spec().kernel().name(),
                                                       "' failed to estimate cell ", cell_index,
                                                       ": ", estimated.message()));
  }
  return absl::OkStatus();
}

absl::Status PartialMerger::Finish() {
  if (num_received_ != plan_.size() || !open_.empty()) {
    return absl::InternalError(absl::StrCat("executor finished with ", num_received_, " of ",
                                            plan_.size(), " task results"));
  }
  return absl::OkStatus();
}

}  // namespace parsweep
