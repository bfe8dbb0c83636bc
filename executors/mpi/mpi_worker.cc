#include "executors/mpi/mpi_worker.h"

#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "executors/mpi/mpi_launch.h"
#include "executors/mpi/mpi_wire.h"
#include "proto/work.pb.h"
#include "runtime/base/status_macros.h"
#include "runtime/plugin/registry.h"
#include "runtime/plugin/workload.h"
#include "runtime/scheduling/batch.h"
#include "runtime/scheduling/heartbeat.h"
#include "runtime/scheduling/result_pieces.h"

namespace parsweep {
namespace {

// What a worker accepts from rank 0: a batch of tasks or a spec, never near this.
constexpr size_t kWorkerMaxMessageBytes = size_t{1} << 30;
// The longest interval between heartbeats a worker takes from rank 0.
constexpr uint64_t kMaxHeartbeatIntervalUs = uint64_t{3600} * 1000 * 1000;

// Test hooks (tests/sweep_tool_mpi_test.sh): the rank named by PARSWEEP_MPI_TEST_KILL_RANK
// kills itself with SIGKILL, and the rank named by PARSWEEP_MPI_TEST_STOP_RANK stops itself
// with SIGSTOP, when its first batch arrives; the rank named by
// PARSWEEP_MPI_TEST_STOP_IDLE_RANK stops itself once it has said it is ready.
bool NamedByTestHook(const char* variable, int rank) {
  const char* value = std::getenv(variable);
  int named = 0;
  return value != nullptr && absl::SimpleAtoi(value, &named) && named == rank;
}

// A worker cannot go on (rank 0 sent something it cannot read, or MPI failed): say so and
// end the job, which mpirun reports.
int AbortJob(int rank, const std::string& why) {
  std::fprintf(stderr, "parsweep mpi worker rank %d: %s\n", rank, why.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 1);
  return 1;
}

// BuildWorkload rebuilds rank 0's workload: the blobs by broadcast (joined whatever else
// fails, so that rank 0 never waits for this rank) or, for those marked to reload, loaded by
// the workload itself and checked against rank 0's fingerprint.
absl::StatusOr<std::unique_ptr<Workload>> BuildWorkload(const WorkerStart& start) {
  WorkloadBlobs blobs;
  absl::Status status;
  for (const BlobRef& ref : start.blobs()) {
    switch (ref.delivery_case()) {
      case BlobRef::kBroadcast: {
        // Whole doubles, so the bytes are aligned for any scalar a workload reads.
        std::shared_ptr<double> buffer(new double[ref.size() / sizeof(double) + 1],
                                       std::default_delete<double[]>());
        char* bytes = reinterpret_cast<char*>(buffer.get());
        status.Update(BroadcastBytes(bytes, ref.size()));
        blobs.Add(ref.name(), absl::Span<const char>(bytes, ref.size()), buffer);
        break;
      }
      case BlobRef::kReloadFingerprint:
        blobs.AddUndelivered(ref.name(), ref.reload_fingerprint());
        break;
      default:
        status.Update(absl::DataLossError(
            absl::StrCat("blob '", ref.name(), "' cannot reach an MPI rank this way")));
    }
  }
  RETURN_IF_ERROR(status);
  return Registry<Workload>::Global().Create(start.workload(), blobs);
}

// SendHeartbeat sends one Heartbeat for `batch` (0: building the workload). Its failure is not
// acted on here: the main thread meets the same broken wire at its next call.
void SendHeartbeat(uint64_t batch) {
  Heartbeat beat;
  beat.set_batch(batch);
  const std::string bytes = beat.SerializeAsString();
  std::lock_guard<std::mutex> lock(MpiMutex());
  // A few bytes go out eagerly: MPI_Send returns without waiting for rank 0.
  MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, 0, kTagHeartbeat,
           MPI_COMM_WORLD);
}

class Worker {
 public:
  explicit Worker(int rank)
      : rank_(rank),
        kill_for_test_(NamedByTestHook("PARSWEEP_MPI_TEST_KILL_RANK", rank)),
        stop_for_test_(NamedByTestHook("PARSWEEP_MPI_TEST_STOP_RANK", rank)),
        stop_idle_for_test_(NamedByTestHook("PARSWEEP_MPI_TEST_STOP_IDLE_RANK", rank)) {}

