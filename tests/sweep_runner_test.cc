// The sweep runner: planning, merging partial results, ordering, and what it does when an
// executor or a kernel misbehaves.
#include "runtime/sweep/sweep_runner.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <memory>
#include <optional>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/slot_kernel.h"
#include "runtime/plugin/executor.h"
#include "runtime/plugin/kernel.h"
#include "runtime/scheduling/batch.h"
#include "runtime/sweep/sweep.h"
#include "runtime/sweep/task_planner.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

SweepSpec MakeSpec(std::vector<double> widths, Split split, uint64_t chunk, uint64_t n = 5000) {
  SweepSpec spec;
  spec.mutable_kernel()->set_name("parzen_hypercube");
  *spec.mutable_widths() = {widths.begin(), widths.end()};
  GaussianSource& gaussian = *spec.mutable_data()->mutable_gaussian();
  gaussian.set_n(n);
  gaussian.set_seed(17);
  for (double m : {0.0, 0.0}) gaussian.add_mean(m);
  for (double c : {1.0, 0.0, 0.0, 1.0}) gaussian.add_covariance(c);
  spec.mutable_executor()->set_name("serial");
  spec.mutable_executor()->set_split(split);
  spec.mutable_executor()->set_chunk(chunk);
  return spec;
}

std::vector<double> TutorialWidths() {
  std::vector<double> widths;
  for (int i = 1; i <= 12; ++i) widths.push_back(i / 10.0);
  return widths;
}

absl::StatusOr<Report> RunOn(const SweepSpec& spec, Executor& executor) {
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  if (!sweep.ok()) return sweep.status();
  return RunSweep(**sweep, executor);
}

absl::StatusOr<Report> RunSerial(const SweepSpec& spec) {
  absl::StatusOr<std::unique_ptr<Executor>> serial =
      Registry<Executor>::Global().Create(spec.executor());
  if (!serial.ok()) return serial.status();
  return RunOn(spec, **serial);
}

std::vector<double> Counts(const Report& report) {
  std::vector<double> counts;
  for (const WidthResult& r : report.results()) counts.push_back(r.count());
  return counts;
}

TEST(SweepRunnerTest, SplittingByWidthsOrBySamplesGivesIdenticalCounts) {
  absl::StatusOr<Report> reference = RunSerial(MakeSpec(TutorialWidths(), SPLIT_WIDTHS, 0));
  ASSERT_TRUE(reference.ok()) << reference.status();
  ASSERT_EQ(reference->tasks(), 1u);
  for (uint64_t chunk : {1, 5, 12, 100}) {
    absl::StatusOr<Report> report = RunSerial(MakeSpec(TutorialWidths(), SPLIT_WIDTHS, chunk));
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(Counts(*report), Counts(*reference)) << "widths per task: " << chunk;
  }
  for (uint64_t chunk : {1, 7, 999, 5000, 100000}) {
    absl::StatusOr<Report> report = RunSerial(MakeSpec(TutorialWidths(), SPLIT_SAMPLES, chunk));
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->tasks(),
              (5000 + std::min<uint64_t>(chunk, 5000) - 1) / std::min<uint64_t>(chunk, 5000));
    EXPECT_EQ(Counts(*report), Counts(*reference)) << "samples per task: " << chunk;
  }
}

TEST(SweepRunnerTest, ResultsAreOrderedByWidthWhateverTheSpecOrder) {
  absl::StatusOr<Report> shuffled = RunSerial(MakeSpec({1.2, 0.1, 0.5}, SPLIT_WIDTHS, 1));
  absl::StatusOr<Report> sorted = RunSerial(MakeSpec({0.1, 0.5, 1.2}, SPLIT_WIDTHS, 1));
  ASSERT_TRUE(shuffled.ok() && sorted.ok());
  ASSERT_EQ(shuffled->results_size(), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(shuffled->results(i).width(), sorted->results(i).width());
    EXPECT_EQ(shuffled->results(i).count(), sorted->results(i).count());
  }
  EXPECT_EQ(shuffled->results(0).width(), 0.1);
  EXPECT_EQ(shuffled->results(2).width(), 1.2);
}

