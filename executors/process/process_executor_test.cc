#include "executors/process/process_executor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "executors/process/test_support.h"
#include "executors/process/test_workloads.h"
#include "executors/process/worker_process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/executor.pb.h"
#include "proto/work.pb.h"
#include "runtime/plugin/executor.h"
#include "runtime/plugin/registry.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

ExecutorSpec Spec(absl::string_view method, int workers = 2,
                  std::map<std::string, std::string> params = {}) {
  ExecutorSpec spec;
  spec.set_name("process");
  spec.set_workers(workers);
  (*spec.mutable_params())["start_method"] = std::string(method);
  for (const auto& [key, value] : params) (*spec.mutable_params())[key] = value;
  return spec;
}

std::unique_ptr<Executor> Make(const ExecutorSpec& spec) {
  absl::StatusOr<std::unique_ptr<Executor>> executor = Registry<Executor>::Global().Create(spec);
  EXPECT_TRUE(executor.ok()) << executor.status();
  return executor.ok() ? *std::move(executor) : nullptr;
}

// Make, then Start(workload); nullptr (and a test failure) if either fails.
std::unique_ptr<Executor> MakeStarted(const ExecutorSpec& spec, const Workload& workload) {
  std::unique_ptr<Executor> executor = Make(spec);
  if (executor == nullptr) return nullptr;
  const absl::Status started = executor->Start(workload);
  EXPECT_TRUE(started.ok()) << started;
  return started.ok() ? std::move(executor) : nullptr;
}

// A batch cubing `xs`, whose items are numbered from `first_index`.
WorkBatch CubeBatch(uint64_t id, const std::vector<int64_t>& xs, uint64_t first_index) {
  WorkBatch batch;
  batch.set_id(id);
  for (size_t i = 0; i < xs.size(); ++i) {
    WorkItem* item = batch.add_items();
    item->set_index(first_index + i);
    item->set_request(CubeRequest(xs[i]));
  }
  return batch;
}

// Submits every batch, then collects every result, keyed by batch id.
std::map<uint64_t, WorkBatchResult> RunAll(Executor& executor, std::vector<WorkBatch> batches) {
  std::map<uint64_t, WorkBatchResult> results;
  const size_t count = batches.size();
  for (WorkBatch& batch : batches) {
    const absl::Status submitted = executor.Submit(std::move(batch));
    EXPECT_TRUE(submitted.ok()) << submitted;
  }
  for (size_t i = 0; i < count; ++i) {
    absl::StatusOr<WorkBatchResult> result = executor.Next();
    if (!result.ok()) {
      ADD_FAILURE() << result.status();
      break;
    }
    EXPECT_TRUE(results.emplace(result->id(), *result).second) << "twice: " << result->id();
  }
  return results;
}

WorkBatchResult RunOne(Executor& executor, WorkBatch batch) {
  const uint64_t id = batch.id();
  std::map<uint64_t, WorkBatchResult> results = RunAll(executor, {std::move(batch)});
  return results[id];
}

std::vector<int64_t> Values(const WorkBatchResult& result) {
  std::vector<int64_t> values;
  for (const std::string& response : result.responses()) values.push_back(CubeResponse(response));
  return values;
}

FaultConfig Fault(FaultConfig::Stage stage, FaultConfig::Action action, int64_t trigger) {
  FaultConfig config;
  config.set_stage(stage);
  config.set_action(action);
  config.set_trigger(trigger);
  config.set_marker_path(TestPath("marker"));
  config.set_pid_path(TestPath("pids"));
  return config;
}

// A cube that cannot leave this process.
class UnexportableCube : public Workload {
 public:
  absl::StatusOr<std::string> Run(absl::string_view request) const override {
    return cube_.Run(request);
  }

 private:
  CubeWorkload cube_;
};

class ProcessExecutorTest : public ::testing::TestWithParam<std::string> {
 protected:
  const std::string& method() const { return GetParam(); }
  bool spawn() const { return GetParam() == "spawn"; }

  HangGuard guard_{absl::StrCat("a ProcessExecutorTest (", GetParam(), ")"), 60};
};

INSTANTIATE_TEST_SUITE_P(StartMethods, ProcessExecutorTest, ::testing::Values("fork", "spawn"),
                         [](const auto& info) { return info.param; });

