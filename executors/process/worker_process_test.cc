#include "executors/process/worker_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "executors/process/test_support.h"
#include "executors/process/test_workloads.h"
#include "executors/process/worker_loop.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/work.pb.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr size_t kLimit = 1 << 20;

std::unique_ptr<WorkerProcess> ForkOrDie(WorkerProcess::ChildMain child_main,
                                         size_t limit = kLimit) {
  absl::StatusOr<std::unique_ptr<WorkerProcess>> worker = WorkerProcess::Fork(child_main, limit);
  EXPECT_TRUE(worker.ok()) << worker.status();
  return worker.ok() ? *std::move(worker) : nullptr;
}

// Waits (poll(), no timeout: the HangGuard bounds it) for a frame or an error.
absl::StatusOr<FromWorker> ReceiveBlocking(WorkerProcess& worker) {
  for (;;) {
    absl::StatusOr<std::optional<FromWorker>> reply = worker.Receive();
    if (!reply.ok()) return reply.status();
    if (reply->has_value()) return **reply;
    pollfd fd = {worker.reply_fd(), POLLIN, 0};
    while (poll(&fd, 1, -1) < 0 && errno == EINTR) {
    }
  }
}

void WriteRawAndWait(int fd, absl::string_view bytes) {
  if (write(fd, bytes.data(), bytes.size()) < 0) _exit(70);
  for (;;) pause();
}

class WorkerProcessTest : public ::testing::Test {
 protected:
  HangGuard guard_{"a WorkerProcessTest", 30};
};

TEST_F(WorkerProcessTest, RunsBatchesOfTheInheritedWorkload) {
  CubeWorkload cube;
  std::unique_ptr<WorkerProcess> worker = ForkOrDie([&cube](int request_fd, int reply_fd) {
    return RunWorkerLoop(cube, request_fd, reply_fd, WorkerLoopOptions());
  });
  ASSERT_NE(worker, nullptr);
  ToWorker request;
  request.mutable_batch()->set_id(9);
  for (int x : {2, 3}) {
    WorkItem* item = request.mutable_batch()->add_items();
    item->set_index(x);
    item->set_request(CubeRequest(x));
  }
  ASSERT_TRUE(worker->Send(request).ok());
  absl::StatusOr<FromWorker> reply = ReceiveBlocking(*worker);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->result().id(), 9u);
  ASSERT_EQ(reply->result().responses_size(), 2);
  EXPECT_EQ(CubeResponse(reply->result().responses(0)), 8);
  EXPECT_EQ(CubeResponse(reply->result().responses(1)), 27);

  // Closing the request pipe ends the worker loop with status 0.
  worker->ClosePipes();
  worker->Reap(absl::Seconds(10));
  EXPECT_EQ(worker->DescribeEnd(), "exited with status 0");
}

TEST_F(WorkerProcessTest, ForkedWorkerHoldsOnlyItsOwnPipes) {
  // Started first, so that its pipes are open in the parent when the second is forked.
  std::unique_ptr<WorkerProcess> other = ForkOrDie([](int, int) {
    for (;;) pause();
    return 0;
  });
  ASSERT_NE(other, nullptr);
  std::unique_ptr<WorkerProcess> worker = ForkOrDie([](int request_fd, int reply_fd) {
    if (request_fd != kForkRequestFd || reply_fd != kForkReplyFd) return 2;
    for (int fd = 0; fd <= kForkReplyFd; ++fd) {
      if (fcntl(fd, F_GETFD) < 0 && fd > 2) return 3;
    }
    for (int fd = kForkReplyFd + 1; fd < 1024; ++fd) {
      if (fcntl(fd, F_GETFD) >= 0) return 4;
    }
    return 0;
  });
  ASSERT_NE(worker, nullptr);
  EXPECT_EQ(ReceiveBlocking(*worker).status().code(), absl::StatusCode::kUnavailable);
  worker->Reap(absl::Seconds(10));
  EXPECT_EQ(worker->DescribeEnd(), "exited with status 0");
  other->Reap(absl::ZeroDuration());
  EXPECT_EQ(other->DescribeEnd(), "killed by signal 9 (Killed)");
}

TEST_F(WorkerProcessTest, ExitIsUnavailableAndDescribed) {
  std::unique_ptr<WorkerProcess> worker = ForkOrDie([](int, int) { return 3; });
  ASSERT_NE(worker, nullptr);
  const absl::Status status = ReceiveBlocking(*worker).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("worker pid ", worker->pid())));
  worker->Reap(absl::Seconds(10));
  EXPECT_TRUE(worker->reaped());
  EXPECT_EQ(worker->DescribeEnd(), "exited with status 3");
}

