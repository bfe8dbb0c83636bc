// The sweep tool's charts, from its results: the tutorial's bar chart of wall time per
// executor (compare mode), and density against width with the true density. Their words
// hold for any kernel (the titles name the kernel), so a chart of the Gaussian kernel's
// sweep speaks of no count and no window.
//
// Example:
//   RETURN_IF_ERROR(WriteChart(RenderSvg(DensityChart(report, 0)), "/tmp/density.svg"));
#ifndef PARSWEEP_TOOLS_SWEEP_PLOTS_H_
#define PARSWEEP_TOOLS_SWEEP_PLOTS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "proto/sweep.pb.h"
#include "runtime/plugin/width_parameter.h"
#include "tools/charts.h"
#include "tools/compare.h"

namespace parsweep {

// ComparisonChart: one bar per executor, its median time written beside it, a dashed line
// at serial's median, the workload in the axis title.
BarChart ComparisonChart(const Comparison& comparison);

// DensityChart: the estimate at point `point_index` against width, with the estimator's
// expectation and the true density when the data were generated; the title and the x axis
// name the widths as `width` says (Kernel::Width(): "width h", "neighbours k").
LineChart DensityChart(const Report& report, uint32_t point_index,
                       const WidthParameter& width = WidthParameter());

// DensityChartPath: where compare mode writes the density chart beside `path`:
// "/tmp/sweep.svg" -> "/tmp/sweep_density.svg".
std::string DensityChartPath(const std::string& path);

// SiblingChartPath: `path` with `suffix` before its extension, for a chart written beside
// another: ("/tmp/sweep.svg", "_time") -> "/tmp/sweep_time.svg".
std::string SiblingChartPath(const std::string& path, absl::string_view suffix);

// WorkloadSummary: "100 widths x 10,000 samples, 2-D".
std::string WorkloadSummary(const Report& report);

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_SWEEP_PLOTS_H_
