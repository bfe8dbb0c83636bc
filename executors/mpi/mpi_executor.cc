#include "executors/mpi/mpi_executor.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "executors/mpi/mpi_launch.h"
#include "executors/mpi/mpi_wire.h"
#include "executors/mpi/mpi_worker.h"
#include "proto/work.pb.h"
#include "runtime/base/fd_io.h"
#include "runtime/base/fingerprint.h"
#include "runtime/base/status_macros.h"
#include "runtime/plugin/registry.h"
#include "runtime/plugin/workload.h"
#include "runtime/process/child_processes.h"
#include "runtime/process/worker_entry.h"
#include "runtime/scheduling/batch.h"
#include "runtime/scheduling/result_pieces.h"
#include "runtime/scheduling/task_ledger.h"
#include "runtime/scheduling/worker_backend.h"

namespace parsweep {
namespace {

constexpr char kName[] = "mpi";
// Rank 0 records its pid here, so that processes it starts know they are not rank 0.
constexpr char kRankZeroPidVar[] = "PARSWEEP_MPI_RANK0_PID";
// What rank 0 accepts at shutdown, when the executor's own limit is gone: any leftover.
constexpr size_t kShutdownMessageLimit = size_t{1} << 30;

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
  // The job cannot end cleanly (a message could not be received, a rank went silent): rank
  // 0 exits non-zero at exit without finalising, and mpirun ends the job.
  bool broken = false;
  bool executor_alive = false;
  // Why MPI's world is not the job the environment named (stray variables): MPI runs this
  // process alone, with no worker to stop.
  std::optional<absl::Status> alone;
  int size = 0;
  // How long the ranks have to acknowledge the stop at exit: the last executor's
  // heartbeat_timeout.
  absl::Duration stop_timeout = kDefaultHeartbeatTimeout;
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

// AppendRankActivity appends "task 1" or "tasks 3-4", what `rank` was running.
void AppendRankActivity(int rank, FixedText& text) {
  const RankActivity& activity = TheSession().activity[rank];
  const uint64_t first = activity.first.load();
  const uint64_t last = activity.last.load();
  text.Append(first == last ? "task " : "tasks ");
  text.AppendNumber(first);
  if (last != first) {
    text.Append("-");
    text.AppendNumber(last);
  }
}

// AppendActivity appends "rank 2 was running task 1; rank 1 was running tasks 3-4" for
// every busy rank, and returns whether there was one. Async-signal-safe.
bool AppendActivity(FixedText& text) {
  const Session& session = TheSession();
  bool any = false;
  for (int rank = 1; session.activity != nullptr && rank < session.size; ++rank) {
    if (!session.activity[rank].busy.load()) continue;
    text.Append(any ? "; rank " : "rank ");
    any = true;
    text.AppendNumber(static_cast<uint64_t>(rank));
    text.Append(" was running ");
    AppendRankActivity(rank, text);
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

// StopWorkers tells every worker rank to stop and waits up to the session's stop_timeout for
// each to acknowledge; what went wrong, or empty. Messages still on their way (late
// heartbeats) are received and dropped.
std::string StopWorkers(Session& session) {
  std::vector<MPI_Request> sends(session.size, MPI_REQUEST_NULL);
  for (int rank = 1; rank < session.size; ++rank) {
    const absl::Status sent = StartSend("", rank, kTagStop, sends[rank]);
    if (!sent.ok()) return std::string(sent.message());
  }
  std::vector<bool> stopped(session.size, false);
  int waiting = session.size - 1;
  const absl::Time deadline = absl::Now() + session.stop_timeout;
  PollPause pause;
  while (waiting > 0) {
    MPI_Status status;
    absl::StatusOr<bool> arrived = Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, status);
    if (!arrived.ok()) return std::string(arrived.status().message());
    if (*arrived) {
      Received received;
      const absl::Status got = ReceiveProbed(status, kShutdownMessageLimit, received);
      if (!got.ok()) return std::string(got.message());
      if (received.tag == kTagStopped && !stopped[received.source]) {
        stopped[received.source] = true;
        --waiting;
      }
      continue;
    }
    if (!pause.Wait(deadline)) break;
  }
  for (int rank = 1; rank < session.size; ++rank) {
    if (!stopped[rank]) {
      return absl::StrCat("MPI rank ", rank, " did not acknowledge the stop within ",
                          absl::FormatDuration(session.stop_timeout),
                          " (it is stopped, busy or cut off)");
    }
  }
  for (MPI_Request& send : sends) {
    if (send != MPI_REQUEST_NULL) MPI_Wait(&send, MPI_STATUS_IGNORE);  // Acknowledged: done.
  }
  return "";
}

// Stops every worker and finalises MPI; registered with atexit on rank 0. A job that cannot
// end cleanly (broken, or a rank that does not acknowledge the stop) ends with rank 0
// exiting with status 1 unfinalised instead, which mpirun reports and answers by killing
// every rank, rather than wait in MPI_Finalize for a rank that will never come.
void ShutdownAtExit() {
  Session& session = TheSession();
  if (!session.initialized || session.finalized) return;
  session.finalized = true;
  SetTerminationReporter(nullptr);
  if (session.alone) {
    MPI_Finalize();
    return;
  }
  const std::string failed = session.broken ? "" : StopWorkers(session);
  if (session.broken || !failed.empty()) {
    if (!failed.empty()) std::fprintf(stderr, "parsweep mpi: %s; ending the job\n", failed.c_str());
    std::fflush(nullptr);
    // Not MPI_Abort: Open MPI 4.1's mpirun sometimes fails to unpack the help message that
    // MPI_Abort sends it ("ORTE_ERROR_LOG: Out of resource in file show_help.c") and then
    // waits for ever with every rank already dead (seen in about 1 run in 10 with another
    // job running beside it). A rank that exits non-zero without finalising makes mpirun
    // end the job as surely, killing the other ranks, without that message.
    _exit(1);
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
    RETURN_IF_ERROR(InitMpi(MPI_THREAD_FUNNELED));
    session.initialized = true;
    std::atexit(ShutdownAtExit);
    MPI_Comm_size(MPI_COMM_WORLD, &session.size);
    session.activity = new RankActivity[static_cast<size_t>(session.size)];
    if (absl::Status launch = VerifyLaunch(); !launch.ok()) session.alone = launch;
  }
  if (session.alone) return *session.alone;
  return session.size;
}

// ---------------------------------------------------------------------------------------
// Workloads across machines.

// StartFor is what every worker rank is sent to rebuild `exported` (see "Data" in
// mpi_executor.h); `broadcasts` receives the blobs to broadcast after it, in order.
WorkerStart StartFor(const ExportedWorkload& exported, const MpiExecutorOptions& options,
                     std::vector<absl::Span<const char>>& broadcasts) {
  WorkerStart start;
  *start.mutable_workload() = exported.spec;
  start.set_max_reply_bytes(options.max_message_bytes);
  if (options.heartbeat_timeout != absl::InfiniteDuration()) {
    start.set_heartbeat_interval_us(
        static_cast<uint64_t>(absl::ToInt64Microseconds(options.heartbeat_timeout / 10)));
  }
  broadcasts.clear();
  for (const ExportedBlob& blob : exported.blobs) {
    BlobRef& ref = *start.add_blobs();
    ref.set_name(blob.name);
    ref.set_size(blob.bytes.size());
    const bool reload =
        blob.source == ExportedBlob::Source::kReproducible ||
        (blob.source == ExportedBlob::Source::kSharedFile && options.data_on_all_ranks);
    if (reload) {
      ref.set_reload_fingerprint(Fingerprint64(blob.bytes));
    } else {
      ref.set_broadcast(true);
      broadcasts.push_back(blob.bytes);
    }
  }
  return start;
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
      if (TheSession().initialized) return;
      if (const absl::Status session = EnsureSession().status(); !session.ok()) {
        std::fprintf(stderr, "parsweep: %s\n", std::string(session.message()).c_str());
      }
      ShutdownAtExit();
    });
    return std::nullopt;
  }
  return ServeRankZero(*rank);
}

