// The mpi executor's own behaviour. Parameter parsing and the refusal outside mpirun run
// as a plain test; the rest needs worker ranks and is skipped unless the binary runs under
// mpirun, as :mpi_executor_mpirun_test does (mpirun -np 3: rank 0 runs the tests, ranks 1
// and 2 serve it). Equality with serial for every kernel and split is
// :mpi_all_plugins_test's job, Pool semantics :mpi_pool_test's.
#include "executors/mpi/mpi_executor.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"
#include "runtime/plugin/executor.h"
#include "runtime/scheduling/pool.h"
#include "runtime/sweep/sweep.h"
#include "runtime/sweep/sweep_runner.h"
#include "tests/toy_workloads.h"

namespace parsweep {
namespace {

using ::google::protobuf::Int64Value;
using ::testing::HasSubstr;

#define SKIP_UNLESS_UNDER_MPIRUN() \
  if (!InMpiJob()) GTEST_SKIP() << "needs worker ranks: run under mpirun -np 3"

ExecutorSpec MpiSpec(std::map<std::string, std::string> params = {}, int workers = 0) {
  ExecutorSpec spec;
  spec.set_name("mpi");
  spec.set_workers(workers);
  for (const auto& [key, value] : params) (*spec.mutable_params())[key] = value;
  return spec;
}

std::unique_ptr<Executor> CreateOrDie(const ExecutorSpec& spec) {
  absl::StatusOr<std::unique_ptr<Executor>> executor = Registry<Executor>::Global().Create(spec);
  EXPECT_TRUE(executor.ok()) << executor.status();
  return executor.ok() ? *std::move(executor) : nullptr;
}

TEST(MpiExecutorOptionsTest, ReadsItsParametersAndNamesABadOne) {
  absl::StatusOr<MpiExecutorOptions> options = ParseMpiExecutorOptions(
      MpiSpec({{"max_message_bytes", "4096"}, {"data_on_all_ranks", "true"}}, 2));
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->workers, 2);
  EXPECT_EQ(options->max_message_bytes, 4096u);
  EXPECT_TRUE(options->data_on_all_ranks);

  options = ParseMpiExecutorOptions(MpiSpec());
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_FALSE(options->data_on_all_ranks);
  EXPECT_EQ(options->max_message_bytes, size_t{64} << 20);

