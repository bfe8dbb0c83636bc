#include "runtime/sweep/sweep_runner.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
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

// FillResults puts the estimates in the report by point, then by increasing width, with
// the expected and true densities where the data's source is known.
void FillResults(const Sweep& sweep, std::vector<WidthResult> estimates, Report& report) {
  const SweepSpec& spec = sweep.spec();
  const Kernel& kernel = sweep.kernel();
  const size_t num_widths = spec.widths_size();
  const std::optional<Gaussian>& source = sweep.data().source;

  std::vector<size_t> by_width(num_widths);
  std::iota(by_width.begin(), by_width.end(), 0);
  std::stable_sort(by_width.begin(), by_width.end(),
                   [&](size_t a, size_t b) { return spec.widths(a) < spec.widths(b); });

  for (size_t p = 0; p < sweep.points().rows(); ++p) {
    const absl::Span<const double> point = sweep.points().row(p);
    const double true_density = source ? source->Density(point) : 0.0;  // Used if source.
    const WidthResult* closest = nullptr;
    for (size_t w : by_width) {
      WidthResult& result = *report.add_results();
      result = std::move(estimates[p * num_widths + w]);
      if (source) {
        if (std::optional<double> expected =
                kernel.ExpectedDensity(*source, point, result.width())) {
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

absl::StatusOr<Report> RunSweepOnPool(const Sweep& sweep, Pool& pool, const ProgressFn& progress) {
  const absl::Time start = absl::Now();
  const TaskPlan plan(sweep, pool.parallelism());
  PartialMerger merger(sweep, plan);
  Pool::Stream results =
      pool.Unordered(plan.size(), [&plan](uint64_t i) { return plan.task(i).SerializeAsString(); });
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
  ASSIGN_OR_RETURN(std::vector<WidthResult> estimates, merger.Finish());

  Report report;
  *report.mutable_spec() = sweep.spec();
  report.set_samples(sweep.samples());
  report.set_dims(sweep.dims());
  report.set_tasks(plan.size());
  FillResults(sweep, std::move(estimates), report);
  report.set_wall_seconds(absl::ToDoubleSeconds(absl::Now() - start));
  return report;
}

absl::StatusOr<Report> RunSweep(const Sweep& sweep, Executor& executor, const PoolOptions& options,
                                const ProgressFn& progress) {
  const SweepWorkload workload(sweep);
  ASSIGN_OR_RETURN(std::unique_ptr<Pool> pool, Pool::Create(executor, workload, options));
  return RunSweepOnPool(sweep, *pool, progress);
}

}  // namespace parsweep