  // Serves rank 0 until it says stop; the exit status.
  int Serve() {
    while (true) {
      Received received;
      const absl::Status got =
          ReceiveBy(0, MPI_ANY_TAG, kWorkerMaxMessageBytes, absl::InfiniteFuture(), received)
              .status();
      if (!got.ok()) return AbortJob(rank_, got.ToString());
      absl::Status handled;
      switch (received.tag) {
        case kTagStop:
          handled = SendBytes("", 0, kTagStopped);
          heartbeat_.reset();
          workload_.reset();
          if (!handled.ok()) return AbortJob(rank_, handled.ToString());
          MPI_Finalize();
          return 0;
        case kTagStart:
          handled = Start(received.bytes);
          break;
        case kTagBatch:
          handled = Run(received.bytes);
          break;
        default:
          handled = absl::DataLossError(
              absl::StrCat("a message with tag ", received.tag, " from rank 0"));
      }
      if (!handled.ok()) return AbortJob(rank_, handled.ToString());
    }
  }

 private:
  absl::Status Start(const std::string& bytes) {
    WorkerStart start;
    if (!start.ParseFromString(bytes)) return absl::DataLossError("a corrupt start from rank 0");
    max_reply_bytes_ = start.max_reply_bytes();
    workload_.reset();
    heartbeat_ = std::make_unique<HeartbeatSender>(
        absl::Microseconds(std::min(start.heartbeat_interval_us(), kMaxHeartbeatIntervalUs)),
        SendHeartbeat);
    // Without a heartbeat thread (the system refused it) the rank still takes part in the
    // broadcasts, so that no rank waits for it, then reports why it cannot serve.
    const absl::Status beating = heartbeat_->Begin(0);
    absl::StatusOr<std::unique_ptr<Workload>> built = BuildWorkload(start);
    heartbeat_->End();
    if (!beating.ok()) built = beating;
    if (built.ok()) workload_ = *std::move(built);
    WorkerReady ready;
    ready.set_code(static_cast<int>(built.status().code()));
    ready.set_message(std::string(built.status().message()));
    RETURN_IF_ERROR(SendMessage(ready, 0, kTagReady));
    if (stop_idle_for_test_) raise(SIGSTOP);
    return absl::OkStatus();
  }

  absl::Status Run(const std::string& bytes) {
    WorkBatch batch;
    if (!batch.ParseFromString(bytes)) return absl::DataLossError("a corrupt batch from rank 0");
    WorkBatchResult result;
    if (workload_ == nullptr) {
      result = FailedResult(batch, absl::FailedPreconditionError("this rank has no workload"));
    } else {
      if (kill_for_test_) raise(SIGKILL);
      if (stop_for_test_) raise(SIGSTOP);
      // Run without beats, the batch would be taken for a stopped rank's: say why instead.
      if (const absl::Status beating = heartbeat_->Begin(batch.id()); !beating.ok()) {
        result = FailedResult(batch, beating);
      } else {
        result = RunBatch(*workload_, batch);
        heartbeat_->End();
      }
    }
    absl::Status sent;
    SendResult(
        batch, std::move(result), max_reply_bytes_,
        [&sent](const WorkBatchResult& whole) {
          sent = SendMessage(whole, 0, kTagResult);
          return sent.ok();
        },
        [&sent](const ResultPiece& piece) {
          sent = SendMessage(piece, 0, kTagPiece);
          return sent.ok();
        });
    return sent;
  }

  const int rank_;
  const bool kill_for_test_;
  const bool stop_for_test_;
  const bool stop_idle_for_test_;
  uint64_t max_reply_bytes_ = kMaxMpiCount;
  std::unique_ptr<Workload> workload_;
  std::unique_ptr<HeartbeatSender> heartbeat_;  // From the first start on.
};

}  // namespace

int ServeRankZero(int rank) {
  absl::Status status = InitMpi(MPI_THREAD_SERIALIZED);
  if (status.ok()) status = VerifyLaunch();
  if (!status.ok()) {
    std::fprintf(stderr, "parsweep mpi worker rank %d: %s\n", rank, status.ToString().c_str());
    return 1;
  }
  return Worker(rank).Serve();
}

}  // namespace parsweep
