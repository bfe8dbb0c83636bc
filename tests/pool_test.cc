// The Pool API (the tutorial's lessons) on every executor: cube(x) through Apply, Map,
// ApplyAsync and MapAsync; completion order versus restored order; errors that leave the
// pool usable; automatic chunking; the bound on work in flight.
#include "runtime/scheduling/pool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "executors/mpi/mpi_executor.h"
#include "gmock/gmock.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"
#include "runtime/plugin/executor.h"
#include "runtime/testing/toy_workloads.h"

namespace parsweep {
namespace {

using ::google::protobuf::Int64Value;
using ::google::protobuf::StringValue;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct ExecutorCase {
  std::string label;
  std::string name;
  uint32_t workers;
  std::string start_method;  // Process executor only.
};

void PrintTo(const ExecutorCase& c, std::ostream* os) { *os << c.label; }

ExecutorSpec SpecOf(const ExecutorCase& c) {
  ExecutorSpec spec;
  spec.set_name(c.name);
  spec.set_workers(c.workers);
  if (!c.start_method.empty()) (*spec.mutable_params())["start_method"] = c.start_method;
  return spec;
}

std::vector<Int64Value> Numbers(int from, int to) {
  std::vector<Int64Value> numbers;
  for (int x = from; x <= to; ++x) {
    numbers.emplace_back();
    numbers.back().set_value(x);
  }
  return numbers;
}

std::vector<int64_t> Values(const std::vector<Int64Value>& messages) {
  std::vector<int64_t> values;
  for (const Int64Value& m : messages) values.push_back(m.value());
  return values;
}

class PoolTest : public testing::TestWithParam<ExecutorCase> {
 protected:
  // Builds the executor and a pool over the named toy workload.
  void Open(const std::string& workload, PoolOptions options = {}) {
    OpenOn(MakeToyWorkload(workload), options);
  }

  void OpenOn(std::unique_ptr<Workload> workload, PoolOptions options = {}) {
    absl::StatusOr<std::unique_ptr<Executor>> executor =
        Registry<Executor>::Global().Create(SpecOf(GetParam()));
    ASSERT_TRUE(executor.ok()) << executor.status();
    executor_ = *std::move(executor);
    workload_ = std::move(workload);
    ASSERT_NE(workload_, nullptr);
    absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(*executor_, *workload_, options);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
  }

  void TearDown() override {
    pool_.reset();  // Before the executor and workload it uses.
    executor_.reset();
  }

