#include "executors/mpi/mpi_executor.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "proto/work.pb.h"
#include "runtime/base/fd_io.h"
#include "runtime/base/fingerprint.h"
#include "runtime/base/status_macros.h"
#include "runtime/plugin/registry.h"
#include "runtime/plugin/workload.h"
#include "runtime/process/child_processes.h"
#include "runtime/process/worker_entry.h"
#include "runtime/scheduling/batch.h"
#include "runtime/scheduling/task_ledger.h"
#include "runtime/scheduling/worker_backend.h"

// Open MPI's mpi.h pulls in its deprecated C++ bindings unless told not to; the C API is
// all this file uses (and all that @system//:mpi links).
#define OMPI_SKIP_MPICXX 1
#include <openmpi/mpi.h>

namespace parsweep {
namespace {

constexpr char kName[] = "mpi";
// Tags on MPI_COMM_WORLD (see "Wire" in mpi_executor.h).
constexpr int kTagStart = 1;   // rank 0 -> worker: WorkerStart
constexpr int kTagBatch = 2;   // rank 0 -> worker: WorkBatch
constexpr int kTagStop = 3;    // rank 0 -> worker: empty; finalise and exit
constexpr int kTagReady = 4;   // worker -> rank 0: WorkerReady
constexpr int kTagResult = 5;  // worker -> rank 0: WorkBatchResult
// What a worker accepts from rank 0: a batch of tasks or a spec, never near this.
constexpr size_t kWorkerMaxMessageBytes = size_t{1} << 30;
// MPI counts are ints: broadcast blobs in pieces of at most 1 GiB.
constexpr size_t kBroadcastChunkBytes = size_t{1} << 30;
// Rank 0 records its pid here, so that processes it starts know they are not rank 0.
constexpr char kRankZeroPidVar[] = "PARSWEEP_MPI_RANK0_PID";

// ---------------------------------------------------------------------------------------
// Launch detection and MPI errors.

// EnvInt returns the integer value of environment variable `name`, or nullopt.
std::optional<int> EnvInt(const char* name) {
  const char* value = std::getenv(name);
  int parsed = 0;
  if (value == nullptr || !absl::SimpleAtoi(value, &parsed)) return std::nullopt;
  return parsed;
}

std::optional<int> LaunchRank() {
  if (std::optional<int> rank = EnvInt("OMPI_COMM_WORLD_RANK")) return rank;
  return EnvInt("PMIX_RANK");
}

std::optional<int> LaunchSize() { return EnvInt("OMPI_COMM_WORLD_SIZE"); }

absl::Status MpiError(int code, absl::string_view call, int peer) {
  if (code == MPI_SUCCESS) return absl::OkStatus();
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
  return absl::UnavailableError(absl::StrCat("executor '", kName, "': ", call, " with rank ", peer,
                                             " failed: ", absl::string_view(text, length)));
}

// Init initialises MPI once per process, with errors returned rather than fatal.
absl::Status Init() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return absl::OkStatus();
  int provided = 0;
  int code = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  if (code != MPI_SUCCESS) return MpiError(code, "MPI_Init_thread", -1);
  return MpiError(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN),
                  "MPI_Comm_set_errhandler", -1);
}

// SendBytes sends `bytes` as one MPI message with `tag`.
absl::Status SendBytes(const std::string& bytes, int peer, int tag) {
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) {
    return absl::ResourceExhaustedError(absl::StrCat("executor '", kName, "': a message of ",
                                                     bytes.size(), " bytes for rank ", peer,
                                                     " is larger than MPI's int count"));
  }
  return MpiError(
      MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, peer, tag, MPI_COMM_WORLD),
      "MPI_Send", peer);
}

absl::Status SendMessage(const google::protobuf::MessageLite& message, int peer, int tag) {
  return SendBytes(message.SerializeAsString(), peer, tag);
}

// WaitForMessage returns once a message from `source` with `tag` can be received, its
// envelope in `status`. MPI_Probe would busy-poll a core all the while (Open MPI spins),
// which on a machine with as many ranks as cores takes a core from the workers: rank 0
// waits for every reply, and idle workers wait between runs. So poll with MPI_Iprobe:
// for kSpinFor, yielding the core between polls, since a reply or the next batch often
// follows within microseconds; then sleep between polls, doubling the pause up to
// kMaxPollPause. A long wait then costs about 1% of a core, and a message waits at most
// about kMaxPollPause plus the scheduler's wake-up.
constexpr absl::Duration kSpinFor = absl::Milliseconds(1);
constexpr absl::Duration kMaxPollPause = absl::Microseconds(100);

