#include "runtime/sweep/plan_cost_model.h"

#include <cstdint>

#include "gtest/gtest.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace {

// The hypercube's fused pass (what its Cost() says): a count per result, nothing per
// evaluation beyond reading the sample.
KernelCost FusedCount() {
  KernelCost cost;
  cost.evaluation_bytes = 0;
  return cost;
}

// The tutorial's loop: the samples read again for each width.
KernelCost PerWidthLoop() {
  KernelCost cost = FusedCount();
  cost.one_pass_for_all_widths = false;
  return cost;
}

PlanShape Shape(uint64_t samples, uint64_t widths, uint64_t points, int parallelism,
                KernelCost kernel = FusedCount()) {
  PlanShape shape;
  shape.samples = samples;
  shape.dims = 2;
  shape.widths = widths;
  shape.points = points;
  shape.parallelism = parallelism;
  shape.kernel = kernel;
  return shape;
}

// The case: a memory-bound fused sweep of 10^7 samples. Cut by widths, each of 8
// tasks would stream all 160 MB; cut by samples, they are read once.
TEST(ChooseCutTest, HugeSamplesFewWidthsFusedCutsSamples) {
  for (const uint64_t widths : {12, 100}) {
    const PlanChoice choice = ChooseCut(Shape(10'000'000, widths, 1, 2));
    EXPECT_TRUE(choice.cut.by_samples) << widths;
    EXPECT_EQ(choice.cut.tasks, 2u * kTasksPerWorker) << widths;
    EXPECT_EQ(choice.cost.streamed_bytes, 160e6);
    EXPECT_FALSE(choice.other_cut.by_samples);
    EXPECT_EQ(choice.other.streamed_bytes, 160e6 * static_cast<double>(choice.other_cut.tasks));
  }
}

// The tutorial's loop over many widths reads the samples once per width however it is cut;
// cut by samples, every task would return a partial of all 6,000 widths.
TEST(ChooseCutTest, SmallSamplesManyWidthsPerWidthLoopCutsWidths) {
  const PlanChoice choice = ChooseCut(Shape(10'000, 6'000, 1, 2, PerWidthLoop()));
  EXPECT_FALSE(choice.cut.by_samples);
  EXPECT_GT(choice.cut.tasks, 1u);
  EXPECT_EQ(choice.cost.streamed_bytes, choice.other.streamed_bytes);
  EXPECT_LT(choice.cost.result_bytes, choice.other.result_bytes);
}

