#include "tools/sweep_plots.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// A report of the Gaussian kernel's sweep at one point: densities, expected and true.
Report GaussianReport() {
  Report report;
  report.mutable_spec()->mutable_kernel()->set_name("parzen_gaussian");
  report.set_samples(10000);
  report.set_dims(2);
  for (double h : {0.5, 1.0}) {
    report.mutable_spec()->add_widths(h);
    WidthResult& r = *report.add_results();
    r.set_width(h);
    r.set_density(0.1 / h);
    r.set_expected_density(0.11 / h);
    r.set_true_density(0.159);
  }
  return report;
}

std::vector<std::string> SeriesNames(const LineChart& chart) {
  std::vector<std::string> names;
  for (const Series& s : chart.series) names.push_back(s.name);
  return names;
}

// The density chart's words hold for any kernel: its legend once called the Gaussian's
// estimate "k / (n h^d)", a count in a window of side h.
TEST(DensityChartTest, ItsWordsHoldForTheGaussianKernel) {
  const LineChart chart = DensityChart(GaussianReport(), 0);
  EXPECT_THAT(SeriesNames(chart),
              ElementsAre("estimate", "expected (estimator's mean)", "true density"));
  EXPECT_EQ(chart.x_title, "width h");
  EXPECT_EQ(chart.title,
            "Density estimate against width (parzen_gaussian, 2 widths x 10,000 samples, 2-D)");
  const std::string svg = RenderSvg(chart);
  for (const char* word : {"k / (n", "window", "count", "inside"}) {
    EXPECT_THAT(svg, Not(HasSubstr(word)));
  }
}

// A kernel's own name for its widths (knn's k) is the x axis's and the title's.
TEST(DensityChartTest, NamesTheWidthsAsTheKernelDoes) {
  const LineChart chart = DensityChart(GaussianReport(), 0, {"k", "neighbours", true});
  EXPECT_EQ(chart.x_title, "neighbours k");
  EXPECT_THAT(chart.title, testing::StartsWith("Density estimate against neighbours ("));
}

TEST(ComparisonChartTest, ItsTitleNamesNoKindOfWindow) {
  Comparison comparison;
  comparison.serial_report = GaussianReport();
  comparison.repeat = 1;
  ExecutorTiming serial;
  serial.choice.label = "serial";
  serial.workers = 1;
  serial.seconds = {0.02};
  comparison.timings.push_back(serial);
  const BarChart chart = ComparisonChart(comparison);
  EXPECT_EQ(chart.title, "Serial vs. parallel: density sweep");
  EXPECT_THAT(chart.axis_title, HasSubstr("parzen_gaussian"));
}

}  // namespace
}  // namespace parsweep