// ---------------------------------------------------------------------------------------
// Rank 0's executor.

// The worker ranks as a WorkerBackend: slot i is rank i + 1. A rank is never lost (MPI
// cannot survive one): a failure of the wire, or a rank gone silent, makes Wait() fail and
// the job unusable.
class MpiBackend final : public WorkerBackend {
 public:
  MpiBackend(const MpiExecutorOptions& options, int workers)
      : options_(options), workers_(workers), ranks_(TheSession().size) {
    SetTerminationReporter(ReportActivity);
    TheSession().stop_timeout = options.heartbeat_timeout;
  }

  ~MpiBackend() override {
    LeaveRanksIdle();
    SetTerminationReporter(nullptr);
    TheSession().executor_alive = false;
  }

  int slots() const override { return workers_; }
  absl::Status Start(const Workload& workload) override;
  absl::StatusOr<bool> Restart(int) override {
    return absl::UnavailableError(absl::StrCat("executor '", kName, "': ranks cannot restart"));
  }
  absl::Status Send(int slot, const WorkBatch& batch) override;
  absl::Status Wait(absl::Time deadline, std::vector<WorkerEvent>& events) override {
    RETURN_IF_ERROR(broken_);
    return Pump(deadline, events);
  }
  bool heartbeats() const override {
    return options_.heartbeat_timeout != absl::InfiniteDuration();
  }
  // An MPI job cannot lose a rank: a rank the ledger gives up on ends the job.
  std::string Kill(int slot, absl::string_view why) override;

