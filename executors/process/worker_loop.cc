#include "executors/process/worker_loop.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "executors/process/frame_io.h"
#include "executors/process/shared_memory.h"
#include "proto/work.pb.h"
#include "runtime/base/resource_error.h"
#include "runtime/base/status_macros.h"
#include "runtime/plugin/registry.h"
#include "runtime/scheduling/batch.h"
#include "runtime/scheduling/heartbeat.h"
#include "runtime/scheduling/result_pieces.h"

namespace parsweep {
namespace {

void Complain(const absl::Status& status) {
  std::fprintf(stderr, "parsweep worker %d: %s\n", static_cast<int>(getpid()),
               status.ToString().c_str());
}

// Replies: the worker's reply pipe, shared by the main thread (results) and the heartbeat
// thread (beats), one whole frame at a time.
class Replies {
 public:
  Replies(int fd, size_t max_frame_bytes) : fd_(fd), max_frame_bytes_(max_frame_bytes) {}

  // Replies::Send writes one frame; false when the parent can no longer be told anything.
  bool Send(const FromWorker& frame) {
    std::lock_guard<std::mutex> lock(mu_);
    return WriteFrame(fd_, frame, Sigpipe::kIgnoredByProcess).ok();
  }

  void Beat(uint64_t batch) {
    FromWorker beat;
    beat.mutable_heartbeat()->set_batch(batch);
    Send(beat);  // A parent that has gone is noticed by the main thread.
  }

  // Replies::SendResult sends `result` as one frame, or as pieces when it is larger than a
  // frame may be (runtime/scheduling/result_pieces.h).
  bool SendResult(const WorkBatch& batch, WorkBatchResult result) {
    FromWorker reply;
    return parsweep::SendResult(
        batch, std::move(result), max_frame_bytes_,
        [&](const WorkBatchResult& whole) {
          // Lend the result to the frame rather than copy it.
          reply.unsafe_arena_set_allocated_result(const_cast<WorkBatchResult*>(&whole));
          const bool sent = Send(reply);
          reply.unsafe_arena_release_result();
          return sent;
        },
        [&](const ResultPiece& piece) {
          *reply.mutable_piece() = piece;
          return Send(reply);
        });
  }

