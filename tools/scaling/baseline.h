// Comparing a scaling study with a baseline (an earlier study's JSON, `--baseline=FILE`):
// for every cell (executor, workers, size) in both, the ratio of medians, this study's over
// the baseline's, with its bootstrap percentile interval (each side's runs resampled with
// replacement), and a verdict: slower or faster when the interval excludes 1, otherwise no
// significant change. Cells in only one of the two are listed, not compared.
//
// Example:
//   ASSIGN_OR_RETURN(ScalingStudy baseline, ReadStudyFile(path));
//   ASSIGN_OR_RETURN(BaselineDiff diff, CompareWithBaseline(baseline, study, BootstrapOptions()));
//   std::cout << FormatBaselineDiff(diff, path);
#ifndef PARSWEEP_TOOLS_SCALING_BASELINE_H_
#define PARSWEEP_TOOLS_SCALING_BASELINE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/scaling/stats.h"
#include "tools/scaling/study.pb.h"

namespace parsweep {

// CellKey names a cell: "threads, 2 workers, 10,000 samples".
struct CellKey {
  std::string executor;
  uint32_t workers = 0;
  uint64_t size = 0;
};

struct CellChange {
  CellKey cell;
  double baseline_median = 0;  // Seconds.
  double median = 0;           // Seconds.
  BootstrapEstimate ratio;     // median / baseline_median.
  Change verdict = Change::kNoSignificantChange;
};

struct BaselineDiff {
  std::vector<CellChange> changes;  // In the study's cell order.
  std::vector<CellKey> only_in_baseline, only_in_study;
};

// CheckSameWorkload: OK when `baseline` timed `workload` (ScalingStudy.workload), else
// InvalidArgument naming --baseline and both workloads: times of different work cannot be
// compared.
absl::Status CheckSameWorkload(const ScalingStudy& baseline, const std::string& workload);

// CompareWithBaseline compares every cell of `study` with the same cell of `baseline`. A
// cell with no runs on either side counts as missing there. Errors as CheckSameWorkload's.
absl::StatusOr<BaselineDiff> CompareWithBaseline(const ScalingStudy& baseline,
                                                 const ScalingStudy& study,
                                                 const BootstrapOptions& bootstrap);

// FormatBaselineDiff: one row per compared cell with its verdict, a count of the
// regressions, and the cells missing from either side; `path` names the baseline.
std::string FormatBaselineDiff(const BaselineDiff& diff, const std::string& path,
                               const BootstrapOptions& bootstrap);

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_SCALING_BASELINE_H_
