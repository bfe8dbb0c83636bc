// The mpi executor's own behaviour, on workloads that are not sweeps (the tutorial's toy
// tasks). Parameter parsing and the refusal outside mpirun run as a plain test; the rest
// needs worker ranks and is skipped unless the binary runs under mpirun, as
// :mpi_executor_mpirun_test does (mpirun -np 3: rank 0 runs the tests, ranks 1 and 2 serve
// it). Sweeps on MPI, with serial's results for every kernel and split, are tested in
// tests/ (sweep_mpi_test, mpi_all_plugins_test), Pool semantics in mpi_pool_test.
#include "executors/mpi/mpi_executor.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"
#include "runtime/plugin/executor.h"
#include "runtime/scheduling/pool.h"
#include "runtime/testing/toy_workloads.h"

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
  EXPECT_EQ(options->task_timeout, absl::Hours(1));
  EXPECT_EQ(options->heartbeat_timeout, absl::Seconds(5));

  for (const char* bad : {"1023", "2147483648", "lots", "-5"}) {
    options = ParseMpiExecutorOptions(MpiSpec({{"max_message_bytes", bad}}));
    EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(options.status().message(), HasSubstr("max_message_bytes")) << bad;
  }
  options =
      ParseMpiExecutorOptions(MpiSpec({{"task_timeout", "90s"}, {"heartbeat_timeout", "inf"}}));
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->task_timeout, absl::Seconds(90));
  EXPECT_EQ(options->heartbeat_timeout, absl::InfiniteDuration());
  options = ParseMpiExecutorOptions(MpiSpec({{"heartbeat_timeout", "0s"}}));
  EXPECT_THAT(options.status().message(), HasSubstr("heartbeat_timeout must be a positive"));
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

// A workload's blobs reach every rank however the executor sends them: broadcast (the
// bytes exist only on rank 0) or regenerated by each rank and checked against rank 0's.
TEST(MpiExecutorTest, BlobsAreBroadcastOrRegeneratedAndChecked) {
  SKIP_UNLESS_UNDER_MPIRUN();
  constexpr size_t kSize = 100003;  // Not a multiple of anything in particular.
  for (const ExportedBlob::Source source :
       {ExportedBlob::Source::kOnlyHere, ExportedBlob::Source::kReproducible,
        ExportedBlob::Source::kSharedFile}) {
    for (const char* on_all_ranks : {"false", "true"}) {
      SCOPED_TRACE(
          absl::StrCat("source ", static_cast<int>(source), ", data_on_all_ranks=", on_all_ranks));
      std::unique_ptr<Executor> executor =
          CreateOrDie(MpiSpec({{"data_on_all_ranks", on_all_ranks}}));
      ASSERT_NE(executor, nullptr);
      std::unique_ptr<Workload> workload = MakeBlobWorkload(5, kSize, source);
      absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(*executor, *workload);
      ASSERT_TRUE(pool.ok()) << pool.status();
      std::vector<Int64Value> requests(8);
      for (int i = 0; i < 8; ++i) requests[i].set_value(i);
      absl::StatusOr<std::vector<Int64Value>> sums = (*pool)->Map<Int64Value>(requests, 1);
      ASSERT_TRUE(sums.ok()) << sums.status();
      for (int i = 0; i < 8; ++i) EXPECT_EQ((*sums)[i].value(), BlobSum(5, kSize, i));
    }
  }
}

TEST(MpiExecutorTest, ARankWhoseRegeneratedBlobDiffersRefusesToStart) {
  SKIP_UNLESS_UNDER_MPIRUN();
  std::unique_ptr<Workload> lying =
      MakeBlobWorkload(5, 1000, ExportedBlob::Source::kReproducible, /*regenerate_wrongly=*/true);
  {
    std::unique_ptr<Executor> executor = CreateOrDie(MpiSpec());
    ASSERT_NE(executor, nullptr);
    absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(*executor, *lying);
    EXPECT_EQ(pool.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(pool.status().message(), HasSubstr("differ from the caller's"));
  }
  // A blob only rank 0 has is broadcast, never regenerated: the same workload runs.
  std::unique_ptr<Workload> broadcast =
      MakeBlobWorkload(5, 1000, ExportedBlob::Source::kOnlyHere, /*regenerate_wrongly=*/true);
  std::unique_ptr<Executor> executor = CreateOrDie(MpiSpec());
  ASSERT_NE(executor, nullptr);
  absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(*executor, *broadcast);
  ASSERT_TRUE(pool.ok()) << pool.status();
  Int64Value zero;
  absl::StatusOr<Int64Value> sum = (*pool)->Apply<Int64Value>(zero);
  ASSERT_TRUE(sum.ok()) << sum.status();
  EXPECT_EQ(sum->value(), BlobSum(5, 1000, 0));
}

TEST(MpiExecutorTest, AResultOverTheMessageLimitTravelsInPieces) {
  SKIP_UNLESS_UNDER_MPIRUN();
  std::unique_ptr<Executor> executor = CreateOrDie(MpiSpec({{"max_message_bytes", "1024"}}));
  ASSERT_NE(executor, nullptr);
  std::unique_ptr<Workload> counter = MakeToyWorkload("counter");
  absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(*executor, *counter);
  ASSERT_TRUE(pool.ok()) << pool.status();
  // 1,000 echoed numbers in one batch: far over 1,024 bytes, so about ten pieces, on both
  // ranks in turn.
  std::vector<Int64Value> requests(1000);
  for (int i = 0; i < 1000; ++i) requests[i].set_value(1000000 + i);
  for (int round = 0; round < 4; ++round) {
    absl::StatusOr<std::vector<Int64Value>> echoed = (*pool)->Map<Int64Value>(requests, 1000);
    ASSERT_TRUE(echoed.ok()) << echoed.status();
    ASSERT_EQ(echoed->size(), 1000u);
    for (int i = 0; i < 1000; ++i) EXPECT_EQ((*echoed)[i].value(), 1000000 + i);
  }
}

}  // namespace
}  // namespace parsweep