TEST(SweepRunnerTest, ReportsDensitiesNormalisedByWidthToTheDimension) {
  absl::StatusOr<Report> report = RunSerial(MakeSpec(TutorialWidths(), SPLIT_WIDTHS, 0));
  ASSERT_TRUE(report.ok());
  double best_error = INFINITY;
  double best_width = 0;
  for (const WidthResult& r : report->results()) {
    const double h = r.width();
    EXPECT_DOUBLE_EQ(r.density(), r.count() / (5000 * h * h));
    EXPECT_DOUBLE_EQ(r.tutorial_density(), r.count() / (5000 * h));
    EXPECT_NEAR(r.true_density(), 1 / (2 * M_PI), 1e-15);
    ASSERT_TRUE(r.has_expected_density());
    if (std::abs(r.density() - r.true_density()) < best_error) {
      best_error = std::abs(r.density() - r.true_density());
      best_width = h;
    }
  }
  ASSERT_EQ(report->selections_size(), 1);
  EXPECT_EQ(report->selections(0).method(), "closest_to_true");
  EXPECT_EQ(report->selections(0).width(), best_width);
}

TEST(TaskPlannerTest, CoversEveryWidthOnceAndKeepsWorkersBusy) {
  absl::StatusOr<std::unique_ptr<Sweep>> sweep =
      Sweep::Create(MakeSpec(TutorialWidths(), SPLIT_WIDTHS, 0));
  ASSERT_TRUE(sweep.ok());
  const TaskPlan plan(**sweep, 2);
  EXPECT_EQ(plan.size(), 6u);  // 12 widths, about 4 tasks for each of 2 workers.
  std::vector<int> seen(12, 0);
  for (uint64_t i = 0; i < plan.size(); ++i) {
    const Task task = plan.task(i);
    EXPECT_EQ(task.index(), i);
    EXPECT_EQ(task.sample_begin(), 0u);
    EXPECT_EQ(task.sample_end(), 5000u);
    for (uint32_t w = task.width_begin(); w < task.width_end(); ++w) ++seen[w];
  }
  EXPECT_THAT(seen, testing::Each(1));
}

TEST(TaskPlannerTest, SplitsSamplesIntoContiguousRangesCoveringAll) {
  absl::StatusOr<std::unique_ptr<Sweep>> sweep =
      Sweep::Create(MakeSpec(TutorialWidths(), SPLIT_SAMPLES, 1200));
  ASSERT_TRUE(sweep.ok());
  const TaskPlan plan(**sweep, 2);
  ASSERT_EQ(plan.size(), 5u);
  uint64_t next = 0;
  for (uint64_t i = 0; i < plan.size(); ++i) {
    const Task task = plan.task(i);
    EXPECT_EQ(task.sample_begin(), next);
    EXPECT_EQ(task.width_end() - task.width_begin(), 12u);
    next = task.sample_end();
  }
  EXPECT_EQ(next, 5000u);
}

TEST(TaskPlannerTest, ManyPointsAreCutIntoGroupsCoveringEachPointAndWidthOnce) {
  SweepSpec spec = MakeSpec(TutorialWidths(), SPLIT_WIDTHS, 0);
  GridAxis& axis = *spec.add_grid();
  axis.set_lo(-1);
  axis.set_hi(1);
  axis.set_count(5);  // 25 points.
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  const TaskPlan plan(**sweep, 2);
  // 8 tasks wanted: groups of ceil(25 / 8) = 4 points make 7, one short, so each group's
  // widths are halved: 14 tasks.
  EXPECT_EQ(plan.size(), 14u);
  std::vector<int> seen(25 * 12, 0);
  for (uint64_t i = 0; i < plan.size(); ++i) {
    const Task task = plan.task(i);
    for (uint32_t p = task.point_begin(); p < task.point_end(); ++p) {
      for (uint32_t w = task.width_begin(); w < task.width_end(); ++w) ++seen[p * 12 + w];
    }
  }
  EXPECT_THAT(seen, testing::Each(1));
}

