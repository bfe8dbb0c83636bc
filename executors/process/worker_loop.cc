#include "executors/process/worker_loop.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
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
    heartbeat.Begin(frame.batch().id());
    WorkBatchResult result = RunBatch(workload, frame.batch());
    heartbeat.End();
    if (!replies.SendResult(frame.batch(), std::move(result))) return 0;
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

bool ParseFd(absl::string_view text, int& fd) {
  return absl::SimpleAtoi(text, &fd) && fd >= 0 && fcntl(fd, F_GETFD) != -1;
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

std::optional<int> RunSpawnedWorkerIfRequested(int argc, char** argv) {
  const char* value = std::getenv(kWorkerEnvVar);
  if (value == nullptr) return std::nullopt;
  const std::string fds = value;
  // Programs this worker starts are not workers.
  unsetenv(kWorkerEnvVar);
  const std::vector<absl::string_view> parts = absl::StrSplit(fds, ',');
  int request_fd = -1;
  int reply_fd = -1;
  if (parts.size() != 2 || !ParseFd(parts[0], request_fd) || !ParseFd(parts[1], reply_fd)) {
    std::fprintf(stderr, "parsweep: %s=%s does not name two open descriptors\n", kWorkerEnvVar,
                 fds.c_str());
    return 2;
  }
  // The parent cleared close-on-exec for this exec only; programs the workload starts must
  // not hold the pipes open.
  fcntl(request_fd, F_SETFD, FD_CLOEXEC);
  fcntl(reply_fd, F_SETFD, FD_CLOEXEC);
  // Already set before execv (and kept across it); repeated so the guarantee does not depend
  // on how this process was started.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  const pid_t parent = getppid();

  FrameInput input(request_fd);
  ToWorker first;
  absl::StatusOr<bool> got = input.Read(first);
  if (!got.ok() || !*got) return 1;  // The parent is gone, or not a process executor.
  if (!first.has_start()) {
    Complain(absl::DataLossError("the first frame from the parent is not a workload"));
    return 1;
  }
  const WorkerStart& start = first.start();
  // Limits a confused parent might send are clamped to what a frame can carry.
  Replies replies(reply_fd, std::clamp<uint64_t>(start.max_reply_bytes(), kMinResultMessageBytes,
                                                 kMaxFrameLimit));
  HeartbeatSender heartbeat(absl::Microseconds(std::min<uint64_t>(start.heartbeat_interval_us(),
                                                                  uint64_t{3600} * 1000 * 1000)),
                            [&replies](uint64_t batch) { replies.Beat(batch); });
  // Building may take a while (a workload that regenerates its samples): beat meanwhile,
  // for batch 0, which no batch is.
  heartbeat.Begin(0);
  absl::StatusOr<std::unique_ptr<Workload>> workload = BuildWorkload(start);
  heartbeat.End();
  FromWorker ready;
  if (!workload.ok()) {
    ready.mutable_ready()->set_code(static_cast<int32_t>(workload.status().code()));
    ready.mutable_ready()->set_message(std::string(workload.status().message()));
  } else {
    ready.mutable_ready();  // Code 0: built.
  }
  if (!replies.Send(ready) || !workload.ok()) return 1;
  return ServeBatches(**workload, input, replies, heartbeat, parent);
}

}  // namespace parsweep
