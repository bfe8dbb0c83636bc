#include "executors/process/process_executor.h"

#include <poll.h>
#include <sys/types.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "executors/process/frame_io.h"
#include "executors/process/shared_memory.h"
#include "executors/process/worker_loop.h"
#include "executors/process/worker_process.h"
#include "runtime/scheduling/batch.h"
#include "runtime/base/status_macros.h"
#include "runtime/process/worker_entry.h"

namespace parsweep {
namespace {

constexpr char kName[] = "process";
constexpr int kMaxWorkers = 1024;
constexpr int kMaxRetries = 100;
// How long a worker whose pipe reached EOF may take to finish exiting before it is killed.
constexpr absl::Duration kExitGrace = absl::Seconds(1);
// How long workers may take to exit after their pipes close at shutdown.
constexpr absl::Duration kShutdownGrace = absl::Seconds(2);

uint64_t FirstIndex(const WorkBatch& batch) {
  return batch.items().empty() ? 0 : batch.items(0).index();
}

WorkBatchResult FailedResult(const WorkBatch& batch, const absl::Status& status) {
  WorkBatchResult result;
  result.set_id(batch.id());
  SetError(FirstIndex(batch), status, result);
  return result;
}

class ProcessExecutor final : public Executor {
 public:
  explicit ProcessExecutor(const ProcessExecutorOptions& options)
      : options_(options), slots_(options.workers) {}

  ~ProcessExecutor() override { StopWorkers(); }

  int parallelism() const override { return options_.workers; }
  absl::Status Start(const Workload& workload) override;
  absl::Status Submit(WorkBatch batch) override;
  absl::StatusOr<WorkBatchResult> Next() override;

 private:
  struct Job {
    WorkBatch batch;
    int retries = 0;
  };

  // One worker's place. Idle: worker && ready && !job.
  struct Slot {
    std::unique_ptr<WorkerProcess> worker;  // Null when no worker could be started.
    bool ready = false;                     // Spawned workers: the workload is built.
    std::optional<Job> job;                 // The batch the worker is running.
  };

  bool spawn() const {
    return options_.start_method == ProcessExecutorOptions::StartMethod::kSpawn;
  }
  bool Waiting(const Slot& slot) const { return slot.worker && (slot.job || !slot.ready); }

  // Starts a worker in an empty slot; on failure records the error in start_error_.
  absl::Status StartWorker(Slot& slot);
  // Hands queued batches to idle workers.
  void DispatchQueued();
  // Waits until some worker has something to say, and handles it.
  absl::Status Pump();
  void HandleEvent(Slot& slot);
  // Reaps a worker that died or misbehaved, settles its batch, and replaces it.
  void LoseWorker(Slot& slot, const absl::Status& cause);
  void StopWorkers();

