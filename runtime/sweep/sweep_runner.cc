#include "runtime/sweep/sweep_runner.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "runtime/base/status_macros.h"
#include "runtime/sweep/sweep_workload.h"
#include "runtime/sweep/task_planner.h"

namespace parsweep {
namespace {

// Totals per (point, width) over all samples, point-major, widths in spec order.
class Merger {
 public:
  Merger(const Sweep& sweep, const TaskPlan& plan)
      : plan_(plan),
        num_widths_(sweep.spec().widths_size()),
        counting_(sweep.kernel().accumulator() == AccumulatorKind::kCount),
        counts_(counting_ ? sweep.points().rows() * num_widths_ : 0, 0),
        sums_(counting_ ? 0 : sweep.points().rows() * num_widths_, 0.0),
        received_(plan.size(), false) {}

  // Merger::Add merges the result of task `index` (as the pool delivered it).
  absl::Status Add(uint64_t index, const TaskResult& result) {
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
    const size_t widths = task.width_indices_size();
    const size_t expected = (task.point_end() - task.point_begin()) * widths;
    const Partial& partial = result.partial();
    const size_t got = counting_ ? partial.counts_size() : partial.sums_size();
    const size_t other = counting_ ? partial.sums_size() : partial.counts_size();
    if (got != expected || other != 0) {
      return absl::InternalError(absl::StrCat("task ", index, " returned ", got, " ",
                                              counting_ ? "counts" : "sums", " (and ", other,
                                              " of the other kind); expected ", expected));
    }
    received_[index] = true;
    ++num_received_;
    if (counting_) {
      Apply(task, partial);  // Integer sums: any order gives the same bits.
      return absl::OkStatus();
    }
    // Floating-point sums merge in task order, whatever order tasks finish in, so that the
    // same plan gives the same bits on every run and every executor. Results that arrive
    // early wait here (at most the tasks in flight, in practice).
    waiting_.emplace(index, partial);
    for (auto it = waiting_.find(next_to_merge_); it != waiting_.end();
         it = waiting_.find(next_to_merge_)) {
      Apply(plan_.task(next_to_merge_), it->second);
      waiting_.erase(it);
      ++next_to_merge_;
    }
    return absl::OkStatus();
  }

  // Merger::Apply adds one task's partial into the totals.
  void Apply(const Task& task, const Partial& partial) {
    const size_t widths = task.width_indices_size();
    for (size_t p = 0; p < task.point_end() - task.point_begin(); ++p) {
      const size_t point = task.point_begin() + p;
      for (size_t w = 0; w < widths; ++w) {
        const size_t slot = point * num_widths_ + task.width_indices(w);
        if (counting_) {
          counts_[slot] += partial.counts(p * widths + w);
        } else {
          sums_[slot] += partial.sums(p * widths + w);
        }
      }
    }
  }

  absl::Status CheckComplete() const {
    if (num_received_ == plan_.size()) return absl::OkStatus();
    return absl::InternalError(absl::StrCat("executor finished with ", num_received_, " of ",
                                            plan_.size(), " task results"));
  }

  bool counting() const { return counting_; }
  double total(size_t point, size_t width) const {
    const size_t slot = point * num_widths_ + width;
    return counting_ ? static_cast<double>(counts_[slot]) : sums_[slot];
  }

 private:
  const TaskPlan& plan_;
  size_t num_widths_;
  bool counting_;
  std::vector<uint64_t> counts_;
  std::vector<double> sums_;
  std::vector<bool> received_;
  size_t num_received_ = 0;
  absl::flat_hash_map<uint64_t, Partial> waiting_;  // Sums that arrived before their turn.
  uint64_t next_to_merge_ = 0;
};

void FillResults(const Sweep& sweep, const Merger& merger, Report& report) {
  const SweepSpec& spec = sweep.spec();
  const Kernel& kernel = sweep.kernel();
  const uint64_t n = sweep.samples();
  const size_t d = sweep.dims();
  const std::optional<Gaussian>& source = sweep.data().source;

  std::vector<size_t> by_width(spec.widths_size());
  std::iota(by_width.begin(), by_width.end(), 0);
  std::stable_sort(by_width.begin(), by_width.end(),
                   [&](size_t a, size_t b) { return spec.widths(a) < spec.widths(b); });

  for (size_t p = 0; p < sweep.points().rows(); ++p) {
    const absl::Span<const double> point = sweep.points().row(p);
    const double true_density = source ? source->Density(point) : 0.0;  // Used if source.
    const WidthResult* closest = nullptr;
    for (size_t w : by_width) {
      const double h = spec.widths(w);
      const double total = merger.total(p, w);
      WidthResult& result = *report.add_results();
      result.set_point_index(p);
      result.set_width(h);
      result.set_density(kernel.Density(total, n, d, h));
      if (merger.counting()) {
        result.set_count(total);
        result.set_tutorial_density(total / (static_cast<double>(n) * h));
      } else {
        result.set_sum(total);
      }
      if (source) {
        if (std::optional<double> expected = kernel.ExpectedDensity(*source, point, h)) {
          result.set_expected_density(*expected);
        }
        result.set_true_density(true_density);
        const double error = std::abs(result.density() - true_density);
        if (std::isfinite(error) &&
            (closest == nullptr || error < std::abs(closest->density() - true_density))) {
          closest = &result;
        }
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

}  // namespace

absl::StatusOr<Report> RunSweepOnPool(const Sweep& sweep, Pool& pool,
                                      const ProgressFn& progress) {
  const absl::Time start = absl::Now();
  const TaskPlan plan(sweep, pool.parallelism());
  Merger merger(sweep, plan);
  Pool::Stream results = pool.Unordered(
      plan.size(), [&plan](uint64_t i) { return plan.task(i).SerializeAsString(); });
  uint64_t done = 0;
  while (true) {
    ASSIGN_OR_RETURN(std::optional<Pool::Completed> completed, results.Next());
    if (!completed) break;
    TaskResult result;
    if (!result.ParseFromString(completed->response)) {
      return absl::DataLossError(
          absl::StrCat("cannot parse the result of task ", completed->index));
    }
    RETURN_IF_ERROR(merger.Add(completed->index, result));
    if (progress) progress(++done, plan.size());
  }
  RETURN_IF_ERROR(merger.CheckComplete());

  Report report;
  *report.mutable_spec() = sweep.spec();
  report.set_samples(sweep.samples());
  report.set_dims(sweep.dims());
  report.set_tasks(plan.size());
  FillResults(sweep, merger, report);
  report.set_wall_seconds(absl::ToDoubleSeconds(absl::Now() - start));
  return report;
}

absl::StatusOr<Report> RunSweep(const Sweep& sweep, Executor& executor,
                                const PoolOptions& options, const ProgressFn& progress) {
  const SweepWorkload workload(sweep);
  ASSIGN_OR_RETURN(std::unique_ptr<Pool> pool, Pool::Create(executor, workload, options));
  return RunSweepOnPool(sweep, *pool, progress);
}

}  // namespace parsweep