TEST_P(ProcessExecutorTest, CubesOneToSix) {
  std::unique_ptr<Executor> executor = Make(Spec(method()));
  ASSERT_NE(executor, nullptr);
  EXPECT_EQ(executor->parallelism(), 2);
  CubeWorkload cube;
  ASSERT_TRUE(executor->Start(cube).ok());
  std::vector<WorkBatch> batches;
  for (int64_t x = 1; x <= 6; ++x) batches.push_back(CubeBatch(100 + x, {x}, x));
  std::map<int64_t, int64_t> by_index;
  for (const auto& [id, result] : RunAll(*executor, batches)) {
    EXPECT_FALSE(result.has_error()) << result.error().message();
    ASSERT_THAT(result.responses(), SizeIs(1));
    by_index[static_cast<int64_t>(id) - 100] = CubeResponse(result.responses(0));
  }
  EXPECT_EQ(by_index,
            (std::map<int64_t, int64_t>{{1, 1}, {2, 8}, {3, 27}, {4, 64}, {5, 125}, {6, 216}}));
}

TEST_P(ProcessExecutorTest, ManyBatchesOfSeveralItems) {
  CubeWorkload cube;
  std::unique_ptr<Executor> executor = MakeStarted(Spec(method(), 3), cube);
  ASSERT_NE(executor, nullptr);
  std::vector<WorkBatch> batches;
  for (int b = 0; b < 60; ++b) {
    std::vector<int64_t> xs;
    for (int i = 0; i < 5; ++i) xs.push_back(b * 5 + i);
    batches.push_back(CubeBatch(b, xs, b * 5));
  }
  const std::map<uint64_t, WorkBatchResult> results = RunAll(*executor, batches);
  ASSERT_EQ(results.size(), 60u);
  for (const auto& [id, result] : results) {
    EXPECT_FALSE(result.has_error());
    for (int i = 0; i < 5; ++i) {
      const int64_t x = static_cast<int64_t>(id) * 5 + i;
      ASSERT_EQ(Values(result).at(i), x * x * x) << "batch " << id << " item " << i;
    }
  }
}

TEST_P(ProcessExecutorTest, WorkerKilledMidBatchIsRetried) {
  const FaultConfig config = Fault(FaultConfig::RUN, FaultConfig::SIGKILL_ONCE, 2);
  FaultWorkload workload(config);
  std::unique_ptr<Executor> executor = MakeStarted(Spec(method()), workload);
  ASSERT_NE(executor, nullptr);
  const WorkBatchResult result = RunOne(*executor, CubeBatch(1, {1, 2, 3}, 10));
  EXPECT_FALSE(result.has_error()) << result.error().message();
  EXPECT_EQ(Values(result), (std::vector<int64_t>{1, 8, 27}));
  const std::vector<pid_t> pids = ReadPids(config.pid_path());
  ASSERT_THAT(pids, SizeIs(2));  // The killed attempt and the retry.
  EXPECT_NE(pids[0], pids[1]);
  EXPECT_TRUE(ProcessIsGone(pids[0]));
}

TEST_P(ProcessExecutorTest, WorkerKilledWithoutRetriesFailsItsBatchNamingIt) {
  const FaultConfig config = Fault(FaultConfig::RUN, FaultConfig::SIGKILL_ONCE, 2);
  FaultWorkload workload(config);
  std::unique_ptr<Executor> executor =
      MakeStarted(Spec(method(), 2, {{"max_retries", "0"}}), workload);
  ASSERT_NE(executor, nullptr);
  const WorkBatchResult failed = RunOne(*executor, CubeBatch(1, {1, 2, 3}, 10));
  const std::vector<pid_t> pids = ReadPids(config.pid_path());
  ASSERT_THAT(pids, SizeIs(1));
  ASSERT_TRUE(failed.has_error());
  EXPECT_EQ(failed.error().code(), static_cast<int>(absl::StatusCode::kUnavailable));
  EXPECT_EQ(failed.error().index(), 10u);
  EXPECT_EQ(failed.error().message(),
            absl::StrCat("worker pid ", pids[0],
                         " killed by signal 9 (Killed) while running the batch starting at "
                         "item 10, after 0 retries"));

  // Still usable: the marker exists now, so the same batch succeeds.
  const WorkBatchResult again = RunOne(*executor, CubeBatch(2, {1, 2, 3}, 10));
  EXPECT_FALSE(again.has_error()) << again.error().message();
  EXPECT_EQ(Values(again), (std::vector<int64_t>{1, 8, 27}));
}

