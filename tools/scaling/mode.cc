#include "tools/scaling/mode.h"

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "runtime/base/atomic_file.h"
#include "runtime/base/status_macros.h"
#include "tools/charts.h"
#include "tools/scaling/baseline.h"
#include "tools/scaling/json.h"
#include "tools/scaling/plots.h"
#include "tools/scaling/report.h"
#include "tools/scaling/study.h"

namespace parsweep {
namespace {

absl::Status Annotate(absl::string_view flag, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(flag, ": ", status.message()));
}

}  // namespace

absl::StatusOr<ToolOutput> RunScalingMode(const SweepSpec& spec, const ScalingOptions& options,
                                          int repeat, const std::string& start_method,
                                          const std::string& plot, const ProgressFn& progress,
                                          std::ostream& warnings) {
  // Before the study, so that a typo in a path costs nothing.
  if (!plot.empty()) {
    for (const std::string& path : {plot, TimeChartPath(plot)}) {
      RETURN_IF_ERROR(Annotate("--plot", CheckChartPath(path)));
      RETURN_IF_ERROR(Annotate("--plot", CheckWritableAtomically(path)));
    }
  }
  if (!options.json_path.empty()) {
    RETURN_IF_ERROR(Annotate("--scaling_json", CheckWritableAtomically(options.json_path)));
  }
  std::optional<ScalingStudy> baseline;
  if (!options.baseline_path.empty()) {
    absl::StatusOr<ScalingStudy> read = ReadStudyFile(options.baseline_path);
    if (!read.ok()) return Annotate("--baseline", read.status());
    baseline = *std::move(read);
  }

  ASSIGN_OR_RETURN(ScalingStudy study, RunScalingStudy(spec, options, repeat, start_method,
                                                       progress, baseline ? &*baseline : nullptr));
  const BootstrapOptions bootstrap;
  AnalyzeStudy(bootstrap, study);
  for (const std::string& warning : study.warnings()) {
    warnings << "sweep: warning: " << warning << "\n";
  }

  ToolOutput output;
  output.what = "the scaling study";
  output.text = FormatScalingStudy(study);
  if (baseline) {
    ASSIGN_OR_RETURN(const BaselineDiff diff, CompareWithBaseline(*baseline, study, bootstrap));
    absl::StrAppend(&output.text, "\n", FormatBaselineDiff(diff, options.baseline_path, bootstrap));
  }
  if (!plot.empty()) {
    output.charts.push_back(ChartFile(plot, SpeedupChart(study), "speedup chart"));
    output.charts.push_back(ChartFile(TimeChartPath(plot), TimeChart(study), "time chart"));
  }
  if (!options.json_path.empty()) output.files.push_back({options.json_path, StudyToJson(study)});
  return output;
}

}  // namespace parsweep
