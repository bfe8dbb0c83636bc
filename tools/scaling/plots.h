// The charts of a scaling study (tools/scaling/study.h), drawn as the tool's other line
// charts (tools/charts.h): speedup over serial against workers at the largest size, with
// the ideal speedup = workers as a dashed line; and median time against size for each
// executor, on log10 axes since the sizes and times span decades.
//
// Example:
//   AnalyzeStudy(BootstrapOptions(), study);
//   RETURN_IF_ERROR(WriteChart(RenderSvg(SpeedupChart(study)), "/tmp/speedup.svg"));
#ifndef PARSWEEP_TOOLS_SCALING_PLOTS_H_
#define PARSWEEP_TOOLS_SCALING_PLOTS_H_

#include <string>

#include "tools/charts.h"
#include "tools/scaling/study.pb.h"

namespace parsweep {

// SpeedupChart: one series per executor, its speedup (serial's median over its median) at
// each worker count, at the study's largest size; and the ideal line from the fewest to the
// most workers.
LineChart SpeedupChart(const ScalingStudy& study);

// TimeChart: log10 of the median time in ms against log10 of the samples: serial, and each
// executor on its largest worker count.
LineChart TimeChart(const ScalingStudy& study);

// TimeChartPath: where the study writes TimeChart beside the speedup chart at `path`:
// "/tmp/study.svg" -> "/tmp/study_time.svg".
std::string TimeChartPath(const std::string& path);

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_SCALING_PLOTS_H_