// However many workers, a big sweep is cut so that no task holds more than kMaxTaskWork
// evaluations (here 10^10: 10^6 samples x 1,000 widths x 10 points), and the tasks still
// cover every (point, width) once and every sample.
TEST(TaskPlannerTest, NoTaskHoldsMoreThanTheWorkCap) {
  SweepSpec spec = MakeSpec({1.0}, SPLIT_WIDTHS, 0);
  spec.clear_widths();
  for (int w = 1; w <= 1000; ++w) spec.add_widths(w / 100.0);
  GaussianSource& gaussian = *spec.mutable_data()->mutable_gaussian();
  gaussian.set_n(1'000'000);
  GridAxis& axis = *spec.add_grid();
  axis.set_lo(-1);
  axis.set_hi(1);
  axis.set_count(10);
  gaussian.clear_mean();
  gaussian.add_mean(0);
  gaussian.clear_covariance();
  gaussian.add_covariance(1);
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  for (int parallelism : {1, 2, 64}) {
    const TaskPlan plan(**sweep, parallelism);
    EXPECT_GE(plan.size(), 10'000'000'000 / kMaxTaskWork + 1) << parallelism;
    std::vector<int> seen(10 * 1000, 0);
    for (uint64_t i = 0; i < plan.size(); ++i) {
      const Task task = plan.task(i);
      EXPECT_LE((task.point_end() - task.point_begin()) *
                    (task.sample_end() - task.sample_begin()) *
                    static_cast<uint64_t>(task.width_end() - task.width_begin()),
                kMaxTaskWork);
      EXPECT_EQ(task.sample_end() - task.sample_begin(), 1'000'000u);
      for (uint32_t p = task.point_begin(); p < task.point_end(); ++p) {
        for (uint32_t w = task.width_begin(); w < task.width_end(); ++w) ++seen[p * 1000 + w];
      }
    }
    EXPECT_THAT(seen, testing::Each(1)) << parallelism;
  }
}

TEST(SweepTest, AGridExpandsToItsPointsLastAxisFastest) {
  SweepSpec spec = MakeSpec({1.0}, SPLIT_WIDTHS, 0);
  for (auto [lo, hi, count] : {std::tuple{-1.0, 1.0, 3u}, std::tuple{0.0, 0.5, 2u}}) {
    GridAxis& axis = *spec.add_grid();
    axis.set_lo(lo);
    axis.set_hi(hi);
    axis.set_count(count);
  }
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  const Matrix& points = (*sweep)->points();
  ASSERT_EQ(points.rows(), 6u);
  const double want[6][2] = {{-1, 0}, {-1, 0.5}, {0, 0}, {0, 0.5}, {1, 0}, {1, 0.5}};
  for (int p = 0; p < 6; ++p) {
    EXPECT_EQ(points(p, 0), want[p][0]);
    EXPECT_EQ(points(p, 1), want[p][1]);
  }
  SweepSpec three_axes = spec;
  three_axes.add_grid()->set_count(2);
  EXPECT_THAT(Sweep::Create(three_axes).status().message(), HasSubstr("the grid has 3 axes"));
}

TEST(SweepRunnerTest, EachPointOfAGridGetsTheCountsOfASweepAtThatPointAlone) {
  SweepSpec grid = MakeSpec(TutorialWidths(), SPLIT_SAMPLES, 700);
  GridAxis& axis = *grid.add_grid();
  axis.set_lo(-1.5);
  axis.set_hi(1.5);
  axis.set_count(3);
  absl::StatusOr<Report> all = RunSerial(grid);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->results_size(), 9 * 12);
  for (int p = 0; p < 9; ++p) {
    SweepSpec single = MakeSpec(TutorialWidths(), SPLIT_WIDTHS, 0);
    *single.add_points() = all->spec().points(p);
    absl::StatusOr<Report> alone = RunSerial(single);
    ASSERT_TRUE(alone.ok());
    for (int w = 0; w < 12; ++w) {
      EXPECT_EQ(all->results(p * 12 + w).point_index(), static_cast<uint32_t>(p));
      EXPECT_EQ(all->results(p * 12 + w).count(), alone->results(w).count());
    }
  }
  EXPECT_EQ(all->selections_size(), 9);
}