// Submits `batch`, whose item config.trigger() waits (WAIT_FOR_KILL_ONCE), and returns the
// pid of the worker stuck in it; 0 if none is found within 30 s.
pid_t SubmitAndFindTheStuckWorker(Executor& executor, const FaultConfig& config, WorkBatch batch) {
  if (!executor.Submit(std::move(batch)).ok()) return 0;
  if (!WaitFor([&] { return !ReadPids(config.pid_path()).empty(); }, 30)) return 0;
  return ReadPids(config.pid_path()).at(0);
}

TEST_P(ProcessExecutorTest, WorkerKilledFromOutsideIsRetried) {
  const FaultConfig config = Fault(FaultConfig::RUN, FaultConfig::WAIT_FOR_KILL_ONCE, 4);
  FaultWorkload workload(config);
  std::unique_ptr<Executor> executor = MakeStarted(Spec(method()), workload);
  ASSERT_NE(executor, nullptr);
  const pid_t victim = SubmitAndFindTheStuckWorker(*executor, config, CubeBatch(1, {3, 4, 5}, 0));
  ASSERT_GT(victim, 0);
  ASSERT_EQ(kill(victim, SIGKILL), 0);
  absl::StatusOr<WorkBatchResult> result = executor->Next();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->has_error()) << result->error().message();
  EXPECT_EQ(Values(*result), (std::vector<int64_t>{27, 64, 125}));
  EXPECT_TRUE(ProcessIsGone(victim));
}

TEST_P(ProcessExecutorTest, IdleWorkerThatDiedIsReplacedWhenGivenABatch) {
  const FaultConfig config = Fault(FaultConfig::RUN, FaultConfig::NONE, 1);
  FaultWorkload workload(config);
  std::unique_ptr<Executor> executor = MakeStarted(Spec(method(), 1), workload);
  ASSERT_NE(executor, nullptr);
  EXPECT_EQ(Values(RunOne(*executor, CubeBatch(1, {1}, 0))), (std::vector<int64_t>{1}));
  const std::vector<pid_t> first = ReadPids(config.pid_path());
  ASSERT_THAT(first, SizeIs(1));
  // Killed while idle, and gone before the next Submit() writes to its pipe.
  ASSERT_EQ(kill(first[0], SIGKILL), 0);
  ASSERT_TRUE(WaitFor([&] { return ProcessIsGone(first[0]); }, 30));
  EXPECT_EQ(Values(RunOne(*executor, CubeBatch(2, {1, 2}, 0))), (std::vector<int64_t>{1, 8}));
  const std::vector<pid_t> pids = ReadPids(config.pid_path());
  ASSERT_THAT(pids, SizeIs(2));
  EXPECT_NE(pids[1], first[0]);
}

TEST_P(ProcessExecutorTest, ExceptionIsAnInternalErrorOfItsItem) {
  FaultWorkload workload(Fault(FaultConfig::RUN, FaultConfig::THROW, 2));
  std::unique_ptr<Executor> executor = MakeStarted(Spec(method()), workload);
  ASSERT_NE(executor, nullptr);
  const WorkBatchResult failed = RunOne(*executor, CubeBatch(1, {1, 2, 3}, 10));
  ASSERT_TRUE(failed.has_error());
  EXPECT_EQ(failed.error().code(), static_cast<int>(absl::StatusCode::kInternal));
  EXPECT_EQ(failed.error().index(), 11u);
  EXPECT_THAT(failed.error().message(), HasSubstr("injected exception at RUN"));
  EXPECT_EQ(Values(failed), (std::vector<int64_t>{1}));
  EXPECT_EQ(Values(RunOne(*executor, CubeBatch(2, {4, 5}, 0))), (std::vector<int64_t>{64, 125}));
}

TEST_P(ProcessExecutorTest, CorruptRepliesFailTheirBatchWithDataLoss) {
  std::unique_ptr<Executor> executor = Make(Spec(method(), 2, {{"max_frame_bytes", "4096"}}));
  ASSERT_NE(executor, nullptr);
  const std::vector<std::pair<FaultConfig::Action, std::string>> cases = {
      {FaultConfig::GARBLE_REPLY, "does not parse as parsweep.FromWorker"},
      {FaultConfig::OVERSIZE_REPLY, "2147483648 bytes, more than the limit of 4096"},
      {FaultConfig::TRUNCATE_REPLY, "ended inside a frame"},
  };
  for (const auto& [action, expected] : cases) {
    SCOPED_TRACE(FaultConfig::Action_Name(action));
    const FaultConfig config = Fault(FaultConfig::RUN, action, 2);
    FaultWorkload workload(config);
    ASSERT_TRUE(executor->Start(workload).ok());
    const WorkBatchResult failed = RunOne(*executor, CubeBatch(1, {1, 2}, 30));
    const std::vector<pid_t> pids = ReadPids(config.pid_path());
    ASSERT_THAT(pids, SizeIs(1));  // Not retried.
    ASSERT_TRUE(failed.has_error());
    EXPECT_EQ(failed.error().code(), static_cast<int>(absl::StatusCode::kDataLoss));
    EXPECT_EQ(failed.error().index(), 30u);
    EXPECT_THAT(failed.error().message(), HasSubstr(absl::StrCat("worker pid ", pids[0], ": ")));
    EXPECT_THAT(failed.error().message(), HasSubstr(expected));
    EXPECT_THAT(failed.error().message(), HasSubstr("the batch starting at item 30"));
    EXPECT_TRUE(ProcessIsGone(pids[0]));
    EXPECT_EQ(Values(RunOne(*executor, CubeBatch(2, {5}, 0))), (std::vector<int64_t>{125}));
  }
}

