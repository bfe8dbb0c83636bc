// The sweep runner: planning, merging partial results, ordering, and what it does when an
// executor or a kernel misbehaves.
#include "runtime/sweep_runner.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/executor.h"
#include "runtime/kernel.h"
#include "runtime/sweep.h"
#include "runtime/task_planner.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

SweepSpec MakeSpec(std::vector<double> widths, Split split, uint64_t chunk,
                   uint64_t n = 5000) {
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
    absl::StatusOr<Report> report =
        RunSerial(MakeSpec(TutorialWidths(), SPLIT_SAMPLES, chunk));
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->tasks(), (5000 + std::min<uint64_t>(chunk, 5000) - 1) /
                                   std::min<uint64_t>(chunk, 5000));
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
  const std::vector<Task> tasks = PlanTasks(**sweep, 2);
  EXPECT_EQ(tasks.size(), 6u);  // 12 widths, about 4 tasks for each of 2 workers.
  std::vector<int> seen(12, 0);
  for (size_t i = 0; i < tasks.size(); ++i) {
    EXPECT_EQ(tasks[i].index(), i);
    EXPECT_EQ(tasks[i].sample_begin(), 0u);
    EXPECT_EQ(tasks[i].sample_end(), 5000u);
    for (uint32_t w : tasks[i].width_indices()) ++seen[w];
  }
  EXPECT_THAT(seen, testing::Each(1));
}

TEST(SweepTest, RunTaskRejectsTasksOutsideTheSweep) {
  absl::StatusOr<std::unique_ptr<Sweep>> sweep =
      Sweep::Create(MakeSpec(TutorialWidths(), SPLIT_WIDTHS, 0));
  ASSERT_TRUE(sweep.ok());
  Task task;
  task.set_index(3);
  task.add_width_indices(12);
  task.set_sample_end(10);
  task.set_point_end(1);
  EXPECT_THAT((*sweep)->RunTask(task).status().message(),
              HasSubstr("task 3: width index 12 is out of range"));
  task.set_width_indices(0, 0);
  task.set_sample_end(5001);
  EXPECT_THAT((*sweep)->RunTask(task).status().message(), HasSubstr("sample range"));
  task.set_sample_end(10);
  task.set_point_end(2);
  EXPECT_THAT((*sweep)->RunTask(task).status().message(), HasSubstr("point range"));
  task.set_point_end(1);
  EXPECT_TRUE((*sweep)->RunTask(task).ok());
}

// An executor that runs every task correctly, then lets `Tamper` break the results.
class TamperingExecutor : public Executor {
 public:
  enum class Fault { kDuplicate, kDrop, kWrongSize, kUnknownTask };
  explicit TamperingExecutor(Fault fault) : fault_(fault) {}
  int parallelism() const override { return 2; }
  absl::Status Run(const Sweep& sweep, absl::Span<const Task> tasks,
                   ResultSink sink) override {
    for (const Task& task : tasks) {
      absl::StatusOr<TaskResult> result = sweep.RunTask(task);
      if (!result.ok()) return result.status();
      const bool last = task.index() + 1 == tasks.size();
      if (last && fault_ == Fault::kDrop) continue;
      if (last && fault_ == Fault::kWrongSize) result->mutable_partial()->add_counts(1);
      if (last && fault_ == Fault::kUnknownTask) result->set_task_index(tasks.size());
      absl::Status status = sink(*result);
      if (!status.ok()) return status;
      if (last && fault_ == Fault::kDuplicate) return sink(*result);
    }
    return absl::OkStatus();
  }

 private:
  Fault fault_;
};

TEST(SweepRunnerTest, AnExecutorsFaultyResultsAreErrorsNotWrongNumbers) {
  const SweepSpec spec = MakeSpec(TutorialWidths(), SPLIT_WIDTHS, 0);
  const struct {
    TamperingExecutor::Fault fault;
    const char* message;
  } cases[] = {
      {TamperingExecutor::Fault::kDuplicate, "twice"},
      {TamperingExecutor::Fault::kDrop, "finished with 5 of 6 task results"},
      {TamperingExecutor::Fault::kWrongSize, "task 5 returned 3 counts"},
      {TamperingExecutor::Fault::kUnknownTask, "task 6, which was not submitted"},
  };
  for (const auto& c : cases) {
    TamperingExecutor executor(c.fault);
    absl::StatusOr<Report> report = RunOn(spec, executor);
    EXPECT_EQ(report.status().code(), absl::StatusCode::kInternal) << c.message;
    EXPECT_THAT(report.status().message(), HasSubstr(c.message));
  }
}

// A kernel that fails on samples it does not like, to see where its error goes.
class FailingKernel : public Kernel {
 public:
  AccumulatorKind accumulator() const override { return AccumulatorKind::kCount; }
  absl::Status Accumulate(ConstMatrixView samples, absl::Span<const double> point,
                          absl::Span<const double> widths, Accumulators out) const override {
    for (double h : widths) {
      if (h > 1.0) return absl::FailedPreconditionError("widths above 1 are not supported");
    }
    return absl::OkStatus();
  }
  double Density(double total, uint64_t n, size_t dims, double width) const override {
    return total;
  }
};
PARSWEEP_REGISTER_KERNEL(failing_for_test, [](const KernelSpec&) {
  return absl::StatusOr<std::unique_ptr<Kernel>>(std::make_unique<FailingKernel>());
});

TEST(SweepRunnerTest, AKernelsErrorNamesTheKernelAndTheTask) {
  SweepSpec spec = MakeSpec(TutorialWidths(), SPLIT_WIDTHS, 1);
  spec.mutable_kernel()->set_name("failing_for_test");
  absl::StatusOr<Report> report = RunSerial(spec);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(report.status().message(),
              HasSubstr("kernel 'failing_for_test' failed on task 10: widths above 1"));
}

}  // namespace
}  // namespace parsweep