TEST(SweepTest, RunTaskRejectsTasksOutsideTheSweep) {
  absl::StatusOr<std::unique_ptr<Sweep>> sweep =
      Sweep::Create(MakeSpec(TutorialWidths(), SPLIT_WIDTHS, 0));
  ASSERT_TRUE(sweep.ok());
  Task task;
  task.set_index(3);
  task.set_width_begin(12);
  task.set_width_end(13);
  task.set_sample_end(10);
  task.set_point_end(1);
  EXPECT_THAT((*sweep)->RunTask(task).status().message(),
              HasSubstr("task 3: width range [12, 13) is empty or beyond the sweep's 12 widths"));
  task.set_width_begin(1);
  task.set_width_end(1);
  EXPECT_THAT((*sweep)->RunTask(task).status().message(), HasSubstr("width range [1, 1) is empty"));
  task.set_width_begin(0);
  task.set_sample_end(5001);
  EXPECT_THAT((*sweep)->RunTask(task).status().message(), HasSubstr("sample range"));
  task.set_sample_end(10);
  task.set_point_end(2);
  EXPECT_THAT((*sweep)->RunTask(task).status().message(), HasSubstr("point range"));
  task.set_point_end(1);
  EXPECT_TRUE((*sweep)->RunTask(task).ok());
}

// An executor that runs every batch correctly, one task per batch, then breaks the last
// batch's result in one way.
class TamperingExecutor : public Executor {
 public:
  enum class Fault { kDuplicateBatch, kDropBatch, kMissingResponse, kWrongSize, kWrongTask };
  explicit TamperingExecutor(Fault fault) : fault_(fault) {}
  int parallelism() const override { return 2; }
  absl::Status Start(const Workload& workload) override {
    workload_ = &workload;
    return absl::OkStatus();
  }
  absl::Status Submit(WorkBatch batch) override {
    queue_.push_back(std::move(batch));
    return absl::OkStatus();
  }
  void Cancel(uint64_t) override {}
  absl::StatusOr<std::optional<WorkBatchResult>> Next(absl::Time) override {
    if (last_) return std::exchange(last_, std::nullopt);
    if (queue_.empty()) return absl::FailedPreconditionError("no batch is outstanding");
    WorkBatch batch = std::move(queue_.front());
    queue_.pop_front();
    WorkBatchResult result = RunBatch(*workload_, batch);
    // The first batch is duplicated (while others are outstanding); the last is broken.
    const uint64_t task_index = batch.items(0).index();
    if (fault_ == Fault::kDuplicateBatch && task_index == 0) last_ = result;
    if (task_index + 1 != kTasks) return result;
    TaskResult task;
    task.ParseFromString(result.responses(0));
    switch (fault_) {
      case Fault::kDuplicateBatch:
        break;
      case Fault::kDropBatch:
        return Next(absl::InfiniteFuture());
      case Fault::kMissingResponse:
        result.clear_responses();
        break;
      case Fault::kWrongSize:
        task.mutable_partial()->append(8, '\0');
        break;
      case Fault::kWrongTask:
        task.set_task_index(0);
        break;
    }
    if (result.responses_size() > 0) result.set_responses(0, task.SerializeAsString());
    return result;
  }
  static constexpr uint64_t kTasks = 6;

 private:
  Fault fault_;
  const Workload* workload_ = nullptr;
  std::deque<WorkBatch> queue_;
  std::optional<WorkBatchResult> last_;
};

