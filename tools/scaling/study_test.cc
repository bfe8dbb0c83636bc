#include "tools/scaling/study.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/scaling/plots.h"
#include "tools/scaling/report.h"
#include "tools/scaling/study_testing.h"
#include "tools/sweep_options.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

// Times that follow Amdahl's law with f = 0.1 at size 1000 (T1 = 1 s), and where threads
// only beat serial from size 100 on; constant runs, so the intervals are points.
ScalingStudy HandMadeStudy() {
  ScalingStudy study;
  study.add_executors("threads");
  for (uint64_t size : {10, 100, 1000}) study.add_sizes(size);
  AddCell(study, "serial", 1, 10, {1e-5, 1e-5});
  AddCell(study, "threads", 1, 10, {2e-5, 2e-5});
  AddCell(study, "threads", 2, 10, {3e-5, 3e-5});
  AddCell(study, "serial", 1, 100, {1e-3, 1e-3});
  AddCell(study, "threads", 1, 100, {0.9e-3, 0.9e-3});
  AddCell(study, "threads", 2, 100, {0.6e-3, 0.6e-3});
  AddCell(study, "serial", 1, 1000, {1, 1, 1});
  AddCell(study, "threads", 1, 1000, {1, 1, 1});
  AddCell(study, "threads", 2, 1000, {0.55, 0.55, 0.55});
  AddCell(study, "threads", 4, 1000, {0.325, 0.325, 0.325});
  return study;
}

TEST(AnalyzeStudyTest, SpeedupEfficiencyAmdahlAndCrossoverOfAKnownStudy) {
  ScalingStudy study = HandMadeStudy();
  AnalyzeStudy(BootstrapOptions(), study);
  const ScalingCell& threads2 = study.cells(8);
  EXPECT_DOUBLE_EQ(threads2.median_seconds(), 0.55);
  EXPECT_DOUBLE_EQ(threads2.speedup().value(), 1 / 0.55);
  EXPECT_DOUBLE_EQ(threads2.speedup().lo(), 1 / 0.55);
  EXPECT_DOUBLE_EQ(threads2.efficiency().value(), 0.5 / 0.55);
  EXPECT_EQ(study.cells(0).speedup().value(), 1);  // Serial, the reference.
  // One fit per size with a cell of 2 or more workers: f = 0.1 exactly at size 1000.
  ASSERT_EQ(study.amdahl_size(), 3);
  EXPECT_EQ(study.amdahl(2).size(), 1000u);
  EXPECT_NEAR(study.amdahl(2).serial_fraction().value(), 0.1, 1e-12);
  EXPECT_NEAR(study.amdahl(2).serial_fraction().lo(), 0.1, 1e-12);
  EXPECT_NEAR(study.amdahl(2).rms_relative_residual(), 0, 1e-12);
  EXPECT_TRUE(study.amdahl(0).clamped());  // Slower than serial at size 10: f = 1.
  // threads:2 beats serial from 100 on; threads:1 only at 100 (a tie at 1000 is no win);
  // threads:4 ran at 1000 only, and wins there.
  ASSERT_EQ(study.crossovers_size(), 3);
  EXPECT_EQ(study.crossovers(0).workers(), 1u);
  EXPECT_FALSE(study.crossovers(0).has_size());
  EXPECT_EQ(study.crossovers(1).size(), 100u);
  EXPECT_EQ(study.crossovers(2).size(), 1000u);
}

TEST(AnalyzeStudyTest, TheReportAndChartsShowWhatTheAnalysisFound) {
  ScalingStudy study = HandMadeStudy();
  study.set_workload("kernel k");
  AnalyzeStudy(BootstrapOptions(), study);
  const std::string text = FormatScalingStudy(study);
  EXPECT_THAT(text,
              HasSubstr("threads                2        1,000      550.000  1.82x [1.82, 1.82]"));
  EXPECT_THAT(text,
              ::testing::ContainsRegex("threads +1,000  0.100 \\[0.100, 0.100\\] +10.0x +0.0%"));
  EXPECT_THAT(text, HasSubstr("threads                2  100\n"));
  EXPECT_THAT(text, HasSubstr("threads                1  none\n"));
  EXPECT_THAT(text, HasSubstr("Every cell gave serial's results."));
  const LineChart speedup = SpeedupChart(study);
  ASSERT_EQ(speedup.series.size(), 2u);  // threads, and the ideal line.
  EXPECT_EQ(speedup.series[0].x, (std::vector<double>{1, 2, 4}));
  EXPECT_EQ(speedup.series[1].y, (std::vector<double>{1, 4}));
  EXPECT_TRUE(Validate(speedup).ok());
  const LineChart time = TimeChart(study);
  ASSERT_EQ(time.series.size(), 2u);
  EXPECT_EQ(time.series[0].name, "serial");
  EXPECT_EQ(time.series[1].name, "threads:4");
  EXPECT_EQ(time.series[0].x, (std::vector<double>{1, 2, 3}));
  EXPECT_TRUE(Validate(time).ok());
}