 private:
  struct Rank {
    std::string outgoing;  // What is being sent to it; kept until the send completes.
    MPI_Request send = MPI_REQUEST_NULL;
    uint64_t batch = 0;  // The batch it runs, while the session says it is busy.
    ResultAssembler pieces;
    // Start(): when it was last heard from, and its answer.
    absl::Time heard;
    std::optional<WorkerReady> ready;
  };

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
  template <typename T>
  absl::StatusOr<T> Fatal(absl::StatusOr<T> result) {
    if (result.ok()) return result;
    return Fatal(result.status());
  }

  // Busy: rank has a batch whose reply has not been received (the session keeps this, so
  // that the termination reporter can say which).
  static bool Busy(int rank) { return TheSession().activity[rank].busy.load(); }

  // ReceiveOne receives and handles a message from any worker rank if one has arrived
  // (true), without waiting.
  absl::StatusOr<bool> ReceiveOne(std::vector<WorkerEvent>& events);
  // Pump receives what has arrived until it makes an event, or `deadline` passes.
  absl::Status Pump(absl::Time deadline, std::vector<WorkerEvent>& events);
  // Handle acts on one message from a worker rank.
  absl::Status Handle(Received& message, std::vector<WorkerEvent>& events);
  absl::Status Deliver(int rank, WorkBatchResult result, std::vector<WorkerEvent>& events);
  // AwaitStart pumps until `request` (if any) completes, or else until every rank is ready;
  // a rank silent for heartbeat_timeout meanwhile ends the job.
  absl::Status AwaitStart(MPI_Request* request);
  // LeaveRanksIdle waits for the replies of running batches, so the next executor (or the
  // stop at exit) finds every rank idle; a rank silent for heartbeat_timeout ends the job.
  void LeaveRanksIdle();

  const MpiExecutorOptions options_;
  const int workers_;
  std::vector<Rank> ranks_;  // By rank; [0] is unused.
  std::string start_bytes_;  // The WorkerStart every rank is being sent.
  bool starting_ = false;
  absl::Status broken_;
};

