#include "tools/scaling/study.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runtime/base/status_macros.h"
#include "runtime/sweep/sweep.h"
#include "tools/compare.h"
#include "tools/scaling/baseline.h"
#include "tools/system_info.h"

namespace parsweep {
namespace {

// What was timed, apart from n: a baseline must match it.
std::string DescribeWorkload(const Sweep& sweep) {
  const SweepSpec& spec = sweep.spec();
  std::string out = absl::StrCat("kernel ", spec.kernel().name());
  for (const auto& [name, value] : std::map<std::string, std::string>(
           spec.kernel().params().begin(), spec.kernel().params().end())) {
    absl::StrAppend(&out, " ", name, "=", value);
  }
  absl::StrAppend(&out, ", ", spec.widths_size(), " widths");
  if (spec.widths_size() > 0) {
    absl::StrAppend(&out, " from ", spec.widths(0), " to ", spec.widths(spec.widths_size() - 1));
  }
  absl::StrAppend(&out, ", ", sweep.points().rows(),
                  sweep.points().rows() == 1 ? " point, " : " points, ", sweep.dims(), "-D, ");
  if (spec.data().has_file()) {
    absl::StrAppend(&out, "the first n rows of ", spec.data().file().path());
  } else {
    const GaussianSource& source = spec.data().gaussian();
    absl::StrAppend(&out, "generated data (mean ", absl::StrJoin(source.mean(), " "), "; cov ",
                    absl::StrJoin(source.covariance(), " "), "; seed ", source.seed(), ")");
  }
  absl::StrAppend(
      &out, ", split by ",
      absl::AsciiStrToLower(absl::StripPrefix(Split_Name(spec.executor().split()), "SPLIT_")));
  if (spec.executor().chunk() != 0) absl::StrAppend(&out, ", chunk ", spec.executor().chunk());
  return out;
}

// The --compare list of one size: serial, then every executor on every worker count.
std::string CompareList(const ScalingOptions& options) {
  std::vector<std::string> entries = {"serial"};
  for (const std::string& executor : options.executors) {
    const std::pair<std::string, std::string> parts =
        absl::StrSplit(executor, absl::MaxSplits(':', 1));
    for (uint32_t workers : options.workers) {
      entries.push_back(parts.second.empty()
                            ? absl::StrCat(parts.first, ":", workers)
                            : absl::StrCat(parts.first, ":", workers, ":", parts.second));
    }
  }
  return absl::StrJoin(entries, ",");
}

// The sweeps of a study, one per size, made when it is its turn (one size's samples in
// memory at a time, besides a file's).
class SizeLadder {
 public:
  static absl::StatusOr<SizeLadder> Create(const SweepSpec& spec, std::vector<uint64_t> sizes) {
    SizeLadder ladder;
    ladder.spec_ = spec;
    uint64_t n = spec.data().gaussian().n();
    if (spec.data().has_file()) {
      // Loaded once, whole: each size borrows its first rows.
      ASSIGN_OR_RETURN(std::unique_ptr<Sweep> full, Sweep::Create(spec));
      ladder.file_ = std::shared_ptr<const Sweep>(std::move(full));
      n = ladder.file_->samples();
    }
    ladder.sizes_ = sizes.empty() ? DefaultSizes(n) : std::move(sizes);
    if (ladder.file_ != nullptr && ladder.sizes_.back() > n) {
      return absl::InvalidArgumentError(
          absl::StrCat("--scaling_sizes: ", ladder.sizes_.back(), " samples is more than the ", n,
                       " rows of --data=", spec.data().file().path()));
    }
    return ladder;
  }

  const std::vector<uint64_t>& sizes() const { return sizes_; }

  absl::StatusOr<std::unique_ptr<Sweep>> SweepOf(uint64_t size) const {
    SweepSpec spec = spec_;
    if (file_ == nullptr) {
      spec.mutable_data()->mutable_gaussian()->set_n(size);
      return Sweep::Create(std::move(spec));
    }
    const Dataset& data = file_->data();
    Dataset prefix;
    prefix.samples = Matrix::Borrow(data.samples.data(), size, data.samples.cols(), file_);
    prefix.largest_magnitude = data.largest_magnitude;  // Of all rows: at least the prefix's.
    return Sweep::FromData(std::move(spec), std::move(prefix));
  }