  const ProcessExecutorOptions options_;
  const Workload* workload_ = nullptr;  // Set from the start of Start(); the workers' workload.
  bool started_ = false;
  std::optional<WorkerStart> start_frame_;  // Spawn: what the workers rebuild.
  std::vector<SealedFile> shared_blobs_;    // Spawn: the workload's blobs, inherited.
  SpawnCommand spawn_command_;
  std::vector<Slot> slots_;
  std::deque<Job> queue_;             // Submitted, not yet handed to a worker.
  std::deque<WorkBatchResult> done_;  // Finished, not yet returned by Next().
  size_t outstanding_ = 0;            // Submitted, not yet returned by Next().
  absl::Status start_error_;          // Why a worker last failed to start.
};

absl::Status ProcessExecutor::StartWorker(Slot& slot) {
  slot = Slot();
  absl::StatusOr<std::unique_ptr<WorkerProcess>> worker;
  if (spawn()) {
    worker = WorkerProcess::Spawn(spawn_command_, options_.max_frame_bytes);
    if (worker.ok()) {
      ToWorker first;
      *first.mutable_start() = *start_frame_;
      if (absl::Status sent = (*worker)->Send(first); !sent.ok()) {
        (*worker)->ClosePipes();
        (*worker)->Reap(kExitGrace);
        worker = absl::UnavailableError(absl::StrCat("worker pid ", (*worker)->pid(), " ",
                                                     (*worker)->DescribeEnd(),
                                                     " before it took the workload"));
      }
    }
  } else {
    const Workload& workload = *workload_;
    worker = WorkerProcess::Fork(
        [&workload](int request_fd, int reply_fd) {
          return RunWorkerLoop(workload, request_fd, reply_fd);
        },
        options_.max_frame_bytes);
  }
  if (!worker.ok()) {
    start_error_ = worker.status();
    return start_error_;
  }
  slot.worker = *std::move(worker);
  slot.ready = !spawn();
  return absl::OkStatus();
}

absl::Status ProcessExecutor::Start(const Workload& workload) {
  if (outstanding_ > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("Start() with ", outstanding_,
                     " batches outstanding; take their results with Next() first"));
  }
  StopWorkers();
  start_error_ = absl::OkStatus();
  if (spawn()) {
    absl::StatusOr<ExportedWorkload> exported = workload.Export();
    if (!exported.ok()) {
      return absl::Status(exported.status().code(),
                          absl::StrCat("start_method=spawn rebuilds the workload in each "
                                       "worker, but it cannot be exported: ",
                                       exported.status().message()));
    }
    WorkerStart start;
    *start.mutable_workload() = exported->spec;
    start.set_max_reply_bytes(options_.max_frame_bytes);
    spawn_command_.argv = ReadOwnCommandLine().value_or(std::vector<std::string>());
    spawn_command_.inherited_fds.clear();
    for (const ExportedBlob& blob : exported->blobs) {
      absl::StatusOr<SealedFile> file = SealedFile::Create(blob.name, blob.bytes);
      if (!file.ok()) {
        shared_blobs_.clear();
        return file.status();
      }
      BlobRef& ref = *start.add_blobs();
      ref.set_name(blob.name);
      ref.set_size(blob.bytes.size());
      ref.set_inherited_fd(file->fd());
      spawn_command_.inherited_fds.push_back(file->fd());
      shared_blobs_.push_back(*std::move(file));
    }
    start_frame_ = std::move(start);
  }
  workload_ = &workload;
  absl::Status status;
  for (Slot& slot : slots_) {
    status = StartWorker(slot);
    if (!status.ok()) break;
  }
  // Spawned workers say whether they could build the workload.
  while (status.ok() && std::any_of(slots_.begin(), slots_.end(),
                                    [this](const Slot& slot) { return Waiting(slot); })) {
    status = Pump();
  }
  for (const Slot& slot : slots_) {
    if (status.ok() && !slot.worker) status = start_error_;
  }
  if (!status.ok()) {
    StopWorkers();
    return status;
  }
  started_ = true;
  return absl::OkStatus();
}

absl::Status ProcessExecutor::Submit(WorkBatch batch) {
  if (!started_) return absl::FailedPreconditionError("Submit() before a successful Start()");
  queue_.push_back(Job{std::move(batch), 0});
  ++outstanding_;
  DispatchQueued();
  return absl::OkStatus();
}

absl::StatusOr<WorkBatchResult> ProcessExecutor::Next() {
  if (outstanding_ == 0) return absl::FailedPreconditionError("Next() with no batch outstanding");
  bool restarted = false;
  while (done_.empty()) {
    DispatchQueued();
    if (std::none_of(slots_.begin(), slots_.end(),
                     [this](const Slot& slot) { return Waiting(slot); })) {
      // Batches are queued and no worker is left to run them: try once to start new ones.
      if (restarted) {
        return absl::UnavailableError(
            absl::StrCat("no worker process can be started: ", start_error_.message()));
      }
      restarted = true;
      for (Slot& slot : slots_) {
        if (!slot.worker) StartWorker(slot).IgnoreError();  // Recorded in start_error_.
      }
      continue;
    }
    RETURN_IF_ERROR(Pump());
  }
  WorkBatchResult result = std::move(done_.front());
  done_.pop_front();
  --outstanding_;
  return result;
}

void ProcessExecutor::DispatchQueued() {
  size_t i = 0;
  while (i < slots_.size() && !queue_.empty()) {
    Slot& slot = slots_[i];
    if (!slot.worker || !slot.ready || slot.job) {
      ++i;
      continue;
    }
    slot.job = std::move(queue_.front());
    queue_.pop_front();
    // Lend the batch to the frame rather than copy it; the slot keeps it for a retry.
    ToWorker frame;
    frame.mutable_batch()->Swap(&slot.job->batch);
    const absl::Status sent = slot.worker->Send(frame);
    frame.mutable_batch()->Swap(&slot.job->batch);
    if (absl::IsInvalidArgument(sent)) {  // Too large to send; the worker is fine.
      done_.push_back(FailedResult(slot.job->batch, sent));
      slot.job.reset();
    } else if (!sent.ok()) {
      LoseWorker(slot, sent);  // The slot may hold a fresh worker now: look at it again.
    } else {
      ++i;
    }
  }
}

absl::Status ProcessExecutor::Pump() {
  // Idle workers are watched too, so that one that dies or talks out of turn is replaced
  // before it is given a batch.
  std::vector<pollfd> fds;
  std::vector<Slot*> polled;
  for (Slot& slot : slots_) {
    if (!slot.worker) continue;
    fds.push_back({slot.worker->reply_fd(), POLLIN, 0});
    polled.push_back(&slot);
  }
  int ready;
  do {
    ready = poll(fds.data(), fds.size(), -1);
  } while (ready < 0 && errno == EINTR);
  if (ready < 0) return absl::InternalError(absl::StrCat("poll() failed: ", std::strerror(errno)));
  for (size_t i = 0; i < fds.size(); ++i) {
    // A slot whose worker was replaced meanwhile is asked too; its new worker has nothing
    // to say yet, which Receive() reports without blocking.
    if (fds[i].revents != 0 && polled[i]->worker) HandleEvent(*polled[i]);
  }
  DispatchQueued();
  return absl::OkStatus();
}

void ProcessExecutor::HandleEvent(Slot& slot) {
  absl::StatusOr<std::optional<FromWorker>> reply = slot.worker->Receive();
  if (!reply.ok()) return LoseWorker(slot, reply.status());
  if (!reply->has_value()) return;
  FromWorker& frame = **reply;
  const pid_t pid = slot.worker->pid();
  if (!slot.ready && frame.has_ready()) {
    if (frame.ready().code() == 0) {
      slot.ready = true;
      return;
    }
    start_error_ =
        absl::Status(static_cast<absl::StatusCode>(frame.ready().code()),
                     absl::StrCat("worker pid ", pid, " could not build workload '",
                                  start_frame_->workload().name(), "': ",
                                  frame.ready().message()));
    slot.worker->ClosePipes();
    slot.worker->Reap(kExitGrace);
    slot = Slot();
    return;
  }
  if (slot.job && frame.has_result() && frame.result().id() == slot.job->batch.id()) {
    done_.push_back(std::move(*frame.mutable_result()));
    slot.job.reset();
    return;
  }
  LoseWorker(slot, absl::DataLossError(absl::StrCat("worker pid ", pid,
                                                    " sent a frame it was not asked for (",
                                                    frame.has_ready()    ? "ready"
                                                    : frame.has_result() ? "result"
                                                                         : "empty",
                                                    ")")));
}

void ProcessExecutor::LoseWorker(Slot& slot, const absl::Status& cause) {
  const bool corrupt = absl::IsDataLoss(cause);
  const bool was_ready = slot.ready;
  WorkerProcess& worker = *slot.worker;
  const pid_t pid = worker.pid();
  worker.ClosePipes();
  // A worker whose pipe reached EOF is exiting; one that sent garbage may be running on.
  worker.Reap(corrupt ? absl::ZeroDuration() : kExitGrace);
  const std::string end = worker.DescribeEnd();
  std::optional<Job> job = std::move(slot.job);
  slot = Slot();

  if (job && corrupt) {
    // Not retried: a reply that was corrupt once may well be corrupt again.
    done_.push_back(FailedResult(
        job->batch, absl::DataLossError(absl::StrCat(cause.message(), " (the worker ", end,
                                                     "); the batch starting at item ",
                                                     FirstIndex(job->batch), " is lost"))));
  } else if (job && job->retries < options_.max_retries) {
    ++job->retries;
    queue_.push_front(*std::move(job));
  } else if (job) {
    done_.push_back(FailedResult(
        job->batch, absl::UnavailableError(absl::StrCat(
                        "worker pid ", pid, " ", end, " while running the batch starting at item ",
                        FirstIndex(job->batch), ", after ", job->retries, " retries"))));
  }
  if (!was_ready) {
    // Dying before it was ready is a start failure; starting another would likely fail the
    // same way, so leave that to Next() when no worker is left.
    start_error_ =
        absl::UnavailableError(absl::StrCat("worker pid ", pid, " ", end, " before it was ready"));
    return;
  }
  StartWorker(slot).IgnoreError();  // Recorded in start_error_; Next() reports it if needed.
}

void ProcessExecutor::StopWorkers() {
  std::vector<WorkerProcess*> workers;
  for (Slot& slot : slots_) {
    if (!slot.worker) continue;
    slot.worker->ClosePipes();  // Each worker reads EOF and exits.
    workers.push_back(slot.worker.get());
  }
  WorkerProcess::ReapAll(workers, kShutdownGrace);
  for (Slot& slot : slots_) slot = Slot();
  queue_.clear();
  done_.clear();
  outstanding_ = 0;
  started_ = false;
  workload_ = nullptr;
  start_frame_.reset();
  shared_blobs_.clear();
}

// Spawned workers are this binary, started again; this is where they take over main().
const bool kSpawnedWorkerEntry = RegisterWorkerEntry(&RunSpawnedWorkerIfRequested);

const OptionList& ProcessExecutorOptionList() {
  static const OptionList* options = new OptionList{
      EnumOption("start_method", {"fork", "spawn"}, "fork",
                 "fork: workers are copies of this process and inherit the data; spawn: fresh "
                 "processes of this binary that map the data from sealed shared memory"),
      IntOption("max_retries", 2, 0, kMaxRetries,
                "times a batch whose worker died is run again on a fresh worker"),
      IntOption("max_frame_bytes", int64_t{64} << 20, 1, static_cast<int64_t>(kMaxFrameLimit),
                "the largest reply a worker may send; a larger one fails its batch"),
  };
  return *options;
}

absl::StatusOr<ProcessExecutorOptions> ProcessExecutorOptionsFrom(const ExecutorSpec& spec,
                                                                   const PluginOptions& parsed) {
  if (spec.workers() > static_cast<uint32_t>(kMaxWorkers)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "executor '", kName, "': workers=", spec.workers(), " is more than ", kMaxWorkers));
  }
  ProcessExecutorOptions options;
  options.workers = spec.workers() != 0
                        ? static_cast<int>(spec.workers())
                        : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  options.start_method = parsed.String("start_method") == "spawn"
                             ? ProcessExecutorOptions::StartMethod::kSpawn
                             : ProcessExecutorOptions::StartMethod::kFork;
  options.max_retries = static_cast<int>(parsed.Int("max_retries"));
  options.max_frame_bytes = static_cast<size_t>(parsed.Int("max_frame_bytes"));
  return options;
}

absl::StatusOr<std::unique_ptr<Executor>> CreateProcessExecutor(const ExecutorSpec& spec,
                                                               const PluginOptions& parsed) {
  ASSIGN_OR_RETURN(const ProcessExecutorOptions options,
                   ProcessExecutorOptionsFrom(spec, parsed));
  return std::unique_ptr<Executor>(std::make_unique<ProcessExecutor>(options));
}

}  // namespace

absl::StatusOr<ProcessExecutorOptions> ParseProcessExecutorOptions(const ExecutorSpec& spec) {
  ASSIGN_OR_RETURN(const PluginOptions parsed,
                   PluginOptions::Parse(Executor::kKind, kName, ProcessExecutorOptionList(),
                                        spec.params()));
  return ProcessExecutorOptionsFrom(spec, parsed);
}

}  // namespace parsweep

PARSWEEP_REGISTER_EXECUTOR(process,
                           "--workers worker processes exchanging protobuf frames over pipes",
                           parsweep::CreateProcessExecutor, parsweep::ProcessExecutorOptionList());