 private:
  const int fd_;
  const size_t max_frame_bytes_;
  std::mutex mu_;  // Not absl::Mutex: see runtime/scheduling/heartbeat.h.
};

// InThisWorker prefixes `status` with this worker's pid, for the parent's messages.
absl::Status InThisWorker(const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat("worker pid ", getpid(), ": ", status.message()));
}

// AnswerBatch runs `batch` and sends its result, or the reason it could not: a heartbeat
// thread the system refused (run without beats, the batch would be taken for a stopped
// worker's, and the silence blamed instead of the limit), or memory that ran out. False
// when the parent can no longer be told anything.
bool AnswerBatch(const Workload& workload, const WorkBatch& batch, Replies& replies,
                 HeartbeatSender& heartbeat) {
  WorkBatchResult result;
  absl::Status failure = heartbeat.Begin(batch.id());
  if (failure.ok()) {
    try {
      result = RunBatch(workload, batch);
    } catch (const std::bad_alloc&) {
      failure = ResourceError(ENOMEM, "out of memory running the batch");
    }
    heartbeat.End();
  }
  try {
    if (failure.ok()) return replies.SendResult(batch, std::move(result));
  } catch (const std::bad_alloc&) {
    failure = ResourceError(ENOMEM, "out of memory sending the batch's result");
  }
  return replies.SendResult(batch, FailedResult(batch, InThisWorker(failure)));
}

int ServeBatches(const Workload& workload, FrameInput& input, Replies& replies,
                 HeartbeatSender& heartbeat, pid_t parent) {
  // The process is a worker now, and a parent that has gone should read as EPIPE on the
  // reply pipe (the loop then ends), not as SIGPIPE; set once, it spares every reply the
  // signal-mask calls that WriteFrame would otherwise make.
  signal(SIGPIPE, SIG_IGN);
  ToWorker frame;
  for (;;) {
    // An orphan has nobody to answer to (PR_SET_PDEATHSIG normally kills it first).
    if (getppid() != parent) return 0;
    absl::StatusOr<bool> got = input.Read(frame);
    if (!got.ok()) {
      Complain(got.status());
      return 1;
    }
    if (!*got) return 0;
    if (!frame.has_batch()) {
      Complain(absl::DataLossError("the parent sent a frame that is not a batch"));
      return 1;
    }
    if (!AnswerBatch(workload, frame.batch(), replies, heartbeat)) return 0;
  }
}

// BuildWorkload rebuilds the parent's workload from its registry, with its blobs mapped
// from the shared-memory files this process inherited (each closed once mapped).
absl::StatusOr<std::unique_ptr<Workload>> BuildWorkload(const WorkerStart& start) {
  WorkloadBlobs blobs;
  absl::Status status;
  for (const BlobRef& ref : start.blobs()) {
    if (ref.delivery_case() != BlobRef::kInheritedFd) {
      status.Update(absl::DataLossError(
          absl::StrCat("blob '", ref.name(), "' was not sent as shared memory")));
      continue;
    }
    absl::StatusOr<std::shared_ptr<const char>> mapped =
        ref.inherited_fd() > 2 && fcntl(ref.inherited_fd(), F_GETFD) != -1
            ? MapReadOnly(ref.inherited_fd(), ref.size())
            : absl::DataLossError(absl::StrCat("blob '", ref.name(), "' names descriptor ",
                                               ref.inherited_fd(), ", which is not open"));
    if (ref.inherited_fd() > 2) close(ref.inherited_fd());  // The mapping keeps the memory.
    if (!mapped.ok()) {
      status.Update(mapped.status());
      continue;
    }
    blobs.Add(ref.name(), absl::Span<const char>(mapped->get(), ref.size()), *mapped);
  }
  RETURN_IF_ERROR(status);
  return Registry<Workload>::Global().Create(start.workload(), blobs);
}

// BuildWorkloadBeating is BuildWorkload with heartbeats meanwhile, for batch 0, which no
// batch is: building may take a while (a workload that regenerates its samples). Memory that
// runs out is its error, for the parent to report.
absl::StatusOr<std::unique_ptr<Workload>> BuildWorkloadBeating(const WorkerStart& start,
                                                               HeartbeatSender& heartbeat) {
  RETURN_IF_ERROR(heartbeat.Begin(0));
  absl::StatusOr<std::unique_ptr<Workload>> workload;
  try {
    workload = BuildWorkload(start);
  } catch (const std::bad_alloc&) {
    workload = ResourceError(ENOMEM, "out of memory building the workload");
  }
  heartbeat.End();
  return workload;
}

// Whether `fd` is the `access` (O_RDONLY or O_WRONLY) end of a pipe.
absl::Status CheckPipeEnd(int fd, int access) {
  const char* const end = access == O_RDONLY ? "read" : "write";
  struct stat info;
  if (fd < 0 || fstat(fd, &info) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("descriptor ", fd, " is not open"));
  }
  const int flags = fcntl(fd, F_GETFL);
  if (!S_ISFIFO(info.st_mode) || flags < 0 || (flags & O_ACCMODE) != access) {
    return absl::InvalidArgumentError(
        absl::StrCat("descriptor ", fd, " is not the ", end, " end of a pipe"));
  }
  return absl::OkStatus();
}

// True when the program `pid` runs is known to differ from this one: a spawned worker is
// its parent's /proc/self/exe. (Where the parent's cannot be examined, the other checks of
// CheckWorkerChannel stand alone.)
bool RunsAnotherProgram(pid_t pid) {
  struct stat self;
  struct stat other;
  return stat("/proc/self/exe", &self) == 0 &&
         stat(absl::StrCat("/proc/", pid, "/exe").c_str(), &other) == 0 &&
         (self.st_dev != other.st_dev || self.st_ino != other.st_ino);
}

