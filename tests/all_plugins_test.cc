// Every built-in kernel on every built-in executor, split by widths and by samples, must
// give the serial executor's answers. This binary links //kernels:all and //executors:all
// exactly as the sweep tool does, so a plugin the linker dropped, or a backend that drifts,
// fails here.
#include <cfloat>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "executors/mpi/mpi_executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/plugin/executor.h"
#include "runtime/plugin/kernel.h"
#include "runtime/sweep/sweep.h"
#include "runtime/sweep/sweep_runner.h"

namespace parsweep {
namespace {

using ::testing::Contains;

constexpr uint64_t kSamples = 4000;

SweepSpec MakeSpec(const std::string& kernel, const ExecutorSpec& executor, Split split,
                   uint64_t chunk) {
  SweepSpec spec;
  spec.mutable_kernel()->set_name(kernel);
  for (int i = 1; i <= 12; ++i) spec.add_widths(i / 10.0);
  GaussianSource& gaussian = *spec.mutable_data()->mutable_gaussian();
  gaussian.set_n(kSamples);
  gaussian.set_seed(99);
  for (double m : {0.0, 0.0}) gaussian.add_mean(m);
  for (double c : {1.0, 0.0, 0.0, 1.0}) gaussian.add_covariance(c);
  *spec.mutable_executor() = executor;
  spec.mutable_executor()->set_split(split);
  spec.mutable_executor()->set_chunk(chunk);
  // Nine evaluation points, so tasks are cut across points as well.
  GridAxis& axis = *spec.add_grid();
  axis.set_lo(-1);
  axis.set_hi(1);
  axis.set_count(3);
  return spec;
}

Report RunSpec(const SweepSpec& spec) {
  absl::StatusOr<std::unique_ptr<Executor>> executor =
      Registry<Executor>::Global().Create(spec.executor());
  EXPECT_TRUE(executor.ok()) << executor.status();
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  EXPECT_TRUE(sweep.ok()) << sweep.status();
  if (!executor.ok() || !sweep.ok()) return Report();
  absl::StatusOr<Report> report = RunSweep(**sweep, **executor);
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *report : Report();
}

TEST(AllPluginsTest, TheBuiltInPluginsAreLinkedIn) {
  EXPECT_THAT(Registry<Kernel>::Global().Names(), Contains("parzen_hypercube"));
  EXPECT_THAT(Registry<Kernel>::Global().Names(), Contains("parzen_gaussian"));
  EXPECT_THAT(Registry<Executor>::Global().Names(), Contains("serial"));
  EXPECT_THAT(Registry<Executor>::Global().Names(), Contains("threads"));
  EXPECT_THAT(Registry<Executor>::Global().Names(), Contains("mpi"));
}

// Every registered executor with two workers, and each process start method.
std::vector<ExecutorSpec> ExecutorVariants() {
  std::vector<ExecutorSpec> variants;
  for (const std::string& name : Registry<Executor>::Global().Names()) {
    // The mpi executor has workers only under mpirun (executors/mpi:mpi_all_plugins_test).
    if (name == "mpi" && !InMpiJob()) continue;
    ExecutorSpec spec;
    spec.set_name(name);
    if (name != "serial") spec.set_workers(2);
    if (name == "process") {
#ifdef __SANITIZE_THREAD__
      // TSan's own thread makes the process multi-threaded, which fork rightly refuses.
      const std::vector<const char*> methods = {"spawn"};
#else
      // Open MPI does not support fork() once MPI is initialised (the mpi variant runs
      // first); spawn covers processes there.
      const std::vector<const char*> methods = InMpiJob()
                                                   ? std::vector<const char*>{"spawn"}
                                                   : std::vector<const char*>{"fork", "spawn"};
#endif
      for (const char* method : methods) {
        (*spec.mutable_params())["start_method"] = method;
        variants.push_back(spec);
      }
    } else {
      variants.push_back(spec);
    }
  }
  return variants;
}

TEST(AllPluginsTest, EveryExecutorGivesSerialsAnswersForEveryKernelAndSplit) {
  ExecutorSpec serial;
  serial.set_name("serial");
  for (const std::string& kernel : Registry<Kernel>::Global().Names()) {
    const Report reference = RunSpec(MakeSpec(kernel, serial, SPLIT_WIDTHS, 0));
    ASSERT_EQ(reference.results_size(), 9 * 12) << kernel;
    for (const ExecutorSpec& executor : ExecutorVariants()) {
      for (Split split : {SPLIT_WIDTHS, SPLIT_SAMPLES}) {
        for (uint64_t chunk : {0, 1, 3}) {
          const Report report = RunSpec(MakeSpec(kernel, executor, split, chunk));
          ASSERT_EQ(report.results_size(), reference.results_size());
          // With a fixed chunk the plan is the executor's no matter how many workers it
          // has, and sums merge in task order: serial's bits for the same plan.
          const Report same_plan =
              chunk > 0 ? RunSpec(MakeSpec(kernel, serial, split, chunk)) : Report();
          for (int i = 0; i < report.results_size(); ++i) {
            const WidthResult& got = report.results(i);
            const WidthResult& want = reference.results(i);
            if (chunk > 0) {
              EXPECT_EQ(got.density(), same_plan.results(i).density());
            }
            SCOPED_TRACE(kernel + " on " + executor.ShortDebugString() + ", split " +
                         Split_Name(split) + ", chunk " + std::to_string(chunk) + ", width " +
                         std::to_string(want.width()));
            EXPECT_EQ(got.width(), want.width());
            EXPECT_EQ(got.has_count(), want.has_count());
            if (want.has_count()) {
              // Counts are exact: identical bits whatever the split.
              EXPECT_EQ(got.count(), want.count());
              EXPECT_EQ(got.density(), want.density());
            } else {
              // Another plan adds the same n positive terms in another grouping: they
              // differ by at most n * DBL_EPSILON relative to the sum.
              EXPECT_NEAR(got.density(), want.density(), kSamples * DBL_EPSILON * want.density());
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace parsweep
