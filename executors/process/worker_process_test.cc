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

TEST_F(WorkerProcessTest, WorkerRefusedAHeartbeatThreadAnswersWithTheCause) {
  CubeWorkload cube;
  std::unique_ptr<WorkerProcess> worker = ForkOrDie([&cube](int request_fd, int reply_fd) {
    if (!LimitNewThreads(0)) return 2;
    WorkerLoopOptions options;
    options.heartbeat_interval = absl::Milliseconds(1);
    return RunWorkerLoop(cube, request_fd, reply_fd, options);
  });
  ASSERT_NE(worker, nullptr);
  ToWorker request;
  request.mutable_batch()->set_id(5);
  WorkItem* item = request.mutable_batch()->add_items();
  item->set_index(7);
  item->set_request(CubeRequest(7));
  ASSERT_TRUE(worker->Send(request).ok());
  absl::StatusOr<FromWorker> reply = ReceiveBlocking(*worker);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->result().id(), 5u);
  EXPECT_EQ(reply->result().responses_size(), 0);
  EXPECT_EQ(reply->result().error().index(), 7u);
  EXPECT_EQ(reply->result().error().code(),
            static_cast<int32_t>(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(reply->result().error().message(),
              ::testing::ContainsRegex(absl::StrCat(
                  "^worker pid ", worker->pid(),
                  ": cannot start the heartbeat thread: Resource temporarily unavailable \\(the "
                  "address space limit, ulimit -v, is [0-9]+ KiB\\)$")));
  // The worker is still serving.
  worker->ClosePipes();
  worker->Reap(absl::Seconds(10));
  EXPECT_EQ(worker->DescribeEnd(), "exited with status 0");
}

TEST(SpawnTest, ExecThatFailsIsAnErrorWithItsCause) {
  const int fds_before = CountOpenFds();
  SpawnCommand command;
  // One argument longer than the kernel takes (MAX_ARG_STRLEN, 128 KiB).
  command.argv = {"/proc/self/exe", std::string(200 << 10, 'x')};
  absl::StatusOr<std::unique_ptr<WorkerProcess>> worker = WorkerProcess::Spawn(command, kLimit);
  EXPECT_EQ(worker.status().code(), absl::StatusCode::kInvalidArgument) << worker.status();
  EXPECT_EQ(worker.status().message(), "cannot run /proc/self/exe: Argument list too long");
  EXPECT_FALSE(HasUnreapedChildren());
  EXPECT_EQ(CountOpenFds(), fds_before);
}

// Runs in a child of the test: its parent runs this same program, as a spawned worker's does.
void CheckChannelsInAChildOfThisProgram() {
  int request[2];
  int reply[2];
  ASSERT_EQ(pipe(request), 0);
  ASSERT_EQ(pipe(reply), 0);
  const pid_t parent = getppid();
  absl::StatusOr<WorkerChannel> channel =
      CheckWorkerChannel(FormatWorkerChannel({parent, request[0], reply[1]}));
  ASSERT_TRUE(channel.ok()) << channel.status();
  EXPECT_EQ(channel->parent, parent);
  EXPECT_EQ(channel->request_fd, request[0]);
  EXPECT_EQ(channel->reply_fd, reply[1]);

  EXPECT_EQ(
      CheckWorkerChannel(FormatWorkerChannel({parent, request[1], reply[1]})).status().message(),
      absl::StrCat("descriptor ", request[1], " is not the read end of a pipe"));
  const int null_fd = open("/dev/null", O_WRONLY);
  EXPECT_EQ(
      CheckWorkerChannel(FormatWorkerChannel({parent, request[0], null_fd})).status().message(),
      absl::StrCat("descriptor ", null_fd, " is not the write end of a pipe"));
  EXPECT_EQ(CheckWorkerChannel(FormatWorkerChannel({parent, request[0], 999})).status().message(),
            "descriptor 999 is not open");
  EXPECT_EQ(
      CheckWorkerChannel(FormatWorkerChannel({getpid(), request[0], reply[1]})).status().message(),
      absl::StrCat("it names parent pid ", getpid(), ", but this process's parent is pid ",
                   parent));
}

TEST(WorkerChannelTest, OnlyAChildOfThisProgramWithItsPipesIsAWorker) {
  EXPECT_TRUE(RunInChild(CheckChannelsInAChildOfThisProgram));
  // This test's own parent (Bazel's test runner, or a shell) runs another program.
  int request[2];
  int reply[2];
  ASSERT_EQ(pipe(request), 0);
  ASSERT_EQ(pipe(reply), 0);
  const absl::Status status =
      CheckWorkerChannel(FormatWorkerChannel({getppid(), request[0], reply[1]})).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            absl::StrCat("its parent, pid ", getppid(), ", runs another program"));
  for (int fd : {request[0], request[1], reply[0], reply[1]}) close(fd);
}

TEST(WorkerChannelTest, ValuesNotOfTheFormAreRefused) {
  for (absl::string_view value :
       {"", "0,1", "3,4", "garbage", "12:3", "12:3,4,5", "0:3,4", "-5:3,4", "12:x,4"}) {
    EXPECT_FALSE(ParseWorkerChannel(value).has_value()) << value;
    EXPECT_EQ(CheckWorkerChannel(value).status().message(),
              "the value is not of the form <parent pid>:<request fd>,<reply fd>")
        << value;
  }
  const std::optional<WorkerChannel> channel = ParseWorkerChannel("12:3,4");
  ASSERT_TRUE(channel.has_value());
  EXPECT_EQ(FormatWorkerChannel(*channel), "12:3,4");
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