TEST_P(ProcessExecutorTest, ResultLargerThanAFrameTravelsInPieces) {
  CubeWorkload cube;
  std::unique_ptr<Executor> executor =
      MakeStarted(Spec(method(), 2, {{"max_frame_bytes", "1024"}}), cube);
  ASSERT_NE(executor, nullptr);
  std::vector<int64_t> values;
  std::vector<int64_t> cubes;
  for (int64_t v = 1000000; v < 1000500; ++v) {  // 500 responses of ~10 bytes: 5 frames.
    values.push_back(v);
    cubes.push_back(v * v * v);
  }
  for (uint64_t id = 1; id <= 3; ++id) {  // The pieces of one result do not leak into the next.
    const WorkBatchResult result = RunOne(*executor, CubeBatch(id, values, 0));
    EXPECT_FALSE(result.has_error()) << result.error().message();
    EXPECT_EQ(Values(result), cubes);
  }
}

TEST_P(ProcessExecutorTest, StoppedWorkerIsKilledAndItsBatchRunsAgain) {
  const FaultConfig config = Fault(FaultConfig::RUN, FaultConfig::WAIT_FOR_KILL_ONCE, 4);
  FaultWorkload workload(config);
  std::unique_ptr<Executor> executor =
      MakeStarted(Spec(method(), 2, {{"heartbeat_timeout", "1s"}}), workload);
  ASSERT_NE(executor, nullptr);
  const pid_t victim = SubmitAndFindTheStuckWorker(*executor, config, CubeBatch(1, {3, 4, 5}, 0));
  ASSERT_GT(victim, 0);
  ASSERT_EQ(kill(victim, SIGSTOP), 0);
  absl::StatusOr<WorkBatchResult> result = executor->Next();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->has_error()) << result->error().message();
  EXPECT_EQ(Values(*result), (std::vector<int64_t>{27, 64, 125}));
  EXPECT_TRUE(ProcessIsGone(victim));
}

