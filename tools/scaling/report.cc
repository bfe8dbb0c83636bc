#include "tools/scaling/report.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/charts.h"

namespace parsweep {
namespace {

std::string ConfidenceText(const ScalingStudy& study) {
  return absl::StrFormat("%g%%", 100 * study.bootstrap().confidence());
}

std::string CellTable(const ScalingStudy& study) {
  std::string out = absl::StrFormat(
      "speedup = serial's median / the cell's median; efficiency = speedup / workers; [lo, hi] "
      "= %s bootstrap percentile interval\n(each cell's runs resampled with replacement, %d "
      "resamples, seed %d); start = starting the workers, not in the runs.\n",
      ConfidenceText(study), study.bootstrap().resamples(), study.bootstrap().seed());
  absl::StrAppendFormat(&out, "%-16s %7s %12s %12s  %-22s %-20s %10s  %s\n", "executor", "workers",
                        "samples", "median (ms)", "speedup [interval]", "efficiency", "start (ms)",
                        "results");
  for (const ScalingCell& cell : study.cells()) {
    absl::StrAppendFormat(&out, "%-16s %7d %12s %12.3f  %-22s %-20s %10.2f  %s\n", cell.executor(),
                          cell.workers(), FormatSize(cell.size()), cell.median_seconds() * 1e3,
                          cell.has_speedup() ? FormatInterval(cell.speedup()) : "-",
                          cell.has_efficiency() ? FormatInterval(cell.efficiency(), true) : "-",
                          cell.startup_seconds() * 1e3, cell.agreement());
  }
  return out;
}

std::string AmdahlTable(const ScalingStudy& study) {
  if (study.amdahl().empty()) {
    return "Amdahl fit: none (it needs a worker count of 2 or more).\n";
  }
  std::string out = absl::StrCat(
      "Amdahl fit T(p) = T1 (f + (1 - f) / p), T1 = serial's median, f by least squares in "
      "[0, 1] over the worker counts;\nmisfit = rms of (T(p) - fit) / fit: start-up and "
      "per-task costs, which the law leaves out, show there. * = clamped to [0, 1].\n");
  absl::StrAppendFormat(&out, "%-16s %12s  %-26s %11s %8s\n", "executor", "samples",
                        "serial fraction f", "max speedup", "misfit");
  for (const AmdahlResult& fit : study.amdahl()) {
    const double f = fit.serial_fraction().value();
    absl::StrAppendFormat(
        &out, "%-16s %12s  %-26s %11s %7.1f%%\n", fit.executor(), FormatSize(fit.size()),
        absl::StrFormat("%.3f [%.3f, %.3f]%s", f, fit.serial_fraction().lo(),
                        fit.serial_fraction().hi(), fit.clamped() ? " *" : ""),
        f > 0 ? absl::StrFormat("%.1fx", 1 / f) : "unbounded", 100 * fit.rms_relative_residual());
  }
  return out;
}

std::string CrossoverTable(const ScalingStudy& study) {
  std::string out =
      "Crossover: the smallest size from which the executor's median beats serial's at every "
      "larger size of the ladder.\n";
  absl::StrAppendFormat(&out, "%-16s %7s  %s\n", "executor", "workers", "crossover (samples)");
  for (const Crossover& crossover : study.crossovers()) {
    absl::StrAppendFormat(&out, "%-16s %7d  %s\n", crossover.executor(), crossover.workers(),
                          crossover.has_size() ? FormatSize(crossover.size()) : "none");
  }
  return out;
}

}  // namespace

std::string FormatSize(uint64_t size) { return GroupThousands(absl::StrCat(size)); }

std::string FormatInterval(const IntervalEstimate& estimate, bool percent) {
  if (percent) {
    return absl::StrFormat("%.0f%% [%.0f%%, %.0f%%]", 100 * estimate.value(), 100 * estimate.lo(),
                           100 * estimate.hi());
  }
  return absl::StrFormat("%.2fx [%.2f, %.2f]", estimate.value(), estimate.lo(), estimate.hi());
}

std::string FormatScalingStudy(const ScalingStudy& study) {
  std::vector<std::string> sizes;
  for (uint64_t size : study.sizes()) sizes.push_back(FormatSize(size));
  bool all_agree = true;
  for (const ScalingCell& cell : study.cells()) all_agree = all_agree && cell.agrees();
  return absl::StrCat(
      "parsweep scaling study: ", study.workload(), "\nsamples ", absl::StrJoin(sizes, ", "),
      "; workers ", absl::StrJoin(study.workers(), ", "), "; executors serial, ",
      absl::StrJoin(study.executors(), ", "), "; ", study.repeat(),
      " timed runs per cell after one warm-up\n\n", study.system(), "\n", CellTable(study), "\n",
      AmdahlTable(study), "\n", CrossoverTable(study), "\n",
      all_agree ? "Every cell gave serial's results.\n"
                : "WARNING: some cells did not give serial's results (see above).\n");
}

}  // namespace parsweep