  for (const char* bad : {"1023", "2147483648", "lots", "-5"}) {
    options = ParseMpiExecutorOptions(MpiSpec({{"max_message_bytes", bad}}));
    EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(options.status().message(), HasSubstr("max_message_bytes")) << bad;
  }
  options = ParseMpiExecutorOptions(MpiSpec({{"data_on_all_ranks", "maybe"}}));
  EXPECT_THAT(options.status().message(), HasSubstr("data_on_all_ranks must be true or false"));
  // The process executor's parameters are not the mpi executor's.
  options = ParseMpiExecutorOptions(MpiSpec({{"start_method", "fork"}}));
  EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(options.status().message(), HasSubstr("has no parameter 'start_method'"));
}

TEST(MpiExecutorTest, OutsideMpirunThereAreNoWorkersAndItSaysSo) {
  if (InMpiJob()) GTEST_SKIP() << "runs without mpirun";
  absl::StatusOr<std::unique_ptr<Executor>> executor =
      Registry<Executor>::Global().Create(MpiSpec());
  EXPECT_EQ(executor.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(executor.status().message(), HasSubstr("rank 0 of an MPI job"));
  EXPECT_THAT(executor.status().message(), HasSubstr("mpirun"));
}

TEST(MpiExecutorTest, UsesEveryWorkerRankOrTheNumberAskedFor) {
  SKIP_UNLESS_UNDER_MPIRUN();
  const int ranks = std::atoi(std::getenv("OMPI_COMM_WORLD_SIZE"));
  {
    std::unique_ptr<Executor> executor = CreateOrDie(MpiSpec());
    ASSERT_NE(executor, nullptr);
    EXPECT_EQ(executor->parallelism(), ranks - 1);
  }
  {
    std::unique_ptr<Executor> executor = CreateOrDie(MpiSpec({}, 1));
    ASSERT_NE(executor, nullptr);
    EXPECT_EQ(executor->parallelism(), 1);
    std::unique_ptr<Workload> cube = MakeToyWorkload("cube");
    absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(*executor, *cube);
    ASSERT_TRUE(pool.ok()) << pool.status();
    Int64Value three;
    three.set_value(3);
    absl::StatusOr<Int64Value> cubed = (*pool)->Apply<Int64Value>(three);
    ASSERT_TRUE(cubed.ok()) << cubed.status();
    EXPECT_EQ(cubed->value(), 27);
  }
  absl::StatusOr<std::unique_ptr<Executor>> too_many =
      Registry<Executor>::Global().Create(MpiSpec({}, ranks));
  EXPECT_EQ(too_many.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(too_many.status().message(), HasSubstr("worker ranks"));
}

TEST(MpiExecutorTest, OnlyOneExistsAtATime) {
  SKIP_UNLESS_UNDER_MPIRUN();
  std::unique_ptr<Executor> first = CreateOrDie(MpiSpec());
  ASSERT_NE(first, nullptr);
  absl::StatusOr<std::unique_ptr<Executor>> second = Registry<Executor>::Global().Create(MpiSpec());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  first.reset();
  EXPECT_NE(CreateOrDie(MpiSpec()), nullptr);
}

TEST(MpiExecutorTest, AFailingRequestNamesItsRankAndTheExecutorGoesOn) {
  SKIP_UNLESS_UNDER_MPIRUN();
  std::unique_ptr<Executor> executor = CreateOrDie(MpiSpec());
  ASSERT_NE(executor, nullptr);
  std::unique_ptr<Workload> cube = MakeToyWorkload("cube");
  absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(*executor, *cube);
  ASSERT_TRUE(pool.ok()) << pool.status();
  Int64Value thirteen;
  thirteen.set_value(13);
  absl::StatusOr<Int64Value> failed = (*pool)->Apply<Int64Value>(thirteen);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(failed.status().message(), HasSubstr("13 is unlucky"));
  EXPECT_THAT(std::string(failed.status().message()),
              testing::ContainsRegex("on MPI rank [12]\\)"));
  Int64Value two;
  two.set_value(2);
  absl::StatusOr<Int64Value> cubed = (*pool)->Apply<Int64Value>(two);
  ASSERT_TRUE(cubed.ok()) << cubed.status();
  EXPECT_EQ(cubed->value(), 8);
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

TEST(MpiExecutorTest, FileDataIsBroadcastOrReadByEveryRankWithSerialsCounts) {
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

TEST(MpiExecutorTest, ARankWhoseFileDiffersFromRankZerosRefusesToStart) {
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
  EXPECT_THAT(report.status().message(), HasSubstr("samples differ from rank 0's"));
  // Broadcast sends rank 0's samples, so the same sweep runs.
  executor.reset();
  executor = CreateOrDie(MpiSpec());
  ASSERT_NE(executor, nullptr);
  EXPECT_TRUE(RunSweep(**sweep, *executor).ok());
}

TEST(MpiExecutorTest, AResultOverTheMessageLimitIsItsBatchsErrorNotTheJobsEnd) {
  SKIP_UNLESS_UNDER_MPIRUN();
  const std::string path = WriteSamples("limit.csv", 1000, 3);
  ExecutorSpec mpi = MpiSpec({{"max_message_bytes", "1024"}});
  mpi.set_split(SPLIT_WIDTHS);
  // One task: 1000 counts of up to 1000 at the origin, each a varint of 1 or 2 bytes; most
  // are 2 (the window holds more than 127 samples once h > 0.5), so well over 1024 bytes.
  mpi.set_chunk(1000);
  absl::StatusOr<Report> report = RunSpec(FileSweep(path, mpi, 1000, false));
  EXPECT_EQ(report.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(report.status().message(), HasSubstr("max_message_bytes (1024)"));
  EXPECT_THAT(report.status().message(), HasSubstr("on MPI rank"));
  // The ranks are still there for the next executor.
  mpi.set_chunk(1);
  mpi.mutable_params()->clear();
  report = RunSpec(FileSweep(path, mpi, 1000, false));
  EXPECT_TRUE(report.ok()) << report.status();
}

}  // namespace
}  // namespace parsweep