// With more points than tasks, points alone are cut: neither widths nor samples.
TEST(ChooseCutTest, ManyPointsCutsPointsAlone) {
  const PlanChoice choice = ChooseCut(Shape(100'000, 2, 900, 2));
  EXPECT_EQ(choice.cut.item_tasks, 1u);
  EXPECT_EQ(choice.cut.tasks, 2u * kTasksPerWorker);
  EXPECT_EQ(choice.cut.point_chunk, 113u);  // ceil(900 / 8).
}

// A sweep worth less than a task's fixed cost is not shared out.
TEST(ChooseCutTest, ATinySweepIsOneTask) {
  const PlanChoice choice = ChooseCut(Shape(200, 6, 1, 2));
  EXPECT_EQ(choice.cut.tasks, 1u);
}

// A sweep of a few ms gets one task per worker, a larger one more to balance them.
TEST(ChooseCutTest, TasksPerWorkerGrowWithTheWork) {
  EXPECT_EQ(ChooseCut(Shape(10'000, 100, 1, 2)).cut.tasks, 2u);
  EXPECT_EQ(ChooseCut(Shape(10'000'000, 100, 1, 4)).cut.tasks, 4u * kTasksPerWorker);
}

// One worker and a sweep beyond kMaxTaskWork: as many tasks as it takes, by samples for a
// fused pass (by widths, each task would read every sample again).
TEST(ChooseCutTest, OneWorkerAndAHugeSweepCutsSamplesToTheTaskLimit) {
  const PlanShape shape = Shape(100'000'000, 1000, 1, 1);
  ASSERT_GT(MinimumTasks(shape), 1u);
  const PlanChoice choice = ChooseCut(shape);
  EXPECT_TRUE(choice.cut.by_samples);
  EXPECT_GE(choice.cut.tasks, MinimumTasks(shape));
  EXPECT_LE(static_cast<double>(choice.cut.chunk) * 1000, static_cast<double>(kMaxTaskWork));
}

// The choice is the cheapest of what it tries (1, P, 2P, 4P tasks), one task among them: so no plan
// it makes is predicted slower than running the sweep whole on one worker.
TEST(ChooseCutTest, NeverDearerThanOneTaskOrAnyCandidate) {
  for (const PlanShape& shape :
       {Shape(10'000, 100, 1, 2), Shape(10'000'000, 100, 1, 2), Shape(1'000, 100'000, 1, 2),
        Shape(50'000, 3, 7, 3), Shape(10'000, 6'000, 1, 2, PerWidthLoop())}) {
    const PlanChoice choice = ChooseCut(shape);
    const uint64_t p = static_cast<uint64_t>(shape.parallelism);
    for (const uint64_t wanted : {uint64_t{1}, p, 2 * p, kTasksPerWorker * p}) {
      for (const bool by_samples : {false, true}) {
        EXPECT_LE(choice.cost.time, PredictCost(shape, CutSweep(shape, by_samples, wanted, 0)).time)
            << shape.samples << " samples, " << shape.widths << " widths, wanted " << wanted;
      }
    }
  }
}

TEST(CutSweepTest, SamplesAreCutAtMultiplesOfTheBlock) {
  PlanShape shape = Shape(3 * 4096 + 500, 12, 1, 2);
  shape.sample_block = 4096;
  const PlanCut cut = CutSweep(shape, /*by_samples=*/true, 8, 0);
  EXPECT_EQ(cut.chunk, 4096u);
  EXPECT_EQ(cut.tasks, 4u);
  EXPECT_EQ(CutSweep(shape, true, 8, 5000).chunk, 8192u);
}

TEST(CutSweepTest, AChunkFixesTheItemsPerTask) {
  const PlanCut cut = CutSweep(Shape(1000, 12, 1, 2), /*by_samples=*/false, 8, 5);
  EXPECT_EQ(cut.chunk, 5u);
  EXPECT_EQ(cut.tasks, 3u);
}

// A kernel whose pass serves a group of points (knn: 8) keeps the group in one task, and
// reads the samples once per group: 4 points on 2 workers are cut by samples, not by points.
TEST(ChooseCutTest, AGroupOfPointsSharingAPassStaysWhole) {
  KernelCost grouped = FusedCount();
  grouped.points_per_pass = 8;
  const PlanChoice choice = ChooseCut(Shape(1'000'000, 50, 4, 2, grouped));
  EXPECT_EQ(choice.cut.point_chunk, 4u);
  EXPECT_TRUE(choice.cut.by_samples);
  EXPECT_EQ(choice.cost.streamed_bytes, 16e6);
  // Twenty points: groups of 8, 8 and 4, each reading the samples once.
  const PlanCut cut = CutSweep(Shape(1'000'000, 50, 20, 2, grouped), true, 8, 0);
  EXPECT_EQ(cut.point_chunk, 8u);
  EXPECT_EQ(PredictCost(Shape(1'000'000, 50, 20, 2, grouped), cut).streamed_bytes, 3 * 16e6);
  // One point per pass (the default): the same 4 points are cut apart.
  EXPECT_EQ(ChooseCut(Shape(1'000'000, 50, 4, 2)).cut.point_chunk, 1u);
}

TEST(CutSweepTest, PointsComeFirst) {
  const PlanCut cut = CutSweep(Shape(1000, 12, 3, 2), /*by_samples=*/false, 8, 0);
  EXPECT_EQ(cut.point_chunk, 1u);
  EXPECT_EQ(cut.chunk, 4u);  // ceil(12 / ceil(8 / 3)).
  EXPECT_EQ(cut.tasks, 9u);
}

// By widths, a fused pass reads the samples once per width-task; a per-width loop once per
// width whatever the cut; by samples, a partial of every width comes from each task.
TEST(PredictCostTest, CountsWhatEachCutReadsAndReturns) {
  const PlanShape fused = Shape(1000, 12, 1, 2);
  const PlanCut by_widths = CutSweep(fused, false, 4, 0);
  const PlanCut by_samples = CutSweep(fused, true, 4, 0);
  EXPECT_EQ(PredictCost(fused, by_widths).streamed_bytes, 4 * 16'000.0);
  EXPECT_EQ(PredictCost(fused, by_widths).result_bytes, 12 * 8.0);
  EXPECT_EQ(PredictCost(fused, by_samples).streamed_bytes, 16'000.0);
  EXPECT_EQ(PredictCost(fused, by_samples).result_bytes, 4 * 12 * 8.0);
  const PlanShape loop = Shape(1000, 12, 1, 2, PerWidthLoop());
  EXPECT_EQ(PredictCost(loop, CutSweep(loop, false, 4, 0)).streamed_bytes, 12 * 16'000.0);
  EXPECT_EQ(PredictCost(loop, CutSweep(loop, true, 4, 0)).streamed_bytes, 12 * 16'000.0);
}

}  // namespace
}  // namespace parsweep
