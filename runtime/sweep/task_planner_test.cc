#include "runtime/sweep/task_planner.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "proto/sweep.pb.h"
#include "runtime/sweep/sweep.h"

namespace parsweep {
namespace {

std::unique_ptr<Sweep> MakeSweep(uint64_t n, int widths, Split split, uint64_t chunk,
                                 const std::string& algorithm = "fused", int points = 1) {
  SweepSpec spec;
  spec.mutable_kernel()->set_name("parzen_hypercube");
  (*spec.mutable_kernel()->mutable_params())["algorithm"] = algorithm;
  for (int i = 1; i <= widths; ++i) spec.add_widths(0.1 * i);
  GaussianSource& gaussian = *spec.mutable_data()->mutable_gaussian();
  gaussian.set_n(n);
  gaussian.set_seed(5);
  for (double m : {0.0, 0.0}) gaussian.add_mean(m);
  for (double c : {1.0, 0.0, 0.0, 1.0}) gaussian.add_covariance(c);
  for (int p = 0; p < points; ++p) {
    Point& point = *spec.add_points();
    for (double x : {0.01 * p, 0.0}) point.add_coords(x);
  }
  spec.mutable_executor()->set_name("threads");
  spec.mutable_executor()->set_split(split);
  spec.mutable_executor()->set_chunk(chunk);
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  EXPECT_TRUE(sweep.ok()) << sweep.status();
  return sweep.ok() ? *std::move(sweep) : nullptr;
}

// Every (point, width, sample) is in exactly one task.
void ExpectTasksCoverTheSweepOnce(const TaskPlan& plan, uint64_t n, int widths, int points) {
  std::vector<uint64_t> covered(static_cast<size_t>(points * widths), 0);
  for (uint64_t i = 0; i < plan.size(); ++i) {
    const Task task = plan.task(i);
    for (uint32_t p = task.point_begin(); p < task.point_end(); ++p) {
      for (uint32_t w = task.width_begin(); w < task.width_end(); ++w) {
        covered[p * widths + w] += task.sample_end() - task.sample_begin();
      }
    }
  }
  for (size_t cell = 0; cell < covered.size(); ++cell) EXPECT_EQ(covered[cell], n) << cell;
}

void ExpectCut(const TaskPlan& plan, bool by_samples, uint64_t chunk, uint64_t tasks) {
  EXPECT_EQ(plan.by_samples(), by_samples);
  EXPECT_EQ(plan.chunk(), chunk);
  EXPECT_EQ(plan.size(), tasks);
}

// --split and --chunk given keep their meaning: about kTasksPerWorker tasks per worker,
// cut as asked, and the summary says the plan was not chosen.
TEST(TaskPlanTest, AnExplicitSplitIsCutAsBefore) {
  std::unique_ptr<Sweep> sweep = MakeSweep(10'000, 12, SPLIT_WIDTHS, 0);
  ASSERT_NE(sweep, nullptr);
  const TaskPlan widths(*sweep, 2);
  ExpectCut(widths, false, 2, 6);  // ceil(12 / 8) widths a task.
  EXPECT_FALSE(widths.Summary().automatic());
  EXPECT_EQ(widths.Summary().reason(), "");

  sweep = MakeSweep(10'000, 12, SPLIT_SAMPLES, 3000);
  ASSERT_NE(sweep, nullptr);
  const TaskPlan samples(*sweep, 2);
  ExpectCut(samples, true, 3000, 4);
  EXPECT_EQ(samples.Summary().split(), SPLIT_SAMPLES);
}

// A chunk given with auto counts widths, as a chunk given alone always did.
TEST(TaskPlanTest, AChunkWithAutoCountsWidths) {
  std::unique_ptr<Sweep> sweep = MakeSweep(10'000, 12, SPLIT_AUTO, 5);
  ASSERT_NE(sweep, nullptr);
  const TaskPlan plan(*sweep, 2);
  ExpectCut(plan, false, 5, 3);
  EXPECT_FALSE(plan.Summary().automatic());
}

TEST(TaskPlanTest, AutoOnOneWorkerIsOneTask) {
  std::unique_ptr<Sweep> sweep = MakeSweep(10'000, 100, SPLIT_AUTO, 0);
  ASSERT_NE(sweep, nullptr);
  const TaskPlan plan(*sweep, 1);
  EXPECT_EQ(plan.size(), 1u);
  const TaskPlanSummary summary = plan.Summary();
  EXPECT_TRUE(summary.automatic());
  EXPECT_EQ(summary.reason(), "one worker");
  EXPECT_EQ(summary.tasks(), 1u);
  EXPECT_EQ(summary.streamed_bytes(), 10'000 * 2 * 8);
  EXPECT_EQ(summary.result_bytes(), 100 * 8);
}

// The fused kernel's pass reads each sample once for all widths: auto cuts samples, and
// says why against the cut by widths; the naive loop's cut by widths returns less.
TEST(TaskPlanTest, AutoAsksTheKernelHowItsPassReadsTheSamples) {
  std::unique_ptr<Sweep> fused = MakeSweep(200'000, 100, SPLIT_AUTO, 0);
  ASSERT_NE(fused, nullptr);
  const TaskPlan by_samples(*fused, 2);
  // 3.2 MB, a fraction of a ms: two tasks per worker (see plan_cost_model_test).
  ExpectCut(by_samples, true, 50'000, 4);
  const TaskPlanSummary summary = by_samples.Summary();
  EXPECT_TRUE(summary.automatic());
  EXPECT_EQ(summary.split(), SPLIT_SAMPLES);
  EXPECT_EQ(summary.reason(),
            "3.2 MB of samples read, 3.2 kB of results; 4 tasks by widths: 13 MB of samples "
            "read, 800 bytes of results");
  ExpectTasksCoverTheSweepOnce(by_samples, 200'000, 100, 1);

  std::unique_ptr<Sweep> naive = MakeSweep(10'000, 3000, SPLIT_AUTO, 0, "naive");
  ASSERT_NE(naive, nullptr);
  const TaskPlan by_widths(*naive, 2);
  EXPECT_FALSE(by_widths.by_samples());
  EXPECT_GT(by_widths.size(), 1u);
  ExpectTasksCoverTheSweepOnce(by_widths, 10'000, 3000, 1);
}

TEST(TaskPlanTest, AutoWithManyPointsCutsPoints) {
  std::unique_ptr<Sweep> sweep = MakeSweep(20'000, 4, SPLIT_AUTO, 0, "fused", 40);
  ASSERT_NE(sweep, nullptr);
  const TaskPlan plan(*sweep, 2);
  EXPECT_EQ(plan.size(), 8u);
  EXPECT_EQ(plan.points_per_task(), 5u);
  EXPECT_EQ(plan.chunk(), 4u);  // Every width in every task.
  EXPECT_EQ(plan.cells(), 8u);
  EXPECT_EQ(plan.Summary().reason().rfind("40 points: cut by points alone", 0), 0u)
      << plan.Summary().reason();
  ExpectTasksCoverTheSweepOnce(plan, 20'000, 4, 40);
}

}  // namespace
}  // namespace parsweep
