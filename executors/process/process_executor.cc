#include "executors/process/process_executor.h"

#include <poll.h>
#include <signal.h>
#include <sys/types.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "executors/process/frame_io.h"
#include "executors/process/shared_memory.h"
#include "executors/process/worker_loop.h"
#include "executors/process/worker_process.h"
#include "runtime/base/resource_error.h"
#include "runtime/base/status_macros.h"
#include "runtime/process/process_state.h"
#include "runtime/process/worker_entry.h"
#include "runtime/scheduling/batch.h"
#include "runtime/scheduling/result_pieces.h"
#include "runtime/scheduling/task_ledger.h"
#include "runtime/scheduling/worker_backend.h"

namespace parsweep {
namespace {

constexpr char kName[] = "process";
constexpr int kMaxWorkers = 1024;
constexpr int kMaxRetries = 100;
// How long a worker whose pipe reached EOF may take to finish exiting before it is killed.
constexpr absl::Duration kExitGrace = absl::Seconds(1);
// How long workers may take to exit after their pipes close at shutdown.
constexpr absl::Duration kShutdownGrace = absl::Seconds(2);

class ProcessBackend final : public WorkerBackend {
 public:
  // `notice` hears of every worker replaced at Start() (may be null).
  ProcessBackend(const ProcessExecutorOptions& options,
                 std::function<void(const absl::Status&)> notice)
      : options_(options), notice_(std::move(notice)), workers_(options.workers) {}

  ~ProcessBackend() override { StopWorkers(); }

  int slots() const override { return options_.workers; }
  absl::Status Start(const Workload& workload) override;
  absl::StatusOr<bool> Restart(int slot) override;
  absl::Status Send(int slot, const WorkBatch& batch) override;
  absl::Status Wait(absl::Time deadline, std::vector<WorkerEvent>& events) override;
  bool heartbeats() const override {
    return options_.heartbeat_timeout != absl::InfiniteDuration();
  }
  std::string Kill(int slot, absl::string_view why) override;

 private:
  struct Worker {
    std::unique_ptr<WorkerProcess> process;  // Null when the slot holds none.
    bool ready = false;                      // Spawned workers: the workload is built.
    std::optional<uint64_t> batch;           // The id of the batch it runs.
    ResultAssembler pieces;                  // A result arriving in pieces.
  };

  bool spawn() const {
    return options_.start_method == ProcessExecutorOptions::StartMethod::kSpawn;
  }
  // Starts a worker process for the current workload in `slot`; errors say which.
  absl::StatusOr<std::unique_ptr<WorkerProcess>> StartProcess(int slot);
  absl::StatusOr<std::unique_ptr<WorkerProcess>> ForkOrSpawn();
  // Waits up to `timeout_ms` (-1: no limit) for any worker to say something, and handles it.
  absl::Status Poll(int timeout_ms, std::vector<WorkerEvent>& events);
  void HandleReadable(int slot, std::vector<WorkerEvent>& events);
  // Handles one frame from the worker in `slot`.
  void HandleFrame(int slot, FromWorker& frame, std::vector<WorkerEvent>& events);
  // How often workers beat: a tenth of the silence that gets them killed, so that a few
  // late beats on a loaded machine are no reason to kill one.
  absl::Duration heartbeat_interval() const {
    return heartbeats() ? options_.heartbeat_timeout / 10 : absl::ZeroDuration();
  }
  // Reaps a worker that died or misbehaved: the event that says so.
  WorkerEvent Lose(int slot, const absl::Status& cause);
  void StopWorkers();