absl::Status MpiBackend::Start(const Workload& workload) {
  ASSIGN_OR_RETURN(const ExportedWorkload exported, workload.Export());
  std::vector<absl::Span<const char>> broadcasts;
  start_bytes_ = StartFor(exported, options_, broadcasts).SerializeAsString();
  // Every rank gets the workload, even those beyond `workers`, so that a broadcast is
  // collective over MPI_COMM_WORLD.
  starting_ = true;
  const absl::Time now = absl::Now();
  for (int rank = 1; rank < static_cast<int>(ranks_.size()); ++rank) {
    Rank& worker = ranks_[rank];
    worker.heard = now;
    worker.ready.reset();
    // What the rank was sent before has been answered: complete it before starting anew.
    if (worker.send != MPI_REQUEST_NULL) {
      RETURN_IF_ERROR(
          Fatal(CompleteBy(worker.send, absl::InfiniteFuture(), "MPI_Isend", rank).status()));
    }
    RETURN_IF_ERROR(Fatal(StartSend(start_bytes_, rank, kTagStart, worker.send)));
  }
  for (absl::Span<const char> blob : broadcasts) {
    for (size_t done = 0; done < blob.size(); done += kBroadcastPieceBytes) {
      MPI_Request request;
      // MPI_Ibcast's buffer is not const, but the root only reads it.
      RETURN_IF_ERROR(Fatal(
          StartBroadcast(const_cast<char*>(blob.data()) + done, blob.size() - done, request)));
      RETURN_IF_ERROR(AwaitStart(&request));
    }
  }
  RETURN_IF_ERROR(AwaitStart(nullptr));
  starting_ = false;
  for (int rank = 1; rank < static_cast<int>(ranks_.size()); ++rank) {
    const WorkerReady& ready = *ranks_[rank].ready;
    if (ready.code() != 0) {
      return absl::Status(static_cast<absl::StatusCode>(ready.code()),
                          absl::StrCat("MPI rank ", rank, " could not build workload '",
                                       exported.spec.name(), "': ", ready.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status MpiBackend::AwaitStart(MPI_Request* request) {
  PollPause pause;
  std::vector<WorkerEvent> events;  // Nothing but heartbeats and readiness is expected.
  while (true) {
    if (request != nullptr) {
      ASSIGN_OR_RETURN(const bool done,
                       Fatal(CompleteBy(*request, absl::InfinitePast(), "MPI_Ibcast", 0)));
      if (done) return absl::OkStatus();
    } else if (std::all_of(ranks_.begin() + 1, ranks_.end(),
                           [](const Rank& rank) { return rank.ready.has_value(); })) {
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(const bool arrived, ReceiveOne(events));
    if (arrived) continue;
    absl::Time check = absl::InfiniteFuture();
    const absl::Time now = absl::Now();
    for (int rank = 1; rank < static_cast<int>(ranks_.size()); ++rank) {
      const Rank& worker = ranks_[rank];
      if (worker.ready || !heartbeats()) continue;
      const absl::Duration silent = now - worker.heard;
      if (silent >= options_.heartbeat_timeout) {
        return Fatal(absl::DeadlineExceededError(
            absl::StrCat("executor '", kName, "': MPI rank ", rank, " sent no heartbeat for ",
                         absl::FormatDuration(absl::Trunc(silent, absl::Milliseconds(10))),
                         " while building the workload (the limit is ",
                         absl::FormatDuration(options_.heartbeat_timeout),
                         "); an MPI job cannot replace a rank, so the job ends")));
      }
      check = std::min(check, worker.heard + options_.heartbeat_timeout);
    }
    pause.Wait(check);
  }
}

absl::Status MpiBackend::Send(int slot, const WorkBatch& batch) {
  const int rank = slot + 1;
  Rank& worker = ranks_[rank];
  RankActivity& activity = TheSession().activity[rank];
  activity.first.store(FirstIndex(batch));
  activity.last.store(batch.items().empty() ? 0 : batch.items(batch.items_size() - 1).index());
  activity.busy.store(true);
  worker.batch = batch.id();
  worker.pieces.Reset();
  absl::Status sent;
  // The rank answered what it was sent before, so that send is done; MPI wants it completed
  // before its buffer is reused.
  if (worker.send != MPI_REQUEST_NULL) {
    sent = CompleteBy(worker.send, absl::InfiniteFuture(), "MPI_Isend", rank).status();
  }
  if (sent.ok()) {
    worker.outgoing = batch.SerializeAsString();
    sent = StartSend(worker.outgoing, rank, kTagBatch, worker.send);
  }
  // A failed send breaks the job: remember it for the next Wait().
  if (!sent.ok()) broken_ = Fatal(sent);
  return absl::OkStatus();
}

std::string MpiBackend::Kill(int slot, absl::string_view why) {
  const int rank = slot + 1;
  FixedText tasks;
  AppendRankActivity(rank, tasks);
  TheSession().broken = true;
  broken_ = absl::DeadlineExceededError(
      absl::StrCat("executor '", kName, "': MPI rank ", rank, " ", why, " while running ",
                   tasks.c_str(), "; an MPI job cannot replace a rank, so the job ends"));
  return "";
}

absl::StatusOr<bool> MpiBackend::ReceiveOne(std::vector<WorkerEvent>& events) {
  MPI_Status status;
  ASSIGN_OR_RETURN(const bool arrived, Fatal(Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, status)));
  if (!arrived) return false;
  Received message;
  RETURN_IF_ERROR(Fatal(ReceiveProbed(status, options_.max_message_bytes, message)));
  RETURN_IF_ERROR(Handle(message, events));
  return true;
}

absl::Status MpiBackend::Pump(absl::Time deadline, std::vector<WorkerEvent>& events) {
  PollPause pause;
  while (true) {
    ASSIGN_OR_RETURN(const bool arrived, ReceiveOne(events));
    if (arrived) continue;  // Take whatever else has arrived before returning.
    if (!events.empty() || !pause.Wait(deadline)) return absl::OkStatus();
  }
}

absl::Status MpiBackend::Handle(Received& message, std::vector<WorkerEvent>& events) {
  const int rank = message.source;
  auto unexpected = [&](absl::string_view what) {
    return Fatal(absl::DataLossError(absl::StrCat("executor '", kName, "': rank ", rank,
                                                  " sent an unexpected or corrupt ", what)));
  };
  if (rank < 1 || rank >= static_cast<int>(ranks_.size())) return unexpected("message");
  Rank& worker = ranks_[rank];
  switch (message.tag) {
    case kTagHeartbeat: {
      Heartbeat beat;
      if (!beat.ParseFromString(message.bytes)) return unexpected("heartbeat");
      if (starting_) {
        worker.heard = absl::Now();
      } else if (rank <= workers_ && Busy(rank) && beat.batch() == worker.batch) {
        WorkerEvent& alive = events.emplace_back();
        alive.slot = rank - 1;
        alive.kind = WorkerEvent::Kind::kAlive;
        alive.batch = beat.batch();
      }
      return absl::OkStatus();  // A late beat for a batch that has finished is dropped.
    }
    case kTagReady: {
      WorkerReady ready;
      if (!starting_ || worker.ready || !ready.ParseFromString(message.bytes)) {
        return unexpected("readiness");
      }
      worker.ready = std::move(ready);
      return absl::OkStatus();
    }
    case kTagPiece: {
      ResultPiece piece;
      if (starting_ || rank > workers_ || !Busy(rank) || !piece.ParseFromString(message.bytes)) {
        return unexpected("piece of a result");
      }
      absl::StatusOr<std::optional<WorkBatchResult>> assembled =
          worker.pieces.Add(piece, worker.batch);
      if (!assembled.ok()) {
        return Fatal(absl::DataLossError(absl::StrCat("executor '", kName, "': rank ", rank,
                                                      " sent ", assembled.status().message())));
      }
      WorkerEvent& alive = events.emplace_back();  // A piece is progress, as a heartbeat is.
      alive.slot = rank - 1;
      alive.kind = WorkerEvent::Kind::kAlive;
      alive.batch = worker.batch;
      if (!assembled->has_value()) return absl::OkStatus();
      return Deliver(rank, **std::move(assembled), events);
    }
    case kTagResult: {
      WorkBatchResult result;
      if (starting_ || rank > workers_ || !Busy(rank) || !result.ParseFromString(message.bytes) ||
          result.id() != worker.batch) {
        return unexpected("reply");
      }
      return Deliver(rank, std::move(result), events);
    }
    default:
      return unexpected(absl::StrCat("message (tag ", message.tag, ")"));
  }
}

absl::Status MpiBackend::Deliver(int rank, WorkBatchResult result,
                                 std::vector<WorkerEvent>& events) {
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

void MpiBackend::LeaveRanksIdle() {
  if (!broken_.ok() || TheSession().broken) return;  // The job ends at exit, unfinalised.
  std::vector<absl::Time> heard(ranks_.size(), absl::Now());
  std::vector<WorkerEvent> events;
  while (true) {
    bool busy = false;
    absl::Time check = absl::InfiniteFuture();
    const absl::Time now = absl::Now();
    for (int rank = 1; rank <= workers_; ++rank) {
      if (!Busy(rank)) continue;
      busy = true;
      if (!heartbeats()) continue;
      if (now - heard[rank] >= options_.heartbeat_timeout) {
        TheSession().broken = true;
        return;
      }
      check = std::min(check, heard[rank] + options_.heartbeat_timeout);
    }
    if (!busy) break;
    events.clear();
    if (!Pump(check, events).ok()) return;  // Pump marked the job broken.
    for (const WorkerEvent& event : events) heard[event.slot + 1] = absl::Now();
  }
  for (int rank = 1; rank < static_cast<int>(ranks_.size()); ++rank) {
    Rank& worker = ranks_[rank];
    if (worker.send != MPI_REQUEST_NULL &&
        !CompleteBy(worker.send, absl::InfiniteFuture(), "MPI_Isend", rank).ok()) {
      TheSession().broken = true;
      return;
    }
  }
}

const bool kWorkerEntryRegistered = RegisterWorkerEntry(MpiWorkerEntry);

const OptionList& MpiExecutorOptionList() {
  static const OptionList* options = [] {
    auto* list = new OptionList{
        IntOption("max_message_bytes", int64_t{64} << 20,
                  static_cast<int64_t>(kMinResultMessageBytes), INT32_MAX,
                  "the largest message a worker rank sends; a larger result travels in pieces"),
        BoolOption("data_on_all_ranks", false,
                   "every rank loads the workload's shareable data itself (a file at the same "
                   "path on every host) instead of rank 0 broadcasting it"),
    };
    for (OptionSpec& option : LivenessOptions("declared lost, which ends the whole job (an "
                                              "MPI job cannot replace a rank)")) {
      list->push_back(std::move(option));
    }
    return list;
  }();
  return *options;
}

MpiExecutorOptions MpiExecutorOptionsFrom(const ExecutorSpec& spec, const PluginOptions& parsed) {
  MpiExecutorOptions options;
  options.workers = static_cast<int>(std::min<uint32_t>(spec.workers(), 1 << 20));
  options.max_message_bytes = static_cast<size_t>(parsed.Int("max_message_bytes"));
  options.data_on_all_ranks = parsed.Bool("data_on_all_ranks");
  options.task_timeout = parsed.Duration("task_timeout");
  options.heartbeat_timeout = parsed.Duration("heartbeat_timeout");
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
  LedgerOptions ledger;
  ledger.task_timeout = options.task_timeout;
  ledger.heartbeat_timeout = options.heartbeat_timeout;
  return std::unique_ptr<Executor>(
      std::make_unique<TaskLedger>(std::make_unique<MpiBackend>(options, workers), ledger));
}

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_EXECUTOR(mpi,
                           "the ranks of an Open MPI job (mpirun -np N): rank 0 schedules, "
                           "the others work",
                           parsweep::CreateMpiExecutor, parsweep::MpiExecutorOptionList());