TEST(RunScalingStudyTest, RunsSerialAndEveryCellAtEverySizeWithSerialsResults) {
  SweepOptions sweep_options;
  sweep_options.widths = "0.5,1";
  absl::StatusOr<SweepSpec> spec = BuildSpec(sweep_options);
  ASSERT_TRUE(spec.ok()) << spec.status();
  ScalingOptions options;
  options.executors = {"threads"};
  options.workers = {1, 2};
  options.sizes = {50, 200};
  absl::StatusOr<ScalingStudy> study = RunScalingStudy(*spec, options, 2, "", nullptr);
  ASSERT_TRUE(study.ok()) << study.status();
  ASSERT_EQ(study->cells_size(), 6);
  const std::vector<std::string> executors = {"serial", "threads", "threads"};
  for (int i = 0; i < 6; ++i) {
    const ScalingCell& cell = study->cells(i);
    EXPECT_EQ(cell.executor(), executors[i % 3]);
    EXPECT_EQ(cell.size(), i < 3 ? 50u : 200u);
    EXPECT_EQ(cell.workers(), i % 3 == 2 ? 2u : 1u);
    EXPECT_EQ(cell.seconds_size(), 2);
    EXPECT_TRUE(cell.agrees()) << cell.agreement();
  }
  EXPECT_THAT(study->workload(), HasSubstr("kernel parzen_hypercube, 2 widths from 0.5 to 1"));
}

TEST(RunScalingStudyTest, DefaultSizesFollowNAndABaselineOfAnotherWorkloadStopsBeforeTiming) {
  SweepOptions sweep_options;
  sweep_options.n = 300;
  absl::StatusOr<SweepSpec> spec = BuildSpec(sweep_options);
  ASSERT_TRUE(spec.ok()) << spec.status();
  ScalingOptions options;
  options.executors = {"threads"};
  options.workers = {2};
  ScalingStudy baseline;
  baseline.set_workload("kernel other");
  const absl::StatusOr<ScalingStudy> refused =
      RunScalingStudy(*spec, options, 2, "", nullptr, &baseline);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("--baseline timed another workload"));
  const absl::StatusOr<ScalingStudy> study = RunScalingStudy(*spec, options, 2, "", nullptr);
  ASSERT_TRUE(study.ok()) << study.status();
  EXPECT_THAT(study->sizes(), ::testing::ElementsAre(3, 30, 300));
}

TEST(RunScalingStudyTest, FileDataIsCutToItsFirstRowsAndASizeBeyondThemIsRefused) {
  SweepOptions sweep_options;
  sweep_options.data = "testdata/iris_petal.npy";
  sweep_options.point = "1,0.2";
  absl::StatusOr<SweepSpec> spec = BuildSpec(sweep_options);
  ASSERT_TRUE(spec.ok()) << spec.status();
  ScalingOptions options;
  options.executors = {"threads"};
  options.workers = {2};
  options.sizes = {10, 150};
  const absl::StatusOr<ScalingStudy> study = RunScalingStudy(*spec, options, 2, "", nullptr);
  ASSERT_TRUE(study.ok()) << study.status();
  EXPECT_EQ(study->cells_size(), 4);
  EXPECT_TRUE(study->cells(1).agrees());
  EXPECT_THAT(study->workload(), HasSubstr("the first n rows of testdata/iris_petal.npy"));
  options.sizes = {10, 151};
  EXPECT_EQ(RunScalingStudy(*spec, options, 2, "", nullptr).status().message(),
            "--scaling_sizes: 151 samples is more than the 150 rows of "
            "--data=testdata/iris_petal.npy");
}

}  // namespace
}  // namespace parsweep