// ServeAsSpawnedWorker is a spawned worker's life once its channel checks out: the
// workload from the first frame, then batches.
int ServeAsSpawnedWorker(const WorkerChannel& channel) {
  // The parent cleared close-on-exec for this exec only; programs the workload starts must
  // not hold the pipes open.
  fcntl(channel.request_fd, F_SETFD, FD_CLOEXEC);
  fcntl(channel.reply_fd, F_SETFD, FD_CLOEXEC);
  // Already set before execv (and kept across it); repeated so the guarantee does not depend
  // on how this process was started.
  prctl(PR_SET_PDEATHSIG, SIGKILL);

  FrameInput input(channel.request_fd);
  ToWorker first;
  absl::StatusOr<bool> got = input.Read(first);
  if (!got.ok() || !*got) return 1;  // The parent is gone, or not a process executor.
  if (!first.has_start()) {
    Complain(absl::DataLossError("the first frame from the parent is not a workload"));
    return 1;
  }
  const WorkerStart& start = first.start();
  // Limits a confused parent might send are clamped to what a frame can carry.
  Replies replies(channel.reply_fd, std::clamp<uint64_t>(start.max_reply_bytes(),
                                                         kMinResultMessageBytes, kMaxFrameLimit));
  HeartbeatSender heartbeat(absl::Microseconds(std::min<uint64_t>(start.heartbeat_interval_us(),
                                                                  uint64_t{3600} * 1000 * 1000)),
                            [&replies](uint64_t batch) { replies.Beat(batch); });
  absl::StatusOr<std::unique_ptr<Workload>> workload = BuildWorkloadBeating(start, heartbeat);
  FromWorker ready;
  if (!workload.ok()) {
    ready.mutable_ready()->set_code(static_cast<int32_t>(workload.status().code()));
    ready.mutable_ready()->set_message(std::string(workload.status().message()));
  } else {
    ready.mutable_ready();  // Code 0: built.
  }
  if (!replies.Send(ready) || !workload.ok()) return 1;
  return ServeBatches(**workload, input, replies, heartbeat, channel.parent);
}

}  // namespace

int RunWorkerLoop(const Workload& workload, int request_fd, int reply_fd,
                  const WorkerLoopOptions& options) {
  FrameInput input(request_fd);
  Replies replies(reply_fd, options.max_reply_bytes);
  HeartbeatSender heartbeat(options.heartbeat_interval,
                            [&replies](uint64_t batch) { replies.Beat(batch); });
  return ServeBatches(workload, input, replies, heartbeat, getppid());
}

std::string FormatWorkerChannel(const WorkerChannel& channel) {
  return absl::StrCat(channel.parent, ":", channel.request_fd, ",", channel.reply_fd);
}

std::optional<WorkerChannel> ParseWorkerChannel(absl::string_view value) {
  const std::vector<absl::string_view> parent_fds = absl::StrSplit(value, absl::MaxSplits(':', 1));
  if (parent_fds.size() != 2) return std::nullopt;
  const std::vector<absl::string_view> fds = absl::StrSplit(parent_fds[1], ',');
  WorkerChannel channel;
  if (fds.size() != 2 || !absl::SimpleAtoi(parent_fds[0], &channel.parent) ||
      !absl::SimpleAtoi(fds[0], &channel.request_fd) ||
      !absl::SimpleAtoi(fds[1], &channel.reply_fd) || channel.parent <= 0) {
    return std::nullopt;
  }
  return channel;
}

absl::StatusOr<WorkerChannel> CheckWorkerChannel(absl::string_view value) {
  const std::optional<WorkerChannel> channel = ParseWorkerChannel(value);
  if (!channel) {
    return absl::InvalidArgumentError(
        "the value is not of the form <parent pid>:<request fd>,<reply fd>");
  }
  const pid_t parent = getppid();
  if (channel->parent != parent) {
    return absl::InvalidArgumentError(absl::StrCat("it names parent pid ", channel->parent,
                                                   ", but this process's parent is pid ", parent));
  }
  if (RunsAnotherProgram(parent)) {
    return absl::InvalidArgumentError(
        absl::StrCat("its parent, pid ", parent, ", runs another program"));
  }
  RETURN_IF_ERROR(CheckPipeEnd(channel->request_fd, O_RDONLY));
  RETURN_IF_ERROR(CheckPipeEnd(channel->reply_fd, O_WRONLY));
  return *channel;
}

std::optional<int> RunSpawnedWorkerIfRequested(int argc, char** argv) {
  const char* value = std::getenv(kWorkerEnvVar);
  if (value == nullptr) return std::nullopt;
  const std::string text = value;
  // Programs this worker starts are not workers.
  unsetenv(kWorkerEnvVar);
  const absl::StatusOr<WorkerChannel> channel = CheckWorkerChannel(text);
  if (!channel.ok()) {
    std::fprintf(stderr,
                 "parsweep: %s=%s is set, but this process is not a worker that the process "
                 "executor started: %s. The variable is for the executor's own use: unset it.\n",
                 kWorkerEnvVar, text.c_str(), std::string(channel.status().message()).c_str());
    return 1;
  }
  try {
    return ServeAsSpawnedWorker(*channel);
  } catch (const std::bad_alloc&) {
    Complain(ResourceError(ENOMEM, "out of memory"));
    return 1;
  }
}

}  // namespace parsweep
