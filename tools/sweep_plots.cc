#include "tools/sweep_plots.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace parsweep {
namespace {

// Seconds in the unit that keeps the numbers readable.
struct TimeUnit {
  double scale;
  const char* name;
};

TimeUnit UnitFor(double seconds) {
  if (seconds >= 10) return {1, "s"};
  if (seconds >= 1e-3) return {1e3, "ms"};
  return {1e6, "us"};
}

}  // namespace

std::string WorkloadSummary(const Report& report) {
  return absl::StrCat(report.spec().widths_size(), " widths x ",
                      GroupThousands(absl::StrCat(report.samples())), " samples, ", report.dims(),
                      "-D");
}

BarChart ComparisonChart(const Comparison& comparison) {
  BarChart chart;
  chart.title = "Serial vs. parallel: density sweep";
  if (comparison.timings.empty()) return chart;
  const double serial = comparison.timings.front().median();
  const TimeUnit unit = UnitFor(serial);
  for (const ExecutorTiming& t : comparison.timings) {
    chart.bars.push_back(Bar{t.choice.label, t.median() * unit.scale,
                             absl::StrFormat("%.3g %s", t.median() * unit.scale, unit.name)});
  }
  chart.reference = serial * unit.scale;
  chart.reference_label = absl::StrFormat("serial %.3g %s", serial * unit.scale, unit.name);
  chart.axis_title = absl::StrFormat("wall time (%s), %s, %s, median of %d runs", unit.name,
                                     comparison.serial_report.spec().kernel().name(),
                                     WorkloadSummary(comparison.serial_report), comparison.repeat);
  return chart;
}

LineChart DensityChart(const Report& report, uint32_t point_index, const WidthParameter& width) {
  LineChart chart;
  chart.title = absl::StrCat("Density estimate against ", width.name, " (",
                             report.spec().kernel().name(), ", ", WorkloadSummary(report), ")");
  chart.x_title = absl::StrCat(width.name, " ", width.symbol);
  chart.y_title = "density at the point";
  // Words true of every kernel (the title names it): no count, no window to be inside.
  Series estimate{"estimate", {}, {}, SeriesStyle::kPointsAndLine};
  Series expected{"expected (estimator's mean)", {}, {}, SeriesStyle::kLine};
  Series truth{"true density", {}, {}, SeriesStyle::kDashedLine};
  for (const WidthResult& r : report.results()) {
    if (r.point_index() != point_index) continue;
    estimate.x.push_back(r.width());
    estimate.y.push_back(r.density());
    if (r.has_expected_density()) {
      expected.x.push_back(r.width());
      expected.y.push_back(r.expected_density());
    }
    if (r.has_true_density()) {
      truth.x.push_back(r.width());
      truth.y.push_back(r.true_density());
    }
  }
  chart.series.push_back(std::move(estimate));
  if (!expected.x.empty()) chart.series.push_back(std::move(expected));
  if (!truth.x.empty()) chart.series.push_back(std::move(truth));
  return chart;
}

std::string SiblingChartPath(const std::string& path, absl::string_view suffix) {
  const size_t slash = path.rfind('/');
  const size_t dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) {
    return absl::StrCat(path, suffix);
  }
  return absl::StrCat(path.substr(0, dot), suffix, path.substr(dot));
}

std::string DensityChartPath(const std::string& path) { return SiblingChartPath(path, "_density"); }

}  // namespace parsweep