TEST(SweepRunnerTest, AnExecutorsFaultyResultsAreErrorsNotWrongNumbers) {
  const SweepSpec spec = MakeSpec(TutorialWidths(), SPLIT_WIDTHS, 0);
  PoolOptions one_task_per_batch;
  one_task_per_batch.chunksize = 1;
  const struct {
    TamperingExecutor::Fault fault;
    const char* message;
  } cases[] = {
      {TamperingExecutor::Fault::kDuplicateBatch, "which is not outstanding"},
      {TamperingExecutor::Fault::kDropBatch, "no batch is outstanding"},
      {TamperingExecutor::Fault::kMissingResponse, "0 responses for a batch of 1"},
      {TamperingExecutor::Fault::kWrongSize,
       "task 5 returned a partial that does not fit its task"},
      {TamperingExecutor::Fault::kWrongTask, "result for task 0 as task 5"},
  };
  for (const auto& c : cases) {
    TamperingExecutor executor(c.fault);
    absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
    ASSERT_TRUE(sweep.ok());
    absl::StatusOr<Report> report = RunSweep(**sweep, executor, one_task_per_batch);
    EXPECT_FALSE(report.ok()) << c.message;
    EXPECT_THAT(report.status().message(), HasSubstr(c.message));
  }
}

// A kernel that fails on widths it does not like, to see where its error goes.
class FailingKernel : public SlotKernel<uint64_t> {
 public:
  absl::Status AccumulateSlots(ConstMatrixView, ConstMatrixView, absl::Span<const double> widths,
                               Slots&) const override {
    for (double h : widths) {
      if (h > 1.0) return absl::FailedPreconditionError("widths above 1 are not supported");
    }
    return absl::OkStatus();
  }
  double Density(double total, uint64_t, size_t, double) const override { return total; }
};
PARSWEEP_REGISTER_KERNEL(failing_for_test, "fails on widths above 1",
                         [](const KernelSpec&, const PluginOptions&) {
                           return absl::StatusOr<std::unique_ptr<Kernel>>(
                               std::make_unique<FailingKernel>());
                         });

// On every executor, a kernel's error reaches the caller with the kernel's name and the
// task, and the executor then runs the next sweep as if nothing had happened.
TEST(SweepRunnerTest, AKernelsErrorNamesTheKernelAndTheTaskOnEveryExecutor) {
  std::vector<ExecutorSpec> executors;
  for (const char* name : {"serial", "threads", "process"}) {
    ExecutorSpec spec;
    spec.set_name(name);
    if (std::string(name) != "serial") spec.set_workers(2);
    executors.push_back(spec);
  }
  (*executors.back().mutable_params())["start_method"] = "fork";
  executors.push_back(executors.back());
  (*executors.back().mutable_params())["start_method"] = "spawn";

  for (const ExecutorSpec& executor_spec : executors) {
    SCOPED_TRACE(executor_spec.ShortDebugString());
    absl::StatusOr<std::unique_ptr<Executor>> executor =
        Registry<Executor>::Global().Create(executor_spec);
    ASSERT_TRUE(executor.ok()) << executor.status();
    SweepSpec failing = MakeSpec(TutorialWidths(), SPLIT_WIDTHS, 1);
    failing.mutable_kernel()->set_name("failing_for_test");
    absl::StatusOr<Report> report = RunOn(failing, **executor);
    EXPECT_EQ(report.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(
        std::string(report.status().message()),
        testing::MatchesRegex("kernel 'failing_for_test' failed on task 1[01]: widths above 1.*"));

    absl::StatusOr<Report> good = RunOn(MakeSpec(TutorialWidths(), SPLIT_WIDTHS, 1), **executor);
    ASSERT_TRUE(good.ok()) << good.status();
    EXPECT_EQ(good->results_size(), 12);
  }
}

}  // namespace
}  // namespace parsweep
