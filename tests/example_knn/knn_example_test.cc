// knn_example, the kernel whose partial is the k nearest distances, on every executor and
// split: the densities equal a brute-force reference (every distance sorted) bit for bit,
// since the partial merges exactly.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/base/math_constants.h"
#include "runtime/plugin/executor.h"
#include "runtime/sweep/sweep.h"
#include "runtime/sweep/sweep_runner.h"

namespace parsweep {
namespace {

SweepSpec KnnSpec(const ExecutorSpec& executor) {
  SweepSpec spec;
  spec.mutable_kernel()->set_name("knn_example");
  for (int k = 1; k <= 20; ++k) spec.add_widths(k);
  GaussianSource& gaussian = *spec.mutable_data()->mutable_gaussian();
  gaussian.set_n(300);
  gaussian.set_seed(11);
  for (double m : {0.0, 0.0}) gaussian.add_mean(m);
  for (double c : {1.0, 0.0, 0.0, 1.0}) gaussian.add_covariance(c);
  GridAxis& axis = *spec.add_grid();  // 3 x 3 points.
  axis.set_lo(-1);
  axis.set_hi(1);
  axis.set_count(3);
  *spec.mutable_executor() = executor;
  return spec;
}

TEST(KnnExampleTest, EveryExecutorAndSplitGivesTheBruteForceDensities) {
  std::vector<ExecutorSpec> executors;
  for (const char* name : {"serial", "threads", "process", "process"}) {
    ExecutorSpec spec;
    spec.set_name(name);
    if (std::string(name) != "serial") spec.set_workers(2);
    executors.push_back(spec);
  }
  (*executors[3].mutable_params())["start_method"] = "spawn";
  for (ExecutorSpec executor_spec : executors) {
    for (const auto& [split, chunk] : std::vector<std::pair<Split, uint64_t>>{
             {SPLIT_WIDTHS, 0}, {SPLIT_WIDTHS, 3}, {SPLIT_SAMPLES, 37}, {SPLIT_SAMPLES, 0}}) {
      executor_spec.set_split(split);
      executor_spec.set_chunk(chunk);
      SCOPED_TRACE(executor_spec.ShortDebugString());
      absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(KnnSpec(executor_spec));
      ASSERT_TRUE(sweep.ok()) << sweep.status();
      absl::StatusOr<std::unique_ptr<Executor>> executor =
          Registry<Executor>::Global().Create(executor_spec);
      ASSERT_TRUE(executor.ok()) << executor.status();
      absl::StatusOr<Report> report = RunSweep(**sweep, **executor);
      ASSERT_TRUE(report.ok()) << report.status();
      ASSERT_EQ(report->results_size(), 9 * 20);
      const Matrix& samples = (*sweep)->data().samples;
      for (const WidthResult& result : report->results()) {
        const absl::Span<const double> x = (*sweep)->points().row(result.point_index());
        std::vector<double> squared;
        for (size_t i = 0; i < samples.rows(); ++i) {
          const double dx = x[0] - samples(i, 0);
          const double dy = x[1] - samples(i, 1);
          squared.push_back(dx * dx + dy * dy);
        }
        std::sort(squared.begin(), squared.end());
        const int k = static_cast<int>(result.width());
        const double want = k / (300.0 * kPi * std::pow(std::sqrt(squared[k - 1]), 2.0));
        EXPECT_EQ(result.density(), want) << "point " << result.point_index() << ", k = " << k;
      }
    }
  }
}

TEST(KnnExampleTest, AWidthThatIsNoKOrAKAboveNIsAnError) {
  ExecutorSpec serial;
  serial.set_name("serial");
  SweepSpec spec = KnnSpec(serial);
  spec.set_widths(0, 1.5);
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  ASSERT_TRUE(sweep.ok());
  std::unique_ptr<Executor> executor = Registry<Executor>::Global().Create(serial).value();
  EXPECT_THAT(RunSweep(**sweep, *executor).status().message(),
              testing::HasSubstr("width 1.5 is not a k"));
  spec = KnnSpec(serial);
  spec.set_widths(0, 301);
  sweep = Sweep::Create(spec);
  ASSERT_TRUE(sweep.ok());
  EXPECT_THAT(RunSweep(**sweep, *executor).status().message(),
              testing::HasSubstr("k = 301 but there are only 300 samples"));
}

}  // namespace
}  // namespace parsweep