  std::unique_ptr<Executor> executor_;
  std::unique_ptr<Workload> workload_;
  std::unique_ptr<Pool> pool_;
};

TEST_P(PoolTest, CubeThroughApplyMapApplyAsyncAndMapAsync) {
  ASSERT_NO_FATAL_FAILURE(Open("cube"));
  const std::vector<int64_t> want = {1, 8, 27, 64, 125, 216};

  std::vector<int64_t> applied;
  for (const Int64Value& x : Numbers(1, 6)) {
    absl::StatusOr<Int64Value> cube = pool_->Apply<Int64Value>(x);
    ASSERT_TRUE(cube.ok()) << cube.status();
    applied.push_back(cube->value());
  }
  EXPECT_EQ(applied, want);

  absl::StatusOr<std::vector<Int64Value>> mapped = pool_->Map<Int64Value>(Numbers(1, 6));
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ(Values(*mapped), want);

  std::vector<Pool::Future> futures;
  for (const Int64Value& x : Numbers(1, 6)) {
    futures.push_back(pool_->ApplyAsync(x.SerializeAsString()));
  }
  std::vector<int64_t> async;
  for (Pool::Future& future : futures) {
    absl::StatusOr<std::string> bytes = future.Get();
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    Int64Value cube;
    ASSERT_TRUE(cube.ParseFromString(*bytes));
    async.push_back(cube.value());
  }
  EXPECT_EQ(async, want);

  std::vector<std::string> requests;
  for (const Int64Value& x : Numbers(1, 6)) requests.push_back(x.SerializeAsString());
  Pool::Future map_future = pool_->MapAsync(std::move(requests), /*chunksize=*/2);
  absl::StatusOr<std::vector<std::string>> all = map_future.GetAll();
  ASSERT_TRUE(all.ok()) << all.status();
  std::vector<int64_t> map_async;
  for (const std::string& bytes : *all) {
    Int64Value cube;
    ASSERT_TRUE(cube.ParseFromString(bytes));
    map_async.push_back(cube.value());
  }
  EXPECT_EQ(map_async, want);
}

TEST_P(PoolTest, UnorderedStreamTagsResultsSoTheOrderCanBeRestored) {
  // With more than one worker, request 0 waits at a gate that this test opens only after the
  // other five have come back: completion order must then differ from submission order.
  // One worker would wait forever, so it runs without the gate.
  const bool parallel = GetParam().workers > 1;
  std::string gate;
  if (parallel) {
    gate = absl::StrCat(std::getenv("TEST_TMPDIR"), "/gate-", GetParam().label);
    unlink(gate.c_str());
    ASSERT_EQ(mkfifo(gate.c_str(), 0600), 0) << std::strerror(errno);
  }
  ASSERT_NO_FATAL_FAILURE(OpenOn(MakeGatedWorkload(gate)));
  const std::vector<Int64Value> numbers = Numbers(0, 5);
  Pool::Stream stream = pool_->Unordered(
      numbers.size(), [&](uint64_t i) { return numbers[i].SerializeAsString(); }, 1);
  std::vector<std::pair<uint64_t, std::string>> completed;
  while (true) {
    if (parallel && completed.size() == 5) {
      const int fd = open(gate.c_str(), O_WRONLY | O_CLOEXEC);  // Waits for request 0's reader.
      ASSERT_GE(fd, 0) << std::strerror(errno);
      ASSERT_EQ(write(fd, "g", 1), 1);
      close(fd);
    }
    absl::StatusOr<std::optional<Pool::Completed>> next = stream.Next();
    ASSERT_TRUE(next.ok()) << next.status();
    if (!next->has_value()) break;
    StringValue s;
    ASSERT_TRUE(s.ParseFromString((*next)->response));
    completed.emplace_back((*next)->index, s.value());
  }
  ASSERT_EQ(completed.size(), 6u);
  if (parallel) {
    EXPECT_EQ(completed.back().first, 0u) << "request 0 was let through last";
  }
  std::sort(completed.begin(), completed.end());
  for (size_t i = 0; i < completed.size(); ++i) {
    EXPECT_EQ(completed[i].first, i);
    EXPECT_EQ(completed[i].second, GatedString(static_cast<int64_t>(i)));
  }
}

TEST_P(PoolTest, UnorderedStreamSaysHowManyResultsHaveArrived) {
  ASSERT_NO_FATAL_FAILURE(Open("cube"));
  const std::vector<Int64Value> numbers = Numbers(1, 10);
  Pool::Stream stream = pool_->Unordered(
      numbers.size(), [&](uint64_t i) { return numbers[i].SerializeAsString(); }, 5);
  EXPECT_EQ(stream.Arrived(), 0u);
  // Results come a batch of 5 at a time: the first Next() waits for one, the next four are
  // already there.
  for (uint64_t batch = 0; batch < 2; ++batch) {
    for (int left = 4; left >= 0; --left) {
      absl::StatusOr<std::optional<Pool::Completed>> next = stream.Next();
      ASSERT_TRUE(next.ok() && next->has_value()) << next.status();
      EXPECT_EQ(stream.Arrived(), static_cast<uint64_t>(left));
    }
  }
  absl::StatusOr<std::optional<Pool::Completed>> end = stream.Next();
  ASSERT_TRUE(end.ok()) << end.status();
  EXPECT_FALSE(end->has_value());
}

TEST_P(PoolTest, AFailingRequestReportsItsErrorAndThePoolStaysUsable) {
  ASSERT_NO_FATAL_FAILURE(Open("cube"));
  // Only 13 fails among 10..16 (17 throws, below): which failure of several comes first
  // depends on which batch finishes first.
  absl::StatusOr<std::vector<Int64Value>> mapped = pool_->Map<Int64Value>(Numbers(10, 16));
  EXPECT_EQ(mapped.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(mapped.status().message(), HasSubstr("13 is unlucky"));

  Int64Value seventeen;
  seventeen.set_value(17);
  absl::StatusOr<Int64Value> thrown = pool_->Apply<Int64Value>(seventeen);
  EXPECT_EQ(thrown.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(thrown.status().message(), HasSubstr("threw an exception: 17 threw"));

  absl::StatusOr<std::vector<Int64Value>> again = pool_->Map<Int64Value>(Numbers(1, 3));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(Values(*again), ElementsAre(1, 8, 27));
}

TEST_P(PoolTest, AutomaticChunksGrowOnceRequestsAreMeasuredAsCheap) {
  ASSERT_NO_FATAL_FAILURE(Open("counter"));
  absl::StatusOr<std::vector<Int64Value>> mapped = pool_->Map<Int64Value>(Numbers(1, 20000));
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ(mapped->back().value(), 20000);
  // A request takes well under a microsecond, the target batch 20 ms: chunks are capped by
  // load balance (what is left / (4 x workers)) rather than left at 1.
  EXPECT_GT(pool_->stats().largest_chunk, 100u);
  EXPECT_LT(pool_->stats().batches, 20000u);
}

TEST_P(PoolTest, ExplicitChunksizeIsObeyed) {
  ASSERT_NO_FATAL_FAILURE(Open("counter"));
  absl::StatusOr<std::vector<Int64Value>> mapped =
      pool_->Map<Int64Value>(Numbers(1, 100), /*chunksize=*/7);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ(pool_->stats().largest_chunk, 7u);
  EXPECT_EQ(pool_->stats().batches, 15u);  // ceil(100 / 7)
}

TEST_P(PoolTest, AMillionRequestsAreNotAllMadeAtOnce) {
  PoolOptions options;
  options.max_batches_in_flight = 4;
  ASSERT_NO_FATAL_FAILURE(Open("counter", options));
  uint64_t made = 0;
  Pool::Stream stream = pool_->Unordered(1000000, [&made](uint64_t i) {
    ++made;
    Int64Value x;
    x.set_value(static_cast<int64_t>(i));
    return x.SerializeAsString();
  });
  absl::StatusOr<std::optional<Pool::Completed>> first = stream.Next();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(first->has_value());
  // Nothing is made before it is batched: 4 batches of one request (nothing measured
  // yet), then one more batch to refill the slot the first result freed.
  EXPECT_LE(made, 4 + pool_->stats().largest_chunk);
  // No batch takes more than its share of what is left.
  EXPECT_LE(pool_->stats().largest_chunk, 1000000u / (4 * executor_->parallelism()));
  EXPECT_LT(made, 1000000u);
  uint64_t received = 1;
  while (true) {
    absl::StatusOr<std::optional<Pool::Completed>> next = stream.Next();
    ASSERT_TRUE(next.ok()) << next.status();
    if (!next->has_value()) break;
    ++received;
  }
  EXPECT_EQ(received, 1000000u);
  EXPECT_EQ(made, 1000000u);
}

// A dropped Stream cancels what it still has outstanding: no request is made after the
// drop (its request function may capture what no longer exists: here the function reads a
// vector that is freed right after, which AddressSanitizer would catch), and the pool goes on
// with the next call.
TEST_P(PoolTest, DroppingAStreamCancelsItsOutstandingWork) {
  PoolOptions options;
  options.chunksize = 1;
  ASSERT_NO_FATAL_FAILURE(Open("counter", options));
  auto made = std::make_shared<uint64_t>(0);
  uint64_t made_at_drop = 0;
  {
    auto numbers = std::make_unique<std::vector<Int64Value>>(Numbers(1, 100000));
    const std::vector<Int64Value>* requests = numbers.get();
    Pool::Stream stream = pool_->Unordered(requests->size(), [requests, made](uint64_t i) {
      ++*made;
      return (*requests)[i].SerializeAsString();
    });
    absl::StatusOr<std::optional<Pool::Completed>> first = stream.Next();
    ASSERT_TRUE(first.ok()) << first.status();
    ASSERT_TRUE(first->has_value());
    made_at_drop = *made;
    EXPECT_LT(made_at_drop, 100000u);
    // The stream goes first, then what its function reads.
  }
  absl::StatusOr<std::vector<Int64Value>> next = pool_->Map<Int64Value>(Numbers(1, 50));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(Values(*next).back(), 50);
  EXPECT_EQ(*made, made_at_drop) << "requests were made after the stream was dropped";
}

TEST_P(PoolTest, DroppingAFutureCancelsItsOutstandingWork) {
  PoolOptions options;
  options.chunksize = 1;
  ASSERT_NO_FATAL_FAILURE(Open("counter", options));
  std::vector<std::string> requests;
  for (const Int64Value& x : Numbers(1, 20000)) requests.push_back(x.SerializeAsString());
  {
    Pool::Future future = pool_->MapAsync(std::move(requests));
    future.Poll();  // Some batches go out, and some may finish; none is waited for.
  }
  absl::StatusOr<std::vector<Int64Value>> again = pool_->Map<Int64Value>(Numbers(1, 3));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(Values(*again), ElementsAre(1, 2, 3));
  // Far fewer than the 20,000 requests of the dropped future ran.
  EXPECT_LT(pool_->stats().requests, 20000u);
}

TEST_P(PoolTest, PollAdvancesWithoutWaitingUntilTheFutureIsDone) {
  ASSERT_NO_FATAL_FAILURE(Open("cube"));
  Int64Value three;
  three.set_value(3);
  Pool::Future future = pool_->ApplyAsync(three.SerializeAsString());
  while (!future.Poll()) {
  }
  absl::StatusOr<std::string> cubed = future.Get();
  ASSERT_TRUE(cubed.ok()) << cubed.status();
  Int64Value value;
  ASSERT_TRUE(value.ParseFromString(*cubed));
  EXPECT_EQ(value.value(), 27);
}

std::vector<ExecutorCase> Executors() {
  std::vector<ExecutorCase> cases = {{"serial", "serial", 0, ""}, {"threads", "threads", 2, ""}};
  const std::vector<std::string> names = Registry<Executor>::Global().Names();
  // Under mpirun (executors/mpi:mpi_pool_test) the mpi executor has worker ranks.
  const bool under_mpirun = InMpiJob();
  if (under_mpirun && std::find(names.begin(), names.end(), "mpi") != names.end()) {
    cases.push_back({"mpi", "mpi", 2, ""});
  }
  if (std::find(names.begin(), names.end(), "process") != names.end()) {
#ifndef __SANITIZE_THREAD__
    // ThreadSanitizer keeps a thread of its own once any thread has run, and the fork start
    // method rightly refuses a multi-threaded process; spawn covers processes under TSan.
    // Open MPI does not support fork() after MPI_Init.
    if (!under_mpirun) cases.push_back({"process_fork", "process", 2, "fork"});
#endif
    cases.push_back({"process_spawn", "process", 2, "spawn"});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Executors, PoolTest, testing::ValuesIn(Executors()),
                         [](const testing::TestParamInfo<ExecutorCase>& info) {
                           return info.param.label;
                         });

}  // namespace
}  // namespace parsweep
