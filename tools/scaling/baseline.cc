#include "tools/scaling/baseline.h"

#include <map>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "runtime/base/status_macros.h"
#include "tools/scaling/report.h"

namespace parsweep {
namespace {

using Key = std::tuple<std::string, uint32_t, uint64_t>;

Key KeyOf(const ScalingCell& cell) { return {cell.executor(), cell.workers(), cell.size()}; }

// The cells that have runs, by key.
std::map<Key, const ScalingCell*> CellsByKey(const ScalingStudy& study) {
  std::map<Key, const ScalingCell*> cells;
  for (const ScalingCell& cell : study.cells()) {
    if (!cell.seconds().empty()) cells[KeyOf(cell)] = &cell;
  }
  return cells;
}

CellKey ToCellKey(const ScalingCell& cell) {
  return {cell.executor(), cell.workers(), cell.size()};
}

std::string Describe(const CellKey& key) {
  return absl::StrCat(key.executor, ", ", key.workers,
                      key.workers == 1 ? " worker, " : " workers, ", FormatSize(key.size),
                      " samples");
}

std::vector<double> Runs(const ScalingCell& cell) {
  return std::vector<double>(cell.seconds().begin(), cell.seconds().end());
}

const char* VerdictText(Change verdict) {
  switch (verdict) {
    case Change::kSlower:
      return "SLOWER (the interval excludes 1)";
    case Change::kFaster:
      return "faster (the interval excludes 1)";
    case Change::kNoSignificantChange:
      break;
  }
  return "no significant change";
}

}  // namespace

absl::Status CheckSameWorkload(const ScalingStudy& baseline, const std::string& workload) {
  if (baseline.workload() == workload) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "--baseline timed another workload, so its times cannot be compared: the baseline ran ",
      baseline.workload(), "; this study runs ", workload));
}

absl::StatusOr<BaselineDiff> CompareWithBaseline(const ScalingStudy& baseline,
                                                 const ScalingStudy& study,
                                                 const BootstrapOptions& bootstrap) {
  RETURN_IF_ERROR(CheckSameWorkload(baseline, study.workload()));
  const std::map<Key, const ScalingCell*> before = CellsByKey(baseline);
  const std::map<Key, const ScalingCell*> now = CellsByKey(study);
  BaselineDiff diff;
  for (const ScalingCell& cell : study.cells()) {
    const auto old = before.find(KeyOf(cell));
    if (cell.seconds().empty()) continue;
    if (old == before.end()) {
      diff.only_in_study.push_back(ToCellKey(cell));
      continue;
    }
    CellChange change;
    change.cell = ToCellKey(cell);
    change.baseline_median = Median(Runs(*old->second));
    change.median = Median(Runs(cell));
    change.ratio = RatioOfMedians(Runs(cell), Runs(*old->second), bootstrap);
    change.verdict = Verdict(change.ratio);
    diff.changes.push_back(change);
  }
  for (const ScalingCell& cell : baseline.cells()) {
    if (!cell.seconds().empty() && now.count(KeyOf(cell)) == 0) {
      diff.only_in_baseline.push_back(ToCellKey(cell));
    }
  }
  return diff;
}

std::string FormatBaselineDiff(const BaselineDiff& diff, const std::string& path,
                               const BootstrapOptions& bootstrap) {
  std::string out = absl::StrFormat(
      "Against the baseline %s: ratio = this study's median / the baseline's, with its %g%% "
      "bootstrap percentile interval\n(each side's runs resampled with replacement, %d "
      "resamples, seed %d).\n",
      path, 100 * bootstrap.confidence, bootstrap.resamples, bootstrap.seed);
  absl::StrAppendFormat(&out, "%-16s %7s %12s %14s %12s  %-22s %s\n", "executor", "workers",
                        "samples", "baseline (ms)", "now (ms)", "ratio [interval]", "verdict");
  int slower = 0, faster = 0;
  for (const CellChange& change : diff.changes) {
    IntervalEstimate ratio;
    ratio.set_value(change.ratio.value);
    ratio.set_lo(change.ratio.lo);
    ratio.set_hi(change.ratio.hi);
    absl::StrAppendFormat(&out, "%-16s %7d %12s %14.3f %12.3f  %-22s %s\n", change.cell.executor,
                          change.cell.workers, FormatSize(change.cell.size),
                          change.baseline_median * 1e3, change.median * 1e3, FormatInterval(ratio),
                          VerdictText(change.verdict));
    slower += change.verdict == Change::kSlower;
    faster += change.verdict == Change::kFaster;
  }
  absl::StrAppendFormat(&out,
                        "%d of %d cells slower (regressions), %d faster, %d no significant "
                        "change.\n",
                        slower, diff.changes.size(), faster, diff.changes.size() - slower - faster);
  for (const CellKey& key : diff.only_in_baseline) {
    absl::StrAppend(&out, "only in the baseline: ", Describe(key), "\n");
  }
  for (const CellKey& key : diff.only_in_study) {
    absl::StrAppend(&out, "only in this study: ", Describe(key), "\n");
  }
  return out;
}

}  // namespace parsweep
