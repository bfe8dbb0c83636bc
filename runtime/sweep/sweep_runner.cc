#include "runtime/sweep/sweep_runner.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <numeric>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "runtime/base/status_macros.h"
#include "runtime/sweep/partial_merger.h"
#include "runtime/sweep/sweep_workload.h"
#include "runtime/sweep/task_planner.h"

namespace parsweep {
namespace {

// ResultOrder is the sweep's widths' indices by increasing width (ties in spec order): the
// order of a point's results in the report.
std::vector<size_t> ResultOrder(const SweepSpec& spec) {
  std::vector<size_t> by_width(spec.widths_size());
  std::iota(by_width.begin(), by_width.end(), 0);
  if (!std::is_sorted(spec.widths().begin(), spec.widths().end())) {
    std::stable_sort(by_width.begin(), by_width.end(),
                     [&](size_t a, size_t b) { return spec.widths(a) < spec.widths(b); });
  }
  return by_width;
}

// StartReport empties `report` for `sweep`, keeping its messages' memory for reuse (what
// protobuf's Clear() keeps), adds a cleared result per (point, width) in report order, and
// returns where each estimate goes: slots[point * widths + width], width in spec order.
std::vector<WidthResult*> StartReport(const Sweep& sweep, const std::vector<size_t>& by_width,
                                      Report& report) {
  // The spec is kept aside so that copying it again reuses its memory too.
  std::unique_ptr<SweepSpec> spec(report.release_spec());
  report.Clear();
  if (spec == nullptr) spec = std::make_unique<SweepSpec>();
  *spec = sweep.spec();
  report.set_allocated_spec(spec.release());

  const size_t num_widths = by_width.size();
  const size_t num_results = sweep.points().rows() * num_widths;
  std::vector<WidthResult*> slots(num_results);
  report.mutable_results()->Reserve(static_cast<int>(num_results));
  for (size_t p = 0; p < sweep.points().rows(); ++p) {
    for (size_t w : by_width) slots[p * num_widths + w] = report.add_results();
  }
  return slots;
}

// FinishResults adds to the report's estimates the expected and true densities where the
// data's source is known, and for each point the width closest to the truth.
void FinishResults(const Sweep& sweep, const std::vector<size_t>& by_width, Report& report) {
  const Sweep::References& references = sweep.references();
  if (references.truth.empty()) return;  // The data's source is not known.
  const size_t num_widths = by_width.size();
  for (size_t p = 0; p < sweep.points().rows(); ++p) {
    const double true_density = references.truth[p];
    const WidthResult* closest = nullptr;
    for (size_t k = 0; k < num_widths; ++k) {
      WidthResult& result = *report.mutable_results(static_cast<int>(p * num_widths + k));
      if (const std::optional<double>& expected =
              references.expected[p * num_widths + by_width[k]]) {
        result.set_expected_density(*expected);
      }
      result.set_true_density(true_density);
      const double error = std::abs(result.density() - true_density);
      if (std::isfinite(error) &&
          (closest == nullptr || error < std::abs(closest->density() - true_density))) {
        closest = &result;
      }
    }
    if (closest != nullptr) {
      Selection& selection = *report.add_selections();
      selection.set_point_index(p);
      selection.set_method("closest_to_true");
      selection.set_width(closest->width());
    }
  }
}

// The pool to run tasks on, made when first needed.
using PoolFn = std::function<absl::StatusOr<Pool*>()>;

// CheckpointError is `status`, about the results `checkpoint` held, with its path.
absl::Status CheckpointError(const SweepCheckpoint& checkpoint, const absl::Status& status) {
  return absl::Status(status.code(),
                      absl::StrCat("--checkpoint=", checkpoint.path(), ": ", status.message()));
}

// RunPlan runs the tasks of `plan` that `checkpoint` (if any) does not hold on the pool that
// `get_pool` gives (asked only if some task is left), merges them with those it holds, and
// reports in `report`.
absl::Status RunPlan(const Sweep& sweep, const TaskPlan& plan, const PoolFn& get_pool,
                     const ProgressFn& progress, SweepCheckpoint* checkpoint, Report& report) {
  const absl::Time start = absl::Now();
  const std::vector<size_t> by_width = ResultOrder(sweep.spec());
  const std::vector<WidthResult*> slots = StartReport(sweep, by_width, report);
  PartialMerger merger(sweep, plan, slots);
  uint64_t done = 0;
  std::vector<uint64_t> missing;  // With a checkpoint: the tasks to run, by request index.
  if (checkpoint != nullptr) {
    ASSIGN_OR_RETURN(std::vector<TaskResult> finished, checkpoint->Resume(sweep, plan));
    std::vector<bool> have(plan.size(), false);
    for (const TaskResult& result : finished) {
      // The record's checksum held; a partial that does not fit its task came from another
      // build of the kernel, and is refused here.
      const absl::Status merged = merger.Add(result.task_index(), result);
      if (!merged.ok()) return CheckpointError(*checkpoint, merged);
      have[result.task_index()] = true;
      if (progress) progress(++done, plan.size());
    }
    for (uint64_t i = 0; i < plan.size(); ++i) {
      if (!have[i]) missing.push_back(i);
    }
  }
  const auto task_of = [&](uint64_t request) {
    return checkpoint != nullptr ? missing[request] : request;
  };
  const uint64_t to_run = checkpoint != nullptr ? missing.size() : plan.size();
  if (to_run > 0) {
    ASSIGN_OR_RETURN(Pool * pool, get_pool());
    Pool::Stream results = pool->Unordered(
        to_run, [&](uint64_t request) { return plan.task(task_of(request)).SerializeAsString(); });
    while (true) {
      ASSIGN_OR_RETURN(std::optional<Pool::Completed> completed, results.Next());
      if (!completed) break;
      const uint64_t index = task_of(completed->index);
      TaskResult result;
      if (!result.ParseFromString(completed->response)) {
        return absl::DataLossError(absl::StrCat("cannot parse the result of task ", index));
      }
      RETURN_IF_ERROR(merger.Add(index, result));
      if (checkpoint != nullptr) {
        checkpoint->Append(result);
        // Written before waiting for more: one write for results that came together.
        if (results.Arrived() == 0) RETURN_IF_ERROR(checkpoint->Flush());
      }
      if (progress) progress(++done, plan.size());
    }
  }
  if (checkpoint != nullptr) RETURN_IF_ERROR(checkpoint->Sync());
  RETURN_IF_ERROR(merger.Finish());

  report.set_samples(sweep.samples());
  report.set_dims(sweep.dims());
  report.set_tasks(plan.size());
  *report.mutable_plan() = plan.Summary();
  FinishResults(sweep, by_width, report);
  report.set_wall_seconds(absl::ToDoubleSeconds(absl::Now() - start));
  return absl::OkStatus();
}

}  // namespace

absl::Status RunSweepOnPool(const Sweep& sweep, Pool& pool, Report& report,
                            const ProgressFn& progress, SweepCheckpoint* checkpoint) {
  return RunPlan(
      sweep, TaskPlan(sweep, pool.parallelism()),
      [&pool]() -> absl::StatusOr<Pool*> { return &pool; }, progress, checkpoint, report);
}

absl::StatusOr<Report> RunSweepOnPool(const Sweep& sweep, Pool& pool, const ProgressFn& progress,
                                      SweepCheckpoint* checkpoint) {
  Report report;
  RETURN_IF_ERROR(RunSweepOnPool(sweep, pool, report, progress, checkpoint));
  return report;
}

absl::StatusOr<Report> RunSweep(const Sweep& sweep, Executor& executor, const PoolOptions& options,
                                const ProgressFn& progress, SweepCheckpoint* checkpoint) {
  const SweepWorkload workload(sweep);
  std::unique_ptr<Pool> pool;
  const PoolFn get_pool = [&]() -> absl::StatusOr<Pool*> {
    if (pool == nullptr) {
      ASSIGN_OR_RETURN(pool, Pool::Create(executor, workload, options));
    }
    return pool.get();
  };
  // Without a checkpoint every task runs: start the workers before the clock, as always.
  if (checkpoint == nullptr) RETURN_IF_ERROR(get_pool().status());
  // The pool plans with the executor's parallelism too (Pool::parallelism).
  Report report;
  RETURN_IF_ERROR(RunPlan(sweep, TaskPlan(sweep, executor.parallelism()), get_pool, progress,
                          checkpoint, report));
  return report;
}

}  // namespace parsweep
