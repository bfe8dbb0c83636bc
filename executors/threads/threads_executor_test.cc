// The threads executor when the system refuses a thread: Start() fails naming the thread,
// the cause and the limit, stops the threads it had started, and can start again once the
// limit allows.
#include <memory>
#include <optional>

#include "executors/process/test_support.h"
#include "gmock/gmock.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"
#include "proto/executor.pb.h"
#include "proto/work.pb.h"
#include "runtime/plugin/executor.h"
#include "runtime/plugin/registry.h"
#include "runtime/testing/toy_workloads.h"

namespace parsweep {
namespace {

using ::testing::ContainsRegex;

#if defined(__SANITIZE_THREAD__)
constexpr bool kThreadSanitizer = true;
#else
constexpr bool kThreadSanitizer = false;
#endif

// Runs in a child of the test, since the limit stays for good.
void StartUnderAnAddressSpaceLimit() {
  ExecutorSpec spec;
  spec.set_name("threads");
  spec.set_workers(64);
  absl::StatusOr<std::unique_ptr<Executor>> executor = Registry<Executor>::Global().Create(spec);
  ASSERT_TRUE(executor.ok()) << executor.status();
  const std::unique_ptr<Workload> cube = MakeToyWorkload("cube");
  const int threads_before = CountThreads();
  ASSERT_TRUE(LimitNewThreads(4));
  const absl::Status started = (*executor)->Start(*cube);
  EXPECT_EQ(started.code(), absl::StatusCode::kResourceExhausted) << started;
  EXPECT_THAT(std::string(started.message()),
              ContainsRegex("^executor 'threads': cannot start thread [1-9] of 64: Resource "
                            "temporarily unavailable \\(the address space limit, ulimit -v, "
                            "is [0-9]+ KiB\\)$"));
  // The threads that did start were joined before Start() returned (a joined thread may
  // take a moment to leave /proc). ThreadSanitizer starts a thread of its own meanwhile.
  if (!kThreadSanitizer) {
    EXPECT_TRUE(WaitFor([threads_before] { return CountThreads() == threads_before; }, 1.0))
        << CountThreads() << " threads, " << threads_before << " before Start()";
  }

  ASSERT_TRUE(LimitAddressSpace(size_t{1} << 40));
  const absl::Status restarted = (*executor)->Start(*cube);
  ASSERT_TRUE(restarted.ok()) << restarted;
  WorkBatch batch;
  batch.set_id(1);
  google::protobuf::Int64Value three;
  three.set_value(3);
  WorkItem& item = *batch.add_items();
  item.set_request(three.SerializeAsString());
  ASSERT_TRUE((*executor)->Submit(batch).ok());
  absl::StatusOr<WorkBatchResult> result = (*executor)->Next();
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->responses_size(), 1);
  google::protobuf::Int64Value cubed;
  ASSERT_TRUE(cubed.ParseFromString(result->responses(0)));
  EXPECT_EQ(cubed.value(), 27);
}

TEST(ThreadsExecutorTest, ThreadTheSystemRefusesFailsStartAndLeavesNoneRunning) {
  EXPECT_TRUE(RunInChild(StartUnderAnAddressSpaceLimit));
}

}  // namespace
}  // namespace parsweep