TEST_F(WorkerProcessTest, GarbledReplyIsDataLossNamingThePid) {
  std::unique_ptr<WorkerProcess> worker = ForkOrDie([](int, int reply_fd) {
    WriteRawAndWait(reply_fd, absl::string_view("\x03\x0f\x0f\x0f", 4));
    return 0;
  });
  ASSERT_NE(worker, nullptr);
  const absl::Status status = ReceiveBlocking(*worker).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(status.message()),
              StartsWith(absl::StrCat("worker pid ", worker->pid(), ": ")));
  worker->Reap(absl::ZeroDuration());
  EXPECT_EQ(worker->DescribeEnd(), "killed by signal 9 (Killed)");
}

TEST_F(WorkerProcessTest, OversizedReplyIsRefusedUnbuffered) {
  std::unique_ptr<WorkerProcess> worker = ForkOrDie(
      [](int, int reply_fd) {
        WriteRawAndWait(reply_fd, absl::string_view("\x80\x80\x80\x80\x08", 5));
        return 0;
      },
      /*limit=*/64);
  ASSERT_NE(worker, nullptr);
  const absl::Status status = ReceiveBlocking(*worker).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("2147483648"));
  EXPECT_LE(worker->unread_bytes(), 10u);
}

TEST_F(WorkerProcessTest, ExitInsideAFrameIsDataLoss) {
  std::unique_ptr<WorkerProcess> worker =
      ForkOrDie([](int, int reply_fd) { return write(reply_fd, "\x64\x12\x05", 3) == 3 ? 0 : 1; });
  ASSERT_NE(worker, nullptr);
  const absl::Status status = ReceiveBlocking(*worker).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("inside a frame"));
  EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("worker pid ", worker->pid())));
}

TEST_F(WorkerProcessTest, SendToADeadWorkerIsUnavailable) {
  std::unique_ptr<WorkerProcess> worker = ForkOrDie([](int, int) { return 0; });
  ASSERT_NE(worker, nullptr);
  EXPECT_EQ(ReceiveBlocking(*worker).status().code(), absl::StatusCode::kUnavailable);
  worker->Reap(absl::Seconds(10));
  ToWorker request;
  request.mutable_batch()->set_id(1);
  // SIGPIPE's default action would end this test binary here.
  const absl::Status status = worker->Send(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("worker pid ", worker->pid())));
}

TEST_F(WorkerProcessTest, DestructionKillsAndReaps) {
  pid_t pid;
  {
    std::unique_ptr<WorkerProcess> worker = ForkOrDie([](int, int) {
      signal(SIGPIPE, SIG_IGN);
      for (;;) pause();
      return 0;
    });
    ASSERT_NE(worker, nullptr);
    pid = worker->pid();
  }
  EXPECT_FALSE(HasUnreapedChildren());
  EXPECT_TRUE(ProcessIsGone(pid));
}

TEST_F(WorkerProcessTest, ForkIsRefusedWithOtherThreads) {
  EXPECT_TRUE(CheckSingleThreaded().ok());
  EXPECT_TRUE(RunInChild([] {
    std::promise<void> release;
    std::thread thread([done = release.get_future()] { done.wait(); });
    absl::StatusOr<std::unique_ptr<WorkerProcess>> worker =
        WorkerProcess::Fork([](int, int) { return 0; }, kLimit);
    const absl::Status single_threaded = CheckSingleThreaded();
    release.set_value();
    thread.join();
    EXPECT_EQ(worker.status().code(), absl::StatusCode::kFailedPrecondition);
    // Two, or more under ThreadSanitizer, which runs threads of its own.
    EXPECT_THAT(std::string(worker.status().message()),
                ::testing::ContainsRegex("this one has [0-9]+ threads"));
    EXPECT_THAT(worker.status().message(), HasSubstr("start_method=spawn"));
    EXPECT_EQ(single_threaded.code(), absl::StatusCode::kFailedPrecondition);
  }));
}

TEST(SpawnTest, RefusesInAWorkerWhoseMainDidNotTakeOver) {
  ASSERT_EQ(setenv(kWorkerEnvVar, "3,4", 1), 0);
  absl::StatusOr<std::unique_ptr<WorkerProcess>> worker = WorkerProcess::Spawn({}, kLimit);
  unsetenv(kWorkerEnvVar);
  EXPECT_EQ(worker.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(worker.status().message(), HasSubstr("RunWorkerIfRequested()"));
}

TEST(ReadOwnCommandLineTest, StartsWithThisProgram) {
  absl::StatusOr<std::vector<std::string>> argv = ReadOwnCommandLine();
  ASSERT_TRUE(argv.ok()) << argv.status();
  ASSERT_FALSE(argv->empty());
  EXPECT_THAT(argv->front(), HasSubstr("worker_process_test"));
}

}  // namespace
}  // namespace parsweep