TEST_P(ProcessExecutorTest, StoppedWorkerWithoutRetriesFailsSayingWhatWasSeen) {
  const FaultConfig config = Fault(FaultConfig::RUN, FaultConfig::WAIT_FOR_KILL_ONCE, 4);
  FaultWorkload workload(config);
  std::unique_ptr<Executor> executor =
      MakeStarted(Spec(method(), 1, {{"heartbeat_timeout", "1s"}, {"max_retries", "0"}}), workload);
  ASSERT_NE(executor, nullptr);
  const pid_t victim = SubmitAndFindTheStuckWorker(*executor, config, CubeBatch(1, {3, 4, 5}, 20));
  ASSERT_GT(victim, 0);
  ASSERT_EQ(kill(victim, SIGSTOP), 0);
  absl::StatusOr<WorkBatchResult> failed = executor->Next();
  ASSERT_TRUE(failed.ok()) << failed.status();
  ASSERT_TRUE(failed->has_error());
  EXPECT_EQ(failed->error().code(), static_cast<int>(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(failed->error().index(), 20u);  // The batch is lost as a whole.
  EXPECT_THAT(failed->error().message(),
              HasSubstr(absl::StrCat("worker pid ", victim, " sent no heartbeat for ")));
  EXPECT_THAT(failed->error().message(),
              HasSubstr("(the limit is 1s) while running the batch starting at item 20; it was "
                        "stopped (SIGSTOP or a terminal stop), and was killed"));
  EXPECT_TRUE(ProcessIsGone(victim));
  // A fresh worker took its place.
  EXPECT_EQ(Values(RunOne(*executor, CubeBatch(2, {2}, 0))), (std::vector<int64_t>{8}));
}

TEST_P(ProcessExecutorTest, BatchPastTheTaskTimeoutIsKilledAndRunsAgain) {
  // The stuck attempt still beats (its heartbeat thread runs on); only the timeout ends it.
  const FaultConfig config = Fault(FaultConfig::RUN, FaultConfig::WAIT_FOR_KILL_ONCE, 4);
  FaultWorkload workload(config);
  std::unique_ptr<Executor> executor = MakeStarted(
      Spec(method(), 2, {{"task_timeout", "3s"}, {"heartbeat_timeout", "1s"}}), workload);
  ASSERT_NE(executor, nullptr);
  const WorkBatchResult result = RunOne(*executor, CubeBatch(1, {3, 4, 5}, 0));
  EXPECT_FALSE(result.has_error()) << result.error().message();
  EXPECT_EQ(Values(result), (std::vector<int64_t>{27, 64, 125}));
  const std::vector<pid_t> pids = ReadPids(config.pid_path());
  ASSERT_THAT(pids, SizeIs(1));  // Only the stuck first attempt announces itself.
  EXPECT_TRUE(ProcessIsGone(pids[0]));
}

TEST_P(ProcessExecutorTest, BatchPastTheTaskTimeoutWithoutRetriesIsDeadlineExceeded) {
  const FaultConfig config = Fault(FaultConfig::RUN, FaultConfig::HANG, 4);
  FaultWorkload workload(config);
  std::unique_ptr<Executor> executor =
      MakeStarted(Spec(method(), 1, {{"task_timeout", "500ms"}, {"max_retries", "0"}}), workload);
  ASSERT_NE(executor, nullptr);
  const WorkBatchResult failed = RunOne(*executor, CubeBatch(1, {3, 4, 5}, 0));
  ASSERT_TRUE(failed.has_error());
  EXPECT_EQ(failed.error().code(), static_cast<int>(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(failed.error().message(), HasSubstr(", past the task timeout of 500ms"));
  EXPECT_THAT(failed.error().message(), HasSubstr("after 0 retries"));
}

TEST_P(ProcessExecutorTest, LeavesNoDescriptorOrChildBehind) {
  const int fds_before = CountOpenFds();
  std::vector<pid_t> hung;
  {
    std::unique_ptr<Executor> executor = Make(Spec(method()));
    ASSERT_NE(executor, nullptr);
    CubeWorkload cube;
    ASSERT_TRUE(executor->Start(cube).ok());
    EXPECT_EQ(Values(RunOne(*executor, CubeBatch(1, {2}, 0))), (std::vector<int64_t>{8}));
    // A worker lost and replaced.
    FaultWorkload killed(Fault(FaultConfig::RUN, FaultConfig::SIGKILL_ONCE, 3));
    ASSERT_TRUE(executor->Start(killed).ok());
    EXPECT_EQ(Values(RunOne(*executor, CubeBatch(2, {3}, 0))), (std::vector<int64_t>{27}));
    // Destroyed with a batch still running in a worker that ignores its closed pipe.
    const FaultConfig hang_config = Fault(FaultConfig::RUN, FaultConfig::HANG, 4);
    FaultWorkload hang(hang_config);
    ASSERT_TRUE(executor->Start(hang).ok());
    ASSERT_TRUE(executor->Submit(CubeBatch(3, {4}, 0)).ok());
    ASSERT_TRUE(WaitFor([&] { return !ReadPids(hang_config.pid_path()).empty(); }, 30));
    hung = ReadPids(hang_config.pid_path());
  }
  EXPECT_EQ(CountOpenFds(), fds_before);
  EXPECT_FALSE(HasUnreapedChildren());
  ASSERT_THAT(hung, SizeIs(1));
  EXPECT_TRUE(ProcessIsGone(hung[0]));
}

// Runs in a child of the test: gives each of two workers a batch that hangs (so only
// PR_SET_PDEATHSIG, not EOF on an idle worker's pipe, can end them), says on `ready_fd` when
// both have recorded their pids, and waits to be killed.
[[noreturn]] void ServeUntilKilled(const std::string& method, const std::string& pid_path,
                                   int ready_fd) {
  if (method == "fork" && !CheckSingleThreaded().ok()) {
    // ThreadSanitizer starts a thread in every forked child, so this one cannot fork.
    if (write(ready_fd, "s", 1) != 1) _exit(1);
    _exit(0);
  }
  absl::StatusOr<std::unique_ptr<Executor>> executor =
      Registry<Executor>::Global().Create(Spec(method, 2));
  FaultConfig config;
  config.set_stage(FaultConfig::RUN);
  config.set_action(FaultConfig::HANG);
  config.set_trigger(1);
  config.set_pid_path(pid_path);
  FaultWorkload workload(config);
  absl::Status status = executor.status();
  if (status.ok()) status = (*executor)->Start(workload);
  // Two batches submitted at once go to the two idle workers.
  for (uint64_t id : {1, 2}) {
    if (status.ok()) status = (*executor)->Submit(CubeBatch(id, {1}, 0));
  }
  if (status.ok() && !WaitFor([&] { return ReadPids(pid_path).size() == 2; }, 30)) {
    status = absl::DeadlineExceededError("the workers did not record their pids");
  }
  if (!status.ok()) std::fprintf(stderr, "ServeUntilKilled: %s\n", status.ToString().c_str());
  const bool ok = status.ok();
  const char answer = ok ? 'y' : 'n';
  if (write(ready_fd, &answer, 1) != 1) _exit(1);
  for (;;) pause();
}

TEST_P(ProcessExecutorTest, WorkersDieWithTheirParent) {
  const std::string pid_path = TestPath("pids");
  int ready_pipe[2];
  ASSERT_EQ(pipe2(ready_pipe, O_CLOEXEC), 0);
  const pid_t parent = fork();
  ASSERT_GE(parent, 0);
  if (parent == 0) {
    close(ready_pipe[0]);
    ServeUntilKilled(method(), pid_path, ready_pipe[1]);
  }
  close(ready_pipe[1]);
  char answer = 0;
  const bool ready = read(ready_pipe[0], &answer, 1) == 1 && answer == 'y';
  close(ready_pipe[0]);
  const std::vector<pid_t> workers = ReadPids(pid_path);
  kill(parent, SIGKILL);
  int status;
  ASSERT_EQ(waitpid(parent, &status, 0), parent);
  if (answer == 's') GTEST_SKIP() << "a forked child of this process has other threads";
  ASSERT_TRUE(ready);
  ASSERT_THAT(workers, SizeIs(2));
  EXPECT_NE(workers[0], workers[1]);
  for (pid_t worker : workers) {
    EXPECT_TRUE(WaitFor([worker] { return ProcessIsGone(worker); }, 10))
        << "worker " << worker << " outlived its parent";
  }
}

TEST_P(ProcessExecutorTest, ForkIsRefusedWhileOtherThreadsRun) {
  EXPECT_TRUE(RunInChild([&] {
    std::promise<void> release;
    std::thread thread([done = release.get_future()] { done.wait(); });
    std::unique_ptr<Executor> executor = Make(Spec(method()));
    CubeWorkload cube;
    const absl::Status started = executor != nullptr ? executor->Start(cube) : absl::OkStatus();
    std::vector<int64_t> values;
    if (started.ok() && executor != nullptr) {
      values = Values(RunOne(*executor, CubeBatch(1, {3}, 0)));
    }
    executor.reset();
    release.set_value();
    thread.join();
    if (spawn()) {
      EXPECT_TRUE(started.ok()) << started;
      EXPECT_EQ(values, (std::vector<int64_t>{27}));
    } else {
      EXPECT_EQ(started.code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_THAT(started.message(), HasSubstr("use start_method=spawn"));
    }
  }));
}

TEST_P(ProcessExecutorTest, UnknownWorkloadNameFailsSpawnedStart) {
  std::unique_ptr<Executor> executor = Make(Spec(method()));
  ASSERT_NE(executor, nullptr);
  CubeWorkload unregistered("no_such_workload");
  const absl::Status started = executor->Start(unregistered);
  if (spawn()) {
    EXPECT_EQ(started.code(), absl::StatusCode::kNotFound);
    EXPECT_THAT(started.message(), HasSubstr("could not build workload 'no_such_workload'"));
    EXPECT_THAT(started.message(), HasSubstr("worker pid "));
    EXPECT_THAT(started.message(),
                HasSubstr("known workloads: process_test_cube, process_test_fault"));
    EXPECT_EQ(executor->Submit(CubeBatch(1, {1}, 0)).code(), absl::StatusCode::kFailedPrecondition);
  } else {  // A forked worker uses the object itself.
    ASSERT_TRUE(started.ok()) << started;
    EXPECT_EQ(Values(RunOne(*executor, CubeBatch(1, {2}, 0))), (std::vector<int64_t>{8}));
  }
  CubeWorkload cube;  // Start can be tried again.
  ASSERT_TRUE(executor->Start(cube).ok());
  EXPECT_EQ(Values(RunOne(*executor, CubeBatch(1, {3}, 0))), (std::vector<int64_t>{27}));
}

TEST_P(ProcessExecutorTest, UnexportableWorkloadRunsOnlyForked) {
  std::unique_ptr<Executor> executor = Make(Spec(method()));
  ASSERT_NE(executor, nullptr);
  UnexportableCube workload;
  const absl::Status started = executor->Start(workload);
  if (spawn()) {
    EXPECT_EQ(started.code(), absl::StatusCode::kUnimplemented);
    EXPECT_THAT(started.message(), HasSubstr("cannot be exported"));
  } else {
    ASSERT_TRUE(started.ok()) << started;
    EXPECT_EQ(Values(RunOne(*executor, CubeBatch(1, {4}, 0))), (std::vector<int64_t>{64}));
  }
}

TEST_P(ProcessExecutorTest, MisuseIsFailedPrecondition) {
  std::unique_ptr<Executor> executor = Make(Spec(method()));
  ASSERT_NE(executor, nullptr);
  EXPECT_EQ(executor->Submit(CubeBatch(1, {1}, 0)).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(executor->Next().status().code(), absl::StatusCode::kFailedPrecondition);
  CubeWorkload cube;
  ASSERT_TRUE(executor->Start(cube).ok());
  EXPECT_EQ(executor->Next().status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(executor->Submit(CubeBatch(1, {1}, 0)).ok());
  EXPECT_EQ(executor->Start(cube).code(), absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<WorkBatchResult> result = executor->Next();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(Values(*result), (std::vector<int64_t>{1}));
}

TEST_P(ProcessExecutorTest, StartsAgainWithAnotherWorkload) {
  CubeWorkload cube;
  std::unique_ptr<Executor> executor = MakeStarted(Spec(method()), cube);
  ASSERT_NE(executor, nullptr);
  EXPECT_EQ(Values(RunOne(*executor, CubeBatch(1, {2}, 0))), (std::vector<int64_t>{8}));
  FaultWorkload failing(Fault(FaultConfig::RUN, FaultConfig::RETURN_ERROR, 2));
  ASSERT_TRUE(executor->Start(failing).ok());
  const WorkBatchResult result = RunOne(*executor, CubeBatch(2, {2}, 0));
  ASSERT_TRUE(result.has_error());
  EXPECT_EQ(result.error().message(), "injected error at RUN");
}

// {error, exit(3), SIGSEGV} x {decode, run, encode} x {fork, spawn}.
class CrashMatrixTest : public ::testing::TestWithParam<
                            std::tuple<std::string, FaultConfig::Stage, FaultConfig::Action>> {
 protected:
  HangGuard guard_{"a CrashMatrixTest", 60};
};

INSTANTIATE_TEST_SUITE_P(AllCases, CrashMatrixTest,
                         ::testing::Combine(::testing::Values("fork", "spawn"),
                                            ::testing::Values(FaultConfig::DECODE, FaultConfig::RUN,
                                                              FaultConfig::ENCODE),
                                            ::testing::Values(FaultConfig::RETURN_ERROR,
                                                              FaultConfig::EXIT_3,
                                                              FaultConfig::SEGFAULT)),
                         [](const auto& info) {
                           return absl::StrCat(std::get<0>(info.param), "_",
                                               FaultConfig::Stage_Name(std::get<1>(info.param)),
                                               "_",
                                               FaultConfig::Action_Name(std::get<2>(info.param)));
                         });

TEST_P(CrashMatrixTest, FailureComesBackAsTheBatchError) {
  const auto& [method, stage, action] = GetParam();
  const FaultConfig config = Fault(stage, action, 3);
  FaultWorkload workload(config);
  std::unique_ptr<Executor> executor = MakeStarted(Spec(method), workload);
  ASSERT_NE(executor, nullptr);
  // Items 10..14 hold 1..5; the one holding 3 (item 12) faults.
  const WorkBatchResult result = RunOne(*executor, CubeBatch(1, {1, 2, 3, 4, 5}, 10));
  const std::vector<pid_t> pids = ReadPids(config.pid_path());
  ASSERT_TRUE(result.has_error());

  if (action == FaultConfig::RETURN_ERROR) {
    EXPECT_EQ(result.error().code(), static_cast<int>(absl::StatusCode::kInvalidArgument));
    EXPECT_EQ(result.error().index(), 12u);
    EXPECT_EQ(result.error().message(),
              absl::StrCat("injected error at ", FaultConfig::Stage_Name(stage)));
    EXPECT_EQ(Values(result), (std::vector<int64_t>{1, 8}));
    EXPECT_THAT(pids, SizeIs(1));
  } else {
    // The first attempt and two retries, each on a worker of its own.
    ASSERT_THAT(pids, SizeIs(3));
    EXPECT_EQ(std::set<pid_t>(pids.begin(), pids.end()).size(), 3u);
    const std::string end = action == FaultConfig::EXIT_3
                                ? "exited with status 3"
                                : "killed by signal 11 (Segmentation fault)";
    EXPECT_EQ(result.error().code(), static_cast<int>(absl::StatusCode::kUnavailable));
    EXPECT_EQ(result.error().index(), 10u);
    EXPECT_EQ(result.error().message(),
              absl::StrCat("worker pid ", pids.back(), " ", end,
                           " while running the batch starting at item 10, after 2 retries"));
    EXPECT_THAT(result.responses(), SizeIs(0));
    for (pid_t pid : pids) EXPECT_TRUE(ProcessIsGone(pid)) << pid;
  }
  // The executor goes on.
  EXPECT_EQ(Values(RunOne(*executor, CubeBatch(2, {4, 6}, 20))), (std::vector<int64_t>{64, 216}));
}

TEST(ProcessExecutorFactoryTest, IsRegisteredAsProcess) {
  EXPECT_THAT(Registry<Executor>::Global().Names(), ::testing::Contains("process"));
}

TEST(ProcessExecutorFactoryTest, ParsesParameters) {
  absl::StatusOr<ProcessExecutorOptions> options =
      ParseProcessExecutorOptions(Spec("spawn", 3,
                                       {{"max_retries", "5"},
                                        {"max_frame_bytes", "1024"},
                                        {"task_timeout", "90s"},
                                        {"heartbeat_timeout", "inf"}}));
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->workers, 3);
  EXPECT_EQ(options->start_method, ProcessExecutorOptions::StartMethod::kSpawn);
  EXPECT_EQ(options->max_retries, 5);
  EXPECT_EQ(options->max_frame_bytes, 1024u);
  EXPECT_EQ(options->task_timeout, absl::Seconds(90));
  EXPECT_EQ(options->heartbeat_timeout, absl::InfiniteDuration());

  ExecutorSpec defaults;
  defaults.set_name("process");
  options = ParseProcessExecutorOptions(defaults);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->workers, std::max(1, static_cast<int>(std::thread::hardware_concurrency())));
  EXPECT_EQ(options->start_method, ProcessExecutorOptions::StartMethod::kFork);
  EXPECT_EQ(options->max_retries, 2);
  EXPECT_EQ(options->max_frame_bytes, size_t{64} << 20);
  EXPECT_EQ(options->task_timeout, absl::Hours(1));
  EXPECT_EQ(options->heartbeat_timeout, absl::Seconds(5));
}

TEST(ProcessExecutorFactoryTest, BadParametersAreInvalidArgumentNamingThem) {
  const std::vector<std::pair<ExecutorSpec, std::string>> cases = {
      {Spec("fork", 2, {{"retries", "1"}}), "no parameter 'retries'"},
      {Spec("vfork"), "start_method must be fork or spawn, not 'vfork'"},
      {Spec("fork", 2, {{"max_retries", "-1"}}), "max_retries must be an integer from 0"},
      {Spec("fork", 2, {{"max_retries", "two"}}), "max_retries"},
      {Spec("fork", 2, {{"max_retries", "101"}}), "max_retries"},
      {Spec("fork", 2, {{"max_frame_bytes", "0"}}), "max_frame_bytes must be an integer"},
      {Spec("fork", 2, {{"max_frame_bytes", "1023"}}), "max_frame_bytes must be an integer"},
      {Spec("fork", 2, {{"task_timeout", "0s"}}),
       "task_timeout must be a positive duration such as 10s or 250ms, or inf"},
      {Spec("fork", 2, {{"heartbeat_timeout", "-1s"}}),
       "heartbeat_timeout must be a positive duration"},
      {Spec("fork", 2, {{"max_frame_bytes", "4294967296"}}), "max_frame_bytes"},
      {Spec("fork", 5000), "workers=5000"},
  };
  for (const auto& [spec, expected] : cases) {
    const absl::Status status = Registry<Executor>::Global().Create(spec).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << expected;
    EXPECT_THAT(status.message(), HasSubstr(expected));
  }
}

}  // namespace
}  // namespace parsweep
