// Sweeps on the mpi executor: file data reaches the worker ranks by broadcast or by each
// rank reading the file itself, with serial's counts either way, and a rank whose copy of
// the file differs refuses to start. Runs under mpirun (:sweep_mpi_mpirun_test); without it
// the tests skip. The executor's own behaviour is executors/mpi's test.
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "executors/mpi/mpi_executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/plugin/executor.h"
#include "runtime/sweep/sweep.h"
#include "runtime/sweep/sweep_runner.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

#define SKIP_UNLESS_UNDER_MPIRUN() \
  if (!InMpiJob()) GTEST_SKIP() << "needs worker ranks: run under mpirun -np 3"

ExecutorSpec MpiSpec(std::map<std::string, std::string> params = {}) {
  ExecutorSpec spec;
  spec.set_name("mpi");
  for (const auto& [key, value] : params) (*spec.mutable_params())[key] = value;
  return spec;
}

std::unique_ptr<Executor> CreateOrDie(const ExecutorSpec& spec) {
  absl::StatusOr<std::unique_ptr<Executor>> executor = Registry<Executor>::Global().Create(spec);
  EXPECT_TRUE(executor.ok()) << executor.status();
  return executor.ok() ? *std::move(executor) : nullptr;
}

// A sweep over `path`'s samples at `widths` widths, on a 4 x 4 grid of points or (grid
// false) at the origin.
SweepSpec FileSweep(const std::string& path, const ExecutorSpec& executor, int widths = 40,
                    bool grid = true) {
  SweepSpec spec;
  spec.mutable_kernel()->set_name("parzen_hypercube");
  for (int i = 1; i <= widths; ++i) spec.add_widths(i * 2.0 / widths);
  spec.mutable_data()->mutable_file()->set_path(path);
  for (int d = 0; grid && d < 2; ++d) {
    GridAxis& axis = *spec.add_grid();
    axis.set_lo(-1);
    axis.set_hi(1);
    axis.set_count(4);
  }
  *spec.mutable_executor() = executor;
  return spec;
}

// Writes n pseudo-random 2-D samples as CSV.
std::string WriteSamples(const std::string& name, int n, int seed) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::ofstream out(path);
  unsigned state = static_cast<unsigned>(seed);
  for (int i = 0; i < n; ++i) {
    state = state * 1103515245u + 12345u;
    const double x = ((state >> 8) % 4001) / 1000.0 - 2.0;
    state = state * 1103515245u + 12345u;
    const double y = ((state >> 8) % 4001) / 1000.0 - 2.0;
    out << x << "," << y << "\n";
  }
  return path;
}

absl::StatusOr<Report> RunSpec(const SweepSpec& spec) {
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  if (!sweep.ok()) return sweep.status();
  absl::StatusOr<std::unique_ptr<Executor>> executor =
      Registry<Executor>::Global().Create(spec.executor());
  if (!executor.ok()) return executor.status();
  return RunSweep(**sweep, **executor);
}

TEST(SweepMpiTest, FileDataIsBroadcastOrReadByEveryRankWithSerialsCounts) {
  SKIP_UNLESS_UNDER_MPIRUN();
  const std::string path = WriteSamples("broadcast.csv", 3000, 7);
  ExecutorSpec serial;
  serial.set_name("serial");
  absl::StatusOr<Report> want = RunSpec(FileSweep(path, serial));
  ASSERT_TRUE(want.ok()) << want.status();
  for (const char* on_all_ranks : {"false", "true"}) {
    for (Split split : {SPLIT_WIDTHS, SPLIT_SAMPLES}) {
      ExecutorSpec mpi = MpiSpec({{"data_on_all_ranks", on_all_ranks}});
      mpi.set_split(split);
      mpi.set_chunk(split == SPLIT_WIDTHS ? 3 : 700);
      absl::StatusOr<Report> got = RunSpec(FileSweep(path, mpi));
      ASSERT_TRUE(got.ok()) << got.status();
      ASSERT_EQ(got->results_size(), want->results_size());
      for (int i = 0; i < want->results_size(); ++i) {
        ASSERT_EQ(got->results(i).count(), want->results(i).count())
            << "data_on_all_ranks=" << on_all_ranks << ", split " << Split_Name(split)
            << ", result " << i;
      }
    }
  }
}

TEST(SweepMpiTest, ARankWhoseFileDiffersFromRankZerosRefusesToStart) {
  SKIP_UNLESS_UNDER_MPIRUN();
  const std::string path = WriteSamples("changing.csv", 500, 1);
  ExecutorSpec mpi = MpiSpec({{"data_on_all_ranks", "true"}});
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(FileSweep(path, mpi));
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  // The workers read the file after rank 0 did, as a host with another copy would.
  WriteSamples("changing.csv", 500, 2);
  std::unique_ptr<Executor> executor = CreateOrDie(mpi);
  ASSERT_NE(executor, nullptr);
  absl::StatusOr<Report> report = RunSweep(**sweep, *executor);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(report.status().message(), HasSubstr("differ from the caller's"));
  // Broadcast sends rank 0's samples, so the same sweep runs.
  executor.reset();
  executor = CreateOrDie(MpiSpec());
  ASSERT_NE(executor, nullptr);
  EXPECT_TRUE(RunSweep(**sweep, *executor).ok());
}

}  // namespace
}  // namespace parsweep