// False if `deadline` passed first.
absl::StatusOr<bool> WaitForMessage(int source, int tag, MPI_Status& status, absl::Time deadline) {
  const absl::Time spin_until = absl::Now() + kSpinFor;
  absl::Duration pause = absl::Microseconds(2);
  while (true) {
    int ready = 0;
    const int code = MPI_Iprobe(source, tag, MPI_COMM_WORLD, &ready, &status);
    if (code != MPI_SUCCESS) return MpiError(code, "MPI_Iprobe", source);
    if (ready) return true;
    const absl::Time now = absl::Now();
    if (now >= deadline) return false;
    if (now < spin_until) {
      sched_yield();
      continue;
    }
    absl::SleepFor(std::min(pause, deadline - now));
    pause = std::min(2 * pause, kMaxPollPause);
  }
}

// Received: one probed-and-received message.
struct Received {
  int source = 0;
  int tag = 0;
  std::string bytes;
};

// ReceiveMessageBy waits until `deadline` for a message from `source` (or MPI_ANY_SOURCE)
// with `tag` (or MPI_ANY_TAG) and receives it into `received` (false if none came),
// refusing (DataLoss) one larger than `limit` bytes before allocating it; that message is
// left unreceived, and the caller cannot go on.
absl::StatusOr<bool> ReceiveMessageBy(int source, int tag, size_t limit, absl::Time deadline,
                                      Received& received) {
  MPI_Status status;
  ASSIGN_OR_RETURN(const bool arrived, WaitForMessage(source, tag, status, deadline));
  if (!arrived) return false;
  int code = MPI_SUCCESS;
  int count = 0;
  code = MPI_Get_count(&status, MPI_BYTE, &count);
  if (code != MPI_SUCCESS) return MpiError(code, "MPI_Get_count", status.MPI_SOURCE);
  if (count < 0 || static_cast<size_t>(count) > limit) {
    return absl::DataLossError(absl::StrCat("executor '", kName, "': rank ", status.MPI_SOURCE,
                                            " sent a message of ", count, " bytes; the limit is ",
                                            limit));
  }
  received.source = status.MPI_SOURCE;
  received.tag = status.MPI_TAG;
  received.bytes.resize(static_cast<size_t>(count));
  code = MPI_Recv(received.bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG,
                  MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  if (code != MPI_SUCCESS) return MpiError(code, "MPI_Recv", status.MPI_SOURCE);
  return true;
}

// ReceiveMessage is ReceiveMessageBy with no deadline.
absl::StatusOr<Received> ReceiveMessage(int source, int tag, size_t limit) {
  Received received;
  RETURN_IF_ERROR(ReceiveMessageBy(source, tag, limit, absl::InfiniteFuture(), received).status());
  return received;
}

// BroadcastBytes sends (rank 0) or receives (workers) `size` bytes at `data`, in pieces
// that fit MPI's int counts.
absl::Status BroadcastBytes(char* data, size_t size) {
  for (size_t done = 0; done < size; done += kBroadcastChunkBytes) {
    const int piece = static_cast<int>(std::min(kBroadcastChunkBytes, size - done));
    RETURN_IF_ERROR(
        MpiError(MPI_Bcast(data + done, piece, MPI_BYTE, 0, MPI_COMM_WORLD), "MPI_Bcast", 0));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------
// Rank 0's session: MPI's lifetime in the caller's process, and what each rank is running
// (kept where a signal handler can read it).

// RankActivity: the tasks a worker rank is running, [first, last], or idle.
struct RankActivity {
  std::atomic<bool> busy{false};
  std::atomic<uint64_t> first{0};
  std::atomic<uint64_t> last{0};
};

struct Session {
  bool initialized = false;
  bool finalized = false;
  // An executor met a message it could not receive: the job cannot end cleanly.
  bool broken = false;
  bool executor_alive = false;
  int size = 0;
  // By rank; allocated once and never freed, so a signal handler never sees it go.
  RankActivity* activity = nullptr;
};

Session& TheSession() {
  static auto* session = new Session();
  return *session;
}

// FixedText builds a line without allocating, so that a signal handler can use it; text
// beyond its capacity is dropped.
class FixedText {
 public:
  void Append(const char* text) {
    while (*text != '\0' && size_ < sizeof(buffer_) - 1) buffer_[size_++] = *text++;
    buffer_[size_] = '\0';
  }
  void AppendNumber(uint64_t value) {
    char digits[24];
    int i = sizeof(digits) - 1;
    digits[i] = '\0';
    do {
      digits[--i] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value != 0 && i > 0);
    Append(digits + i);
  }
  const char* c_str() const { return buffer_; }
  size_t size() const { return size_; }

 private:
  char buffer_[4096] = "";
  size_t size_ = 0;
};

// AppendActivity appends "rank 2 was running task 1; rank 1 was running tasks 3-4" for
// every busy rank, and returns whether there was one. Async-signal-safe.
bool AppendActivity(FixedText& text) {
  const Session& session = TheSession();
  bool any = false;
  for (int rank = 1; session.activity != nullptr && rank < session.size; ++rank) {
    const RankActivity& activity = session.activity[rank];
    if (!activity.busy.load()) continue;
    text.Append(any ? "; rank " : "rank ");
    any = true;
    text.AppendNumber(static_cast<uint64_t>(rank));
    const uint64_t first = activity.first.load();
    const uint64_t last = activity.last.load();
    text.Append(first == last ? " was running task " : " was running tasks ");
    text.AppendNumber(first);
    if (last != first) {
      text.Append("-");
      text.AppendNumber(last);
    }
  }
  return any;
}

// Says which rank was running which tasks when SIGINT/SIGTERM stopped rank 0 (mpirun sends
// SIGTERM to every rank when one dies); registered with SetTerminationReporter.
void ReportActivity(int signal_number) {
  FixedText text;
  text.Append("parsweep mpi: stopped by signal ");
  text.AppendNumber(static_cast<uint64_t>(signal_number));
  FixedText activity;
  text.Append(AppendActivity(activity) ? " while " : " with no task running");
  text.Append(activity.c_str());
  text.Append("\n");
  WriteFully(STDERR_FILENO, text.c_str(), text.size());  // Nothing to do if it fails.
}

// Stops every worker and finalises MPI; registered with atexit on rank 0.
void ShutdownAtExit() {
  Session& session = TheSession();
  if (!session.initialized || session.finalized) return;
  session.finalized = true;
  SetTerminationReporter(nullptr);
  if (session.broken) {
    // A worker may be blocked sending what rank 0 refused to receive; MPI_Finalize would
    // wait for it forever. End the job instead (mpirun reports the abort).
    std::fflush(nullptr);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  for (int rank = 1; rank < session.size; ++rank) {
    MPI_Send(nullptr, 0, MPI_BYTE, rank, kTagStop, MPI_COMM_WORLD);
  }
  MPI_Finalize();
}

// EnsureSession initialises MPI on rank 0 and returns the world size.
absl::StatusOr<int> EnsureSession() {
  Session& session = TheSession();
  if (session.finalized) {
    return absl::FailedPreconditionError(
        absl::StrCat("executor '", kName, "': MPI was already finalised in this process"));
  }
  if (session.broken) {
    return absl::FailedPreconditionError(
        absl::StrCat("executor '", kName, "': an earlier error left the MPI job unusable"));
  }
  if (!session.initialized) {
    RETURN_IF_ERROR(Init());
    session.initialized = true;
    MPI_Comm_size(MPI_COMM_WORLD, &session.size);
    session.activity = new RankActivity[static_cast<size_t>(session.size)];
    std::atexit(ShutdownAtExit);
  }
  return session.size;
}

// ---------------------------------------------------------------------------------------
// Workloads across machines.

// StartFor is what every worker rank is sent to rebuild `exported` (see "Data" in
// mpi_executor.h); `broadcasts` receives the blobs to broadcast after it, in order.
WorkerStart StartFor(const ExportedWorkload& exported, bool data_on_all_ranks,
                     size_t max_reply_bytes, std::vector<absl::Span<const char>>& broadcasts) {
  WorkerStart start;
  *start.mutable_workload() = exported.spec;
  start.set_max_reply_bytes(max_reply_bytes);
  broadcasts.clear();
  for (const ExportedBlob& blob : exported.blobs) {
    BlobRef& ref = *start.add_blobs();
    ref.set_name(blob.name);
    ref.set_size(blob.bytes.size());
    const bool reload = blob.source == ExportedBlob::Source::kReproducible ||
                        (blob.source == ExportedBlob::Source::kSharedFile && data_on_all_ranks);
    if (reload) {
      ref.set_reload_fingerprint(Fingerprint64(blob.bytes));
    } else {
      ref.set_broadcast(true);
      broadcasts.push_back(blob.bytes);
    }
  }
  return start;
}

// BuildWorkload rebuilds rank 0's workload on a worker rank: the blobs by broadcast (joined
// whatever else fails, so that rank 0 never waits for this rank) or, for those marked to
// reload, loaded by the workload itself and checked against rank 0's fingerprint.
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

// ---------------------------------------------------------------------------------------
// Worker ranks.

// Test hook (tests/sweep_tool_mpi_test.sh): the rank named by PARSWEEP_MPI_TEST_KILL_RANK kills
// itself with SIGKILL when its first batch arrives.
bool KilledForTest(int rank) {
  const std::optional<int> victim = EnvInt("PARSWEEP_MPI_TEST_KILL_RANK");
  return victim && *victim == rank;
}

// A worker cannot go on (rank 0 sent something it cannot read, or MPI failed): say so and
// end the job, which mpirun reports.
int AbortJob(int rank, const std::string& why) {
  std::fprintf(stderr, "parsweep mpi worker rank %d: %s\n", rank, why.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 1);
  return 1;
}

int ServeRankZero(int rank) {
  const bool killed_for_test = KilledForTest(rank);
  std::unique_ptr<Workload> workload;
  uint64_t max_reply_bytes = INT32_MAX;
  while (true) {
    absl::StatusOr<Received> received = ReceiveMessage(0, MPI_ANY_TAG, kWorkerMaxMessageBytes);
    if (!received.ok()) return AbortJob(rank, received.status().ToString());
    if (received->tag == kTagStop) break;
    if (received->tag == kTagStart) {
      WorkerStart start;
      if (!start.ParseFromString(received->bytes)) {
        return AbortJob(rank, "a corrupt start message from rank 0");
      }
      max_reply_bytes = start.max_reply_bytes();
      workload.reset();
      absl::StatusOr<std::unique_ptr<Workload>> built = BuildWorkload(start);
      if (built.ok()) workload = std::move(*built);
      WorkerReady ready;
      ready.set_code(static_cast<int>(built.status().code()));
      ready.set_message(std::string(built.status().message()));
      if (absl::Status sent = SendMessage(ready, 0, kTagReady); !sent.ok()) {
        return AbortJob(rank, sent.ToString());
      }
      continue;
    }
    WorkBatch batch;
    if (received->tag != kTagBatch || !batch.ParseFromString(received->bytes)) {
      return AbortJob(rank,
                      absl::StrCat("a corrupt message (tag ", received->tag, ") from rank 0"));
    }
    const uint64_t first = batch.items().empty() ? 0 : batch.items(0).index();
    WorkBatchResult result;
    if (workload == nullptr) {
      result.set_id(batch.id());
      SetError(first, absl::FailedPreconditionError("this rank has no workload"), result);
    } else {
      if (killed_for_test) raise(SIGKILL);
      result = RunBatch(*workload, batch);
    }
    std::string bytes = result.SerializeAsString();
    if (bytes.size() > max_reply_bytes) {
      WorkBatchResult refused;
      refused.set_id(batch.id());
      SetError(first,
               absl::ResourceExhaustedError(absl::StrCat(
                   "the batch's result is ", bytes.size(),
                   " bytes, more than the executor's max_message_bytes (", max_reply_bytes,
                   "); use smaller chunks or raise max_message_bytes")),
               refused);
      bytes = refused.SerializeAsString();
    }
    if (absl::Status sent = SendBytes(bytes, 0, kTagResult); !sent.ok()) {
      return AbortJob(rank, sent.ToString());
    }
  }
  workload.reset();
  MPI_Finalize();
  return 0;
}

std::optional<int> MpiWorkerEntry(int argc, char** argv) {
  const std::optional<int> rank = LaunchRank();
  const std::optional<int> size = LaunchSize();
  if (!rank || !size || *size < 2) return std::nullopt;
  if (*rank == 0) {
    // Processes that rank 0 starts (the process executor's spawned workers) inherit its
    // environment, rank included; they are not rank 0 and must leave MPI alone.
    const std::string pid = absl::StrCat(getpid());
    const char* rank0_pid = std::getenv(kRankZeroPidVar);
    if (rank0_pid != nullptr && pid != rank0_pid) return std::nullopt;
    setenv(kRankZeroPidVar, pid.c_str(), 1);
    // Rank 0 runs the program. Whatever executor it uses, the workers wait in MPI_Init for
    // it, so make sure MPI is initialised and finalised (stopping them) by exit.
    std::atexit([] {
      if (!TheSession().initialized && EnsureSession().ok()) ShutdownAtExit();
    });
    return std::nullopt;
  }
  if (absl::Status status = Init(); !status.ok()) {
    std::fprintf(stderr, "parsweep mpi worker rank %d: %s\n", *rank, status.ToString().c_str());
    return 1;
  }
  return ServeRankZero(*rank);
}

// ---------------------------------------------------------------------------------------
// Rank 0's executor.

// The worker ranks as a WorkerBackend: slot i is rank i + 1. A rank is never lost (MPI
// cannot survive one): a failure of the wire makes Wait() fail and the job unusable.
class MpiBackend final : public WorkerBackend {
 public:
  MpiBackend(const MpiExecutorOptions& options, int workers)
      : options_(options), workers_(workers) {
    SetTerminationReporter(ReportActivity);
  }

  ~MpiBackend() override {
    // Leave every worker idle for the next executor or the stop at exit.
    std::vector<WorkerEvent> ignored;
    while (AnyRankBusy()) {
      if (!Receive(absl::InfiniteFuture(), ignored).ok()) break;
    }
    SetTerminationReporter(nullptr);
    TheSession().executor_alive = false;
  }

  int slots() const override { return workers_; }

  absl::Status Start(const Workload& workload) override {
    ASSIGN_OR_RETURN(const ExportedWorkload exported, workload.Export());
    std::vector<absl::Span<const char>> broadcasts;
    const WorkerStart start =
        StartFor(exported, options_.data_on_all_ranks, options_.max_message_bytes, broadcasts);
    // Every rank gets the workload, even those beyond `workers`, so that a broadcast is
    // collective over MPI_COMM_WORLD.
    const int size = TheSession().size;
    const std::string bytes = start.SerializeAsString();
    for (int rank = 1; rank < size; ++rank) {
      RETURN_IF_ERROR(Fatal(SendBytes(bytes, rank, kTagStart)));
    }
    for (absl::Span<const char> blob : broadcasts) {
      // MPI_Bcast's buffer is not const, but the root only reads it.
      RETURN_IF_ERROR(Fatal(BroadcastBytes(const_cast<char*>(blob.data()), blob.size())));
    }
    absl::Status first_error;
    for (int rank = 1; rank < size; ++rank) {
      absl::StatusOr<Received> received =
          ReceiveMessage(rank, kTagReady, options_.max_message_bytes);
      RETURN_IF_ERROR(Fatal(received.status()));
      WorkerReady ready;
      if (!ready.ParseFromString(received->bytes)) {
        return Fatal(absl::DataLossError(
            absl::StrCat("executor '", kName, "': rank ", rank, " sent a corrupt reply")));
      }
      if (ready.code() != 0 && first_error.ok()) {
        first_error = absl::Status(static_cast<absl::StatusCode>(ready.code()),
                                   absl::StrCat("MPI rank ", rank, " could not build workload '",
                                                exported.spec.name(), "': ", ready.message()));
      }
    }
    return first_error;
  }

  absl::StatusOr<bool> Restart(int) override {
    return absl::UnavailableError(absl::StrCat("executor '", kName, "': ranks cannot restart"));
  }

  absl::Status Send(int slot, const WorkBatch& batch) override {
    const int rank = slot + 1;
    RankActivity& activity = TheSession().activity[rank];
    activity.first.store(FirstIndex(batch));
    activity.last.store(batch.items().empty() ? 0 : batch.items(batch.items_size() - 1).index());
    activity.busy.store(true);
    const absl::Status sent = SendMessage(batch, rank, kTagBatch);
    // A failed send breaks the job: remember it for the next Wait().
    if (!sent.ok()) broken_ = Fatal(sent);
    return absl::OkStatus();
  }

  absl::Status Wait(absl::Time deadline, std::vector<WorkerEvent>& events) override {
    RETURN_IF_ERROR(broken_);
    return Receive(deadline, events);
  }

 private:
  // Fatal marks the MPI job unusable when `status` is an error of the wire itself (not of a
  // batch): MPI failed, or a worker's message could not be received. Adds what every rank
  // was running.
  absl::Status Fatal(absl::Status status) {
    if (status.ok()) return status;
    TheSession().broken = true;
    FixedText activity;
    if (!AppendActivity(activity)) return status;
    return absl::Status(status.code(),
                        absl::StrCat(status.message(), "; at the time ", activity.c_str()));
  }

  // Busy: rank has a batch whose reply has not been received (the session keeps this, so
  // that the termination reporter can say which).
  static bool Busy(int rank) { return TheSession().activity[rank].busy.load(); }

  bool AnyRankBusy() const {
    for (int rank = 1; rank <= workers_; ++rank) {
      if (Busy(rank)) return true;
    }
    return false;
  }

  // Receives one reply from any busy rank, if one comes by `deadline`. A batch's error gets
  // the rank added.
  absl::Status Receive(absl::Time deadline, std::vector<WorkerEvent>& events) {
    Received received;
    absl::StatusOr<bool> arrived = ReceiveMessageBy(MPI_ANY_SOURCE, kTagResult,
                                                    options_.max_message_bytes, deadline, received);
    RETURN_IF_ERROR(Fatal(arrived.status()));
    if (!*arrived) return absl::OkStatus();
    const int rank = received.source;
    WorkBatchResult result;
    if (rank < 1 || rank > workers_ || !Busy(rank) || !result.ParseFromString(received.bytes)) {
      return Fatal(absl::DataLossError(absl::StrCat("executor '", kName, "': rank ", rank,
                                                    " sent an unexpected or corrupt reply")));
    }
    TheSession().activity[rank].busy.store(false);
    if (result.has_error()) {
      absl::StrAppend(result.mutable_error()->mutable_message(), " (on MPI rank ", rank, ")");
    }
    WorkerEvent& event = events.emplace_back();
    event.slot = rank - 1;
    event.kind = WorkerEvent::Kind::kResult;
    event.result = std::move(result);
    return absl::OkStatus();
  }

  const MpiExecutorOptions options_;
  const int workers_;
  absl::Status broken_;
};

const bool kWorkerEntryRegistered = RegisterWorkerEntry(MpiWorkerEntry);

const OptionList& MpiExecutorOptionList() {
  static const OptionList* options = new OptionList{
      IntOption("max_message_bytes", int64_t{64} << 20, 1024, INT32_MAX,
                "the largest reply a worker rank may send; a larger one fails its batch"),
      BoolOption("data_on_all_ranks", false,
                 "every rank loads the workload's shareable data itself (a file at the same "
                 "path on every host) instead of rank 0 broadcasting it"),
  };
  return *options;
}

MpiExecutorOptions MpiExecutorOptionsFrom(const ExecutorSpec& spec, const PluginOptions& parsed) {
  MpiExecutorOptions options;
  options.workers = static_cast<int>(std::min<uint32_t>(spec.workers(), 1 << 20));
  options.max_message_bytes = static_cast<size_t>(parsed.Int("max_message_bytes"));
  options.data_on_all_ranks = parsed.Bool("data_on_all_ranks");
  return options;
}

}  // namespace

absl::StatusOr<MpiExecutorOptions> ParseMpiExecutorOptions(const ExecutorSpec& spec) {
  ASSIGN_OR_RETURN(
      const PluginOptions parsed,
      PluginOptions::Parse(Executor::kKind, kName, MpiExecutorOptionList(), spec.params()));
  return MpiExecutorOptionsFrom(spec, parsed);
}

bool InMpiJob() { return LaunchSize().value_or(0) >= 2; }

namespace {

absl::StatusOr<std::unique_ptr<Executor>> CreateMpiExecutor(const ExecutorSpec& spec,
                                                            const PluginOptions& parsed) {
  const MpiExecutorOptions options = MpiExecutorOptionsFrom(spec, parsed);
  if (!InMpiJob() || LaunchRank().value_or(0) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "executor '", kName, "' needs to run as rank 0 of an MPI job with at least 2 ranks ",
        "(mpirun -np 3 ...)"));
  }
  if (TheSession().executor_alive) {
    return absl::FailedPreconditionError(
        absl::StrCat("executor '", kName, "': only one may exist at a time"));
  }
  ASSIGN_OR_RETURN(const int size, EnsureSession());
  if (options.workers > size - 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("executor '", kName, "': workers=", options.workers, " but the job has only ",
                     size - 1, " worker ranks"));
  }
  const int workers = options.workers == 0 ? size - 1 : options.workers;
  TheSession().executor_alive = true;
  return std::unique_ptr<Executor>(std::make_unique<TaskLedger>(
      std::make_unique<MpiBackend>(options, workers), LedgerOptions()));
}

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_EXECUTOR(mpi,
                           "the ranks of an Open MPI job (mpirun -np N): rank 0 schedules, "
                           "the others work",
                           parsweep::CreateMpiExecutor, parsweep::MpiExecutorOptionList());