  const ProcessExecutorOptions options_;
  const std::function<void(const absl::Status&)> notice_;
  const Workload* workload_ = nullptr;      // Fork: what the workers run.
  std::optional<WorkerStart> start_frame_;  // Spawn: what the workers rebuild.
  std::vector<SealedFile> shared_blobs_;    // Spawn: the workload's blobs, inherited.
  SpawnCommand spawn_command_;
  std::vector<Worker> workers_;
  std::vector<WorkerEvent> pending_;  // Losses found by Send(), for the next Wait().
};

absl::StatusOr<std::unique_ptr<WorkerProcess>> ProcessBackend::StartProcess(int slot) {
  absl::StatusOr<std::unique_ptr<WorkerProcess>> process = ForkOrSpawn();
  if (process.ok()) return process;
  return absl::Status(process.status().code(),
                      absl::StrCat("executor '", kName, "': cannot start worker process ", slot + 1,
                                   " of ", options_.workers, ": ", process.status().message()));
}

absl::StatusOr<std::unique_ptr<WorkerProcess>> ProcessBackend::ForkOrSpawn() {
  if (!spawn()) {
    const Workload& workload = *workload_;
    WorkerLoopOptions loop;
    loop.max_reply_bytes = options_.max_frame_bytes;
    loop.heartbeat_interval = heartbeat_interval();
    return WorkerProcess::Fork(
        [&workload, &loop](int request_fd, int reply_fd) {
          return RunWorkerLoop(workload, request_fd, reply_fd, loop);
        },
        options_.max_frame_bytes);
  }
  ASSIGN_OR_RETURN(std::unique_ptr<WorkerProcess> worker,
                   WorkerProcess::Spawn(spawn_command_, options_.max_frame_bytes));
  ToWorker first;
  *first.mutable_start() = *start_frame_;
  if (absl::Status sent = worker->Send(first); !sent.ok()) {
    worker->ClosePipes();
    worker->Reap(kExitGrace);
    return absl::UnavailableError(absl::StrCat(
        "worker pid ", worker->pid(), " ", worker->DescribeEnd(), " before it took the workload"));
  }
  return worker;
}

absl::Status ProcessBackend::Start(const Workload& workload) {
  StopWorkers();
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
    start.set_heartbeat_interval_us(
        static_cast<uint64_t>(absl::ToInt64Microseconds(heartbeat_interval())));
    spawn_command_.argv = ReadOwnCommandLine().value_or(std::vector<std::string>());
    spawn_command_.inherited_fds.clear();
    for (const ExportedBlob& blob : exported->blobs) {
      absl::StatusOr<SealedFile> file = SealedFile::Create(blob.name, blob.bytes);
      if (!file.ok()) {
        StopWorkers();
        return absl::Status(file.status().code(),
                            absl::StrCat("executor '", kName, "': ", file.status().message()));
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
  for (size_t slot = 0; slot < workers_.size(); ++slot) {
    Worker& worker = workers_[slot];
    absl::StatusOr<std::unique_ptr<WorkerProcess>> process = StartProcess(slot);
    if (!process.ok()) {
      status = process.status();
      break;
    }
    worker.process = *std::move(process);
    worker.ready = !spawn();
  }
  // Spawned workers say whether they could build the workload, beating while they build;
  // one silent for heartbeat_timeout is killed and replaced, at most max_retries times.
  std::vector<absl::Time> heard(workers_.size(), absl::Now());
  std::vector<int> replaced(workers_.size(), 0);
  while (status.ok() && std::any_of(workers_.begin(), workers_.end(),
                                    [](const Worker& w) { return w.process && !w.ready; })) {
    std::vector<WorkerEvent> events;
    const absl::Time check =
        *std::min_element(heard.begin(), heard.end()) + options_.heartbeat_timeout;
    status = Wait(check, events);
    for (const WorkerEvent& event : events) {
      if (!status.ok()) break;
      if (event.kind == WorkerEvent::Kind::kAlive) heard[event.slot] = absl::Now();
      if (event.kind == WorkerEvent::Kind::kReady) heard[event.slot] = absl::InfiniteFuture();
      if (event.kind == WorkerEvent::Kind::kStartFailed) status = event.cause;
      if (event.kind == WorkerEvent::Kind::kLost) {
        status = absl::UnavailableError(
            absl::StrCat(event.worker, " ", event.end, " before it was ready"));
      }
    }
    const absl::Time now = absl::Now();
    for (size_t slot = 0; status.ok() && slot < workers_.size(); ++slot) {
      Worker& worker = workers_[slot];
      if (!worker.process || worker.ready || now - heard[slot] < options_.heartbeat_timeout) {
        continue;
      }
      // Stopped or starved from outside, most likely: a fresh worker may well do better.
      const pid_t pid = worker.process->pid();
      const std::string seen = DescribeProcessState(pid);
      kill(pid, SIGKILL);
      worker.process->ClosePipes();
      worker.process->Reap(kExitGrace);
      const std::string what = absl::StrCat(
          "worker pid ", pid, " sent no heartbeat for ",
          absl::FormatDuration(absl::Trunc(now - heard[slot], absl::Milliseconds(10))),
          " while building the workload", seen.empty() ? "" : "; ", seen, ", and was killed");
      worker = Worker();
      if (replaced[slot] >= options_.max_retries) {
        status = absl::DeadlineExceededError(
            absl::StrCat(what, ", after ", replaced[slot], " replacements"));
        break;
      }
      ++replaced[slot];
      if (notice_) {
        notice_(absl::UnavailableError(absl::StrCat(what, "; starting another (replacement ",
                                                    replaced[slot], " of ", options_.max_retries,
                                                    ")")));
      }
      absl::StatusOr<std::unique_ptr<WorkerProcess>> process = StartProcess(slot);
      if (!process.ok()) {
        status = process.status();
        break;
      }
      worker.process = *std::move(process);
      heard[slot] = absl::Now();
    }
  }
  if (!status.ok()) StopWorkers();
  return status;
}

absl::StatusOr<bool> ProcessBackend::Restart(int slot) {
  Worker& worker = workers_.at(slot);
  ASSIGN_OR_RETURN(worker.process, StartProcess(slot));
  worker.ready = !spawn();
  worker.batch.reset();
  return worker.ready;
}

absl::Status ProcessBackend::Send(int slot, const WorkBatch& batch) {
  Worker& worker = workers_.at(slot);
  // Lend the batch to the frame rather than copy it.
  ToWorker frame;
  frame.unsafe_arena_set_allocated_batch(const_cast<WorkBatch*>(&batch));
  const absl::Status sent = worker.process->Send(frame);
  frame.unsafe_arena_release_batch();
  if (absl::IsInvalidArgument(sent)) return sent;  // Too large to send; the worker is fine.
  worker.batch = batch.id();
  if (!sent.ok()) pending_.push_back(Lose(slot, sent));
  return sent;
}

absl::Status ProcessBackend::Wait(absl::Time deadline, std::vector<WorkerEvent>& events) {
  if (!pending_.empty()) {
    for (WorkerEvent& event : pending_) events.push_back(std::move(event));
    pending_.clear();
    return absl::OkStatus();
  }
  int timeout_ms = -1;
  if (deadline != absl::InfiniteFuture()) {
    const absl::Duration left = std::max(deadline - absl::Now(), absl::ZeroDuration());
    timeout_ms = static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, 1 << 30));
  }
  return Poll(timeout_ms, events);
}

std::string ProcessBackend::Kill(int slot, absl::string_view) {
  Worker& worker = workers_.at(slot);
  if (!worker.process || worker.process->reaped()) return "";
  const std::string seen = DescribeProcessState(worker.process->pid());
  // The pipe reaches EOF; the next Wait() reaps the worker and reports it lost.
  kill(worker.process->pid(), SIGKILL);
  return seen;
}

absl::Status ProcessBackend::Poll(int timeout_ms, std::vector<WorkerEvent>& events) {
  // Idle workers are watched too, so that one that dies or talks out of turn is replaced
  // before it is given a batch.
  std::vector<pollfd> fds;
  std::vector<int> slots;
  for (int slot = 0; slot < static_cast<int>(workers_.size()); ++slot) {
    if (!workers_[slot].process) continue;
    fds.push_back({workers_[slot].process->reply_fd(), POLLIN, 0});
    slots.push_back(slot);
  }
  if (fds.empty()) return absl::OkStatus();
  int ready;
  do {
    ready = poll(fds.data(), fds.size(), timeout_ms);
  } while (ready < 0 && errno == EINTR);
  if (ready < 0) return absl::InternalError(absl::StrCat("poll() failed: ", std::strerror(errno)));
  for (size_t i = 0; i < fds.size(); ++i) {
    if (fds[i].revents != 0 && workers_[slots[i]].process) HandleReadable(slots[i], events);
  }
  return absl::OkStatus();
}

void ProcessBackend::HandleReadable(int slot, std::vector<WorkerEvent>& events) {
  // Every frame that has arrived: heartbeats may have queued up behind each other.
  while (workers_[slot].process) {
    try {
      absl::StatusOr<std::optional<FromWorker>> reply = workers_[slot].process->Receive();
      if (!reply.ok()) {
        events.push_back(Lose(slot, reply.status()));
        return;
      }
      if (!reply->has_value()) return;
      HandleFrame(slot, **reply, events);
    } catch (const std::bad_alloc&) {
      // A large reply (up to max_frame_bytes, or a result in pieces) this process has no
      // memory left to hold.
      events.push_back(
          Lose(slot, ResourceError(ENOMEM, absl::StrCat("no memory for the reply of worker pid ",
                                                        workers_[slot].process->pid()))));
      return;
    }
  }
}

void ProcessBackend::HandleFrame(int slot, FromWorker& frame, std::vector<WorkerEvent>& events) {
  Worker& worker = workers_[slot];
  const pid_t pid = worker.process->pid();
  if (frame.has_heartbeat()) {
    WorkerEvent& alive = events.emplace_back();
    alive.slot = slot;
    alive.kind = WorkerEvent::Kind::kAlive;
    alive.batch = frame.heartbeat().batch();
    return;
  }
  if (!worker.ready && frame.has_ready()) {
    if (frame.ready().code() == 0) {
      worker.ready = true;
      WorkerEvent& ready = events.emplace_back();
      ready.slot = slot;
      ready.kind = WorkerEvent::Kind::kReady;
      return;
    }
    WorkerEvent& failed = events.emplace_back();
    failed.slot = slot;
    failed.kind = WorkerEvent::Kind::kStartFailed;
    failed.cause =
        absl::Status(static_cast<absl::StatusCode>(frame.ready().code()),
                     absl::StrCat("worker pid ", pid, " could not build workload '",
                                  start_frame_->workload().name(), "': ", frame.ready().message()));
    worker.process->ClosePipes();
    worker.process->Reap(kExitGrace);
    worker = Worker();
    return;
  }
  if (worker.batch && frame.has_piece()) {
    absl::StatusOr<std::optional<WorkBatchResult>> assembled =
        worker.pieces.Add(frame.piece(), *worker.batch);
    if (!assembled.ok()) {
      events.push_back(Lose(slot, absl::DataLossError(absl::StrCat("worker pid ", pid, " sent ",
                                                                   assembled.status().message()))));
      return;
    }
    // A piece is progress, as a heartbeat is.
    WorkerEvent& alive = events.emplace_back();
    alive.slot = slot;
    alive.kind = WorkerEvent::Kind::kAlive;
    alive.batch = *worker.batch;
    if (!assembled->has_value()) return;
    *frame.mutable_result() = std::move(**assembled);
  }
  if (worker.batch && frame.has_result() && frame.result().id() == *worker.batch) {
    WorkerEvent& done = events.emplace_back();
    done.slot = slot;
    done.kind = WorkerEvent::Kind::kResult;
    done.result = std::move(*frame.mutable_result());
    worker.batch.reset();
    return;
  }
  events.push_back(Lose(slot, absl::DataLossError(absl::StrCat(
                                  "worker pid ", pid, " sent a frame it was not asked for (",
                                  frame.has_ready()    ? "ready"
                                  : frame.has_result() ? "result"
                                  : frame.has_piece()  ? "piece"
                                                       : "empty",
                                  ")"))));
}

WorkerEvent ProcessBackend::Lose(int slot, const absl::Status& cause) {
  Worker& worker = workers_[slot];
  // A reply that was corrupt, or too large for this process's memory, would be no better
  // from another worker.
  const bool unusable = absl::IsDataLoss(cause) || absl::IsResourceExhausted(cause);
  WorkerProcess& process = *worker.process;
  process.ClosePipes();
  // A worker whose pipe reached EOF is exiting; one whose reply was refused may be running on.
  process.Reap(unusable ? absl::ZeroDuration() : kExitGrace);
  WorkerEvent event;
  event.slot = slot;
  event.kind = WorkerEvent::Kind::kLost;
  event.cause = cause;
  event.worker = absl::StrCat("worker pid ", process.pid());
  event.end = process.DescribeEnd();
  event.retryable = !unusable;
  worker = Worker();
  return event;
}

void ProcessBackend::StopWorkers() {
  std::vector<WorkerProcess*> processes;
  for (Worker& worker : workers_) {
    if (!worker.process) continue;
    worker.process->ClosePipes();  // Each worker reads EOF and exits.
    processes.push_back(worker.process.get());
  }
  WorkerProcess::ReapAll(processes, kShutdownGrace);
  for (Worker& worker : workers_) worker = Worker();
  pending_.clear();
  workload_ = nullptr;
  start_frame_.reset();
  shared_blobs_.clear();
}

// Spawned workers are this binary, started again; this is where they take over main().
const bool kSpawnedWorkerEntry = RegisterWorkerEntry(&RunSpawnedWorkerIfRequested);

const OptionList& ProcessExecutorOptionList() {
  static const OptionList* options = [] {
    auto* list = new OptionList{
        EnumOption("start_method", {"fork", "spawn"}, "fork",
                   "fork: workers are copies of this process and inherit the data; spawn: "
                   "fresh processes of this binary that map the data from sealed shared memory"),
        IntOption("max_retries", 2, 0, kMaxRetries,
                  "times a batch whose worker died is run again on a fresh worker"),
        IntOption("max_frame_bytes", int64_t{64} << 20,
                  static_cast<int64_t>(kMinResultMessageBytes),
                  static_cast<int64_t>(kMaxFrameLimit),
                  "the largest frame a worker may send; a larger result travels in pieces"),
    };
    for (OptionSpec& option : LivenessOptions("killed and its batch run again")) {
      list->push_back(std::move(option));
    }
    return list;
  }();
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
  options.task_timeout = parsed.Duration("task_timeout");
  options.heartbeat_timeout = parsed.Duration("heartbeat_timeout");
  return options;
}

absl::StatusOr<std::unique_ptr<Executor>> CreateProcessExecutor(const ExecutorSpec& spec,
                                                                const PluginOptions& parsed) {
  ASSIGN_OR_RETURN(const ProcessExecutorOptions options, ProcessExecutorOptionsFrom(spec, parsed));
  LedgerOptions ledger;
  ledger.max_retries = options.max_retries;
  ledger.task_timeout = options.task_timeout;
  ledger.heartbeat_timeout = options.heartbeat_timeout;
  ledger.notice = PrintNotice;
  return std::unique_ptr<Executor>(std::make_unique<TaskLedger>(
      std::make_unique<ProcessBackend>(options, ledger.notice), ledger));
}

}  // namespace

absl::StatusOr<ProcessExecutorOptions> ParseProcessExecutorOptions(const ExecutorSpec& spec) {
  ASSIGN_OR_RETURN(
      const PluginOptions parsed,
      PluginOptions::Parse(Executor::kKind, kName, ProcessExecutorOptionList(), spec.params()));
  return ProcessExecutorOptionsFrom(spec, parsed);
}

}  // namespace parsweep

PARSWEEP_REGISTER_EXECUTOR(process,
                           "--workers worker processes exchanging protobuf frames over pipes",
                           parsweep::CreateProcessExecutor, parsweep::ProcessExecutorOptionList());
