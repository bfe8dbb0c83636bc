// Every built-in kernel on every built-in executor, split by widths, by samples and as the
// planner chooses (auto), must give the serial executor's answers. This binary links //kernels:all
// and //executors:all exactly as the sweep tool does, so a plugin the linker dropped, or a backend
// that drifts, fails here.
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

// Three of the Gaussian kernel's 4096-sample blocks and part of a fourth, so that a split by
// samples cuts at several places.
constexpr uint64_t kSamples = 3 * 4096 + 500;

SweepSpec MakeSpec(const std::string& kernel, const ExecutorSpec& executor, Split split,
                   uint64_t chunk, uint32_t points_per_axis = 3) {
  SweepSpec spec;
  spec.mutable_kernel()->set_name(kernel);
  // knn's widths are numbers of neighbours k, whole numbers; the others' are lengths.
  for (int i = 1; i <= 12; ++i) spec.add_widths(kernel == "knn" ? i : i / 10.0);
  GaussianSource& gaussian = *spec.mutable_data()->mutable_gaussian();
  gaussian.set_n(kSamples);
  gaussian.set_seed(99);
  for (double m : {0.0, 0.0}) gaussian.add_mean(m);
  for (double c : {1.0, 0.0, 0.0, 1.0}) gaussian.add_covariance(c);
  *spec.mutable_executor() = executor;
  spec.mutable_executor()->set_split(split);
  spec.mutable_executor()->set_chunk(chunk);
  // Nine evaluation points by default, so tasks are cut across points as well.
  GridAxis& axis = *spec.add_grid();
  axis.set_lo(-1);
  axis.set_hi(1);
  axis.set_count(points_per_axis);
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
  EXPECT_THAT(Registry<Kernel>::Global().Names(), Contains("knn"));
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

// The promise: how a sweep is run never changes its answer, to the last bit. Every kernel,
// executor, split and chunk (0: the plan follows the workers) gives serial's results,
// compared as bytes.
TEST(AllPluginsTest, EveryExecutorGivesSerialsBitsForEveryKernelSplitAndChunk) {
  ExecutorSpec serial;
  serial.set_name("serial");
  for (const std::string& kernel : Registry<Kernel>::Global().Names()) {
    const Report reference = RunSpec(MakeSpec(kernel, serial, SPLIT_WIDTHS, 0));
    ASSERT_EQ(reference.results_size(), 9 * 12) << kernel;
    for (const ExecutorSpec& executor : ExecutorVariants()) {
      for (Split split : {SPLIT_WIDTHS, SPLIT_SAMPLES, SPLIT_AUTO}) {
        for (uint64_t chunk : {0, 1, 3, 5000}) {
          const Report report = RunSpec(MakeSpec(kernel, executor, split, chunk));
          ASSERT_EQ(report.results_size(), reference.results_size());
          for (int i = 0; i < report.results_size(); ++i) {
            SCOPED_TRACE(kernel + " on " + executor.ShortDebugString() + ", split " +
                         Split_Name(split) + ", chunk " + std::to_string(chunk) + ", result " +
                         std::to_string(i));
            EXPECT_EQ(report.results(i).SerializeAsString(),
                      reference.results(i).SerializeAsString());
          }
        }
      }
    }
  }
}

// At one point the planner's own choice for two workers may cut the samples, which on the
// grid above it never does: serial's bits all the same.
TEST(AllPluginsTest, TheAutomaticPlanAtOnePointGivesSerialsBits) {
  ExecutorSpec serial;
  serial.set_name("serial");
  for (const std::string& kernel : Registry<Kernel>::Global().Names()) {
    const Report reference = RunSpec(MakeSpec(kernel, serial, SPLIT_WIDTHS, 0, 1));
    ASSERT_EQ(reference.results_size(), 12) << kernel;
    for (const ExecutorSpec& executor : ExecutorVariants()) {
      SCOPED_TRACE(kernel + " on " + executor.ShortDebugString());
      const Report report = RunSpec(MakeSpec(kernel, executor, SPLIT_AUTO, 0, 1));
      EXPECT_TRUE(report.plan().automatic());
      // The hypercube's fused pass reads the samples once by samples, by widths once per task.
      // (The Gaussian's exps outweigh that: its tasks are cut to be even, widths here.)
      if (executor.workers() > 1 && kernel == "parzen_hypercube") {
        EXPECT_EQ(report.plan().split(), SPLIT_SAMPLES);
        EXPECT_GT(report.tasks(), 1);
      }
      ASSERT_EQ(report.results_size(), reference.results_size());
      for (int i = 0; i < report.results_size(); ++i) {
        EXPECT_EQ(report.results(i).SerializeAsString(), reference.results(i).SerializeAsString())
            << "result " << i;
      }
    }
  }
}

}  // namespace
}  // namespace parsweep