 private:
  SweepSpec spec_;
  std::shared_ptr<const Sweep> file_;
  std::vector<uint64_t> sizes_;
};

void AddWarnings(const Sweep& sweep, ScalingStudy& study) {
  for (const std::string& warning : sweep.warnings()) {
    if (std::find(study.warnings().begin(), study.warnings().end(), warning) ==
        study.warnings().end()) {
      study.add_warnings(warning);
    }
  }
}

std::vector<double> Runs(const ScalingCell& cell) {
  return std::vector<double>(cell.seconds().begin(), cell.seconds().end());
}

void SetEstimate(const BootstrapEstimate& estimate, IntervalEstimate* out) {
  out->set_value(estimate.value);
  out->set_lo(estimate.lo);
  out->set_hi(estimate.hi);
}

// Amdahl's fit of one executor at one size, from serial's cell and the executor's.
void AddAmdahl(const ScalingCell& serial, const std::vector<const ScalingCell*>& cells,
               const BootstrapOptions& bootstrap, ScalingStudy& study) {
  std::vector<std::vector<double>> groups = {Runs(serial)};
  std::vector<int> workers;
  for (const ScalingCell* cell : cells) {
    groups.push_back(Runs(*cell));
    workers.push_back(static_cast<int>(cell->workers()));
  }
  const auto fit_of = [&workers](const std::vector<double>& medians) {
    return FitAmdahl(medians[0], workers, std::vector<double>(medians.begin() + 1, medians.end()));
  };
  std::vector<double> medians;
  for (const std::vector<double>& group : groups) medians.push_back(Median(group));
  const std::optional<AmdahlFit> fit = fit_of(medians);
  if (!fit) return;
  AmdahlResult& result = *study.add_amdahl();
  result.set_executor(cells.front()->executor());
  result.set_size(serial.size());
  result.set_rms_relative_residual(fit->rms_relative_residual);
  result.set_clamped(fit->clamped);
  SetEstimate(BootstrapOfMedians(
                  groups,
                  [&fit_of](const std::vector<double>& m) {
                    const std::optional<AmdahlFit> f = fit_of(m);
                    return f ? f->serial_fraction : std::numeric_limits<double>::quiet_NaN();
                  },
                  bootstrap),
              result.mutable_serial_fraction());
}

}  // namespace

std::string StudyExecutorName(const ExecutorSpec& spec) {
  const auto method = spec.params().find("start_method");
  if (method == spec.params().end() || method->second.empty() || method->second == "fork") {
    return spec.name();
  }
  return absl::StrCat(spec.name(), ":", method->second);
}

absl::StatusOr<ScalingStudy> RunScalingStudy(const SweepSpec& spec, const ScalingOptions& options,
                                             int repeat, const std::string& start_method,
                                             const ProgressFn& progress,
                                             const ScalingStudy* baseline) {
  ASSIGN_OR_RETURN(const SizeLadder ladder, SizeLadder::Create(spec, options.sizes));
  ASSIGN_OR_RETURN(const std::vector<ExecutorChoice> choices,
                   ParseExecutorList(CompareList(options), spec.executor(), start_method));
  ScalingStudy study;
  study.set_repeat(repeat);
  for (uint64_t size : ladder.sizes()) study.add_sizes(size);
  for (uint32_t workers : options.workers) study.add_workers(workers);
  for (const std::string& executor : options.executors) study.add_executors(executor);
  study.set_system(FormatSystemInfo(ReadSystemInfo()));
  for (uint64_t size : ladder.sizes()) {
    ASSIGN_OR_RETURN(const std::unique_ptr<Sweep> sweep, ladder.SweepOf(size));
    if (study.workload().empty()) {
      study.set_workload(DescribeWorkload(*sweep));  // The same at every size.
      if (baseline != nullptr) RETURN_IF_ERROR(CheckSameWorkload(*baseline, study.workload()));
    }
    AddWarnings(*sweep, study);
    ASSIGN_OR_RETURN(const Comparison comparison,
                     CompareExecutors(*sweep, choices, repeat, progress));
    for (const ExecutorTiming& timing : comparison.timings) {
      ScalingCell& cell = *study.add_cells();
      cell.set_executor(StudyExecutorName(timing.choice.spec));
      cell.set_workers(std::max<uint32_t>(timing.choice.spec.workers(), 1));
      cell.set_size(size);
      for (double seconds : timing.seconds) cell.add_seconds(seconds);
      cell.set_startup_seconds(timing.startup_seconds);
      cell.set_tasks(timing.tasks);
      cell.set_agreement(timing.agreement);
      cell.set_agrees(timing.agrees);
    }
  }
  return study;
}

void AnalyzeStudy(const BootstrapOptions& bootstrap, ScalingStudy& study) {
  study.mutable_bootstrap()->set_resamples(bootstrap.resamples);
  study.mutable_bootstrap()->set_confidence(bootstrap.confidence);
  study.mutable_bootstrap()->set_seed(bootstrap.seed);
  study.clear_amdahl();
  study.clear_crossovers();
  std::map<uint64_t, const ScalingCell*> serial;
  for (const ScalingCell& cell : study.cells()) {
    if (cell.executor() == "serial") serial[cell.size()] = &cell;
  }
  // Cells by executor, then size (ascending), then workers (ascending).
  std::map<std::string, std::map<uint64_t, std::map<uint32_t, const ScalingCell*>>> grid;
  for (ScalingCell& cell : *study.mutable_cells()) {
    cell.set_median_seconds(Median(Runs(cell)));
    cell.clear_speedup();
    cell.clear_efficiency();
    const auto reference = serial.find(cell.size());
    if (reference == serial.end() || cell.seconds().empty()) continue;
    // Serial is the reference, 1 by definition: its runs are not two independent samples.
    const BootstrapEstimate speedup =
        &cell == reference->second
            ? BootstrapEstimate{1, 1, 1}
            : RatioOfMedians(Runs(*reference->second), Runs(cell), bootstrap);
    SetEstimate(speedup, cell.mutable_speedup());
    const double p = std::max<uint32_t>(cell.workers(), 1);
    SetEstimate({speedup.value / p, speedup.lo / p, speedup.hi / p}, cell.mutable_efficiency());
    if (cell.executor() != "serial") grid[cell.executor()][cell.size()][cell.workers()] = &cell;
  }
  for (const std::string& executor : study.executors()) {
    const auto found = grid.find(executor);
    if (found == grid.end()) continue;
    const auto& by_size = found->second;
    std::map<uint32_t, std::pair<std::vector<double>, std::vector<double>>> medians_by_workers;
    for (const auto& [size, by_workers] : by_size) {
      std::vector<const ScalingCell*> cells;
      for (const auto& [workers, cell] : by_workers) {
        cells.push_back(cell);
        medians_by_workers[workers].first.push_back(cell->median_seconds());
        medians_by_workers[workers].second.push_back(serial.at(size)->median_seconds());
      }
      AddAmdahl(*serial.at(size), cells, bootstrap, study);
    }
    for (const auto& [workers, medians] : medians_by_workers) {
      // The sizes where this cell ran, ascending (the map's order).
      std::vector<uint64_t> sizes;
      for (const auto& [size, by_workers] : by_size) {
        if (by_workers.count(workers) > 0) sizes.push_back(size);
      }
      Crossover& crossover = *study.add_crossovers();
      crossover.set_executor(executor);
      crossover.set_workers(workers);
      const std::optional<size_t> index = CrossoverIndex(medians.first, medians.second);
      if (index) crossover.set_size(sizes[*index]);
    }
  }
}

}  // namespace parsweep
