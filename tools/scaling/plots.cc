#include "tools/scaling/plots.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "tools/scaling/report.h"
#include "tools/sweep_plots.h"

namespace parsweep {
namespace {

uint64_t LargestSize(const ScalingStudy& study) {
  uint64_t largest = 0;
  for (const ScalingCell& cell : study.cells()) largest = std::max(largest, cell.size());
  return largest;
}

// A series per executor, in the order the study names them (serial first when it counts).
std::map<std::string, Series> SeriesByExecutor(const ScalingStudy& study, bool with_serial) {
  std::map<std::string, Series> series;
  if (with_serial) series["serial"].name = "serial";
  for (const std::string& executor : study.executors()) series[executor].name = executor;
  return series;
}

std::vector<Series> InStudyOrder(const ScalingStudy& study, std::map<std::string, Series> series) {
  std::vector<Series> ordered;
  std::vector<std::string> names = {"serial"};
  names.insert(names.end(), study.executors().begin(), study.executors().end());
  for (const std::string& name : names) {
    const auto it = series.find(name);
    if (it != series.end() && !it->second.x.empty()) ordered.push_back(std::move(it->second));
  }
  return ordered;
}

}  // namespace

LineChart SpeedupChart(const ScalingStudy& study) {
  const uint64_t size = LargestSize(study);
  LineChart chart;
  chart.title = absl::StrCat("Speedup over serial, ", FormatSize(size), " samples");
  chart.x_title = "workers";
  chart.y_title = "speedup (serial median / median)";
  std::map<std::string, Series> series = SeriesByExecutor(study, false);
  uint32_t fewest = UINT32_MAX, most = 0;
  for (const ScalingCell& cell : study.cells()) {
    const auto it = series.find(cell.executor());
    if (cell.size() != size || it == series.end() || !cell.has_speedup()) continue;
    it->second.x.push_back(cell.workers());
    it->second.y.push_back(cell.speedup().value());
    fewest = std::min(fewest, cell.workers());
    most = std::max(most, cell.workers());
  }
  chart.series = InStudyOrder(study, std::move(series));
  if (most > 0) {
    chart.series.push_back(Series{"ideal (speedup = workers)",
                                  {double(fewest), double(most)},
                                  {double(fewest), double(most)},
                                  SeriesStyle::kDashedLine});
  }
  return chart;
}

LineChart TimeChart(const ScalingStudy& study) {
  LineChart chart;
  chart.title = "Median wall time against samples";
  chart.x_title = "samples n (log10)";
  chart.y_title = "median wall time in ms (log10)";
  std::map<std::string, uint32_t> most_workers;
  for (const ScalingCell& cell : study.cells()) {
    most_workers[cell.executor()] = std::max(most_workers[cell.executor()], cell.workers());
  }
  std::map<std::string, Series> series = SeriesByExecutor(study, true);
  for (auto& [name, s] : series) {
    if (name != "serial") s.name = absl::StrCat(name, ":", most_workers[name]);
  }
  for (const ScalingCell& cell : study.cells()) {
    const auto it = series.find(cell.executor());
    if (it == series.end() || cell.workers() != most_workers[cell.executor()] ||
        !(cell.median_seconds() > 0)) {
      continue;
    }
    it->second.x.push_back(std::log10(static_cast<double>(cell.size())));
    it->second.y.push_back(std::log10(cell.median_seconds() * 1e3));
  }
  chart.series = InStudyOrder(study, std::move(series));
  return chart;
}

std::string TimeChartPath(const std::string& path) { return SiblingChartPath(path, "_time"); }

}  // namespace parsweep
