// TaskLedger: the bookkeeping every executor needs, written once. It is an Executor
// (runtime/plugin/executor.h) over a WorkerBackend (worker_backend.h): the backend only
// starts workers, sends a batch to one and reports what came back; the ledger keeps one
// record per batch (queued or running where, since when, how often retried) and decides:
//  - dispatch: queued batches go to idle workers, retries first;
//  - losses: a batch whose worker was lost runs again on a fresh worker, at most
//    LedgerOptions::max_retries times, after which its result is an Unavailable error naming
//    the worker, how it ended, the batch's first item and the retries. A worker lost for a
//    corrupt reply fails its batch with DataLoss at once. A lost worker is replaced; one that
//    dies before it is ready is not (it would likely die again), until no worker is left for
//    the queued batches, when every empty slot is started once more and otherwise Next()
//    returns Unavailable with the reason;
//  - cancellation: a queued batch that is cancelled never runs and yields Cancelled;
//  - results: exactly one per submitted batch, in completion order.
//  - liveness: a batch running longer than LedgerOptions::task_timeout, or (with a backend
//    whose workers send heartbeats) a worker silent for LedgerOptions::heartbeat_timeout, is
//    killed (WorkerBackend::Kill) and then counts as lost, as above; the messages say what
//    was seen ("worker pid 42 sent no heartbeat for 5.01s (the limit is 5s) while running the
//    batch starting at item 17; it was stopped (SIGSTOP ...), and was killed"), and a batch
//    that fails this way after its retries is DeadlineExceeded. Every retry is told to
//    LedgerOptions::notice.
//
// Thread safety: as Executor says, one thread at a time.
//
// Example:
//   return std::unique_ptr<Executor>(std::make_unique<TaskLedger>(
//       std::make_unique<ProcessBackend>(options), LedgerOptions{.max_retries = 2}));
#ifndef PARSWEEP_RUNTIME_SCHEDULING_TASK_LEDGER_H_
#define PARSWEEP_RUNTIME_SCHEDULING_TASK_LEDGER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "proto/work.pb.h"
#include "runtime/plugin/executor.h"
#include "runtime/plugin/plugin_options.h"
#include "runtime/plugin/workload.h"
#include "runtime/scheduling/worker_backend.h"

namespace parsweep {

struct LedgerOptions {
  // Times a batch whose worker was lost runs again before it fails.
  int max_retries = 0;
  // How long a batch may run before its worker is killed; infinite: no limit.
  absl::Duration task_timeout = absl::InfiniteDuration();
  // How long a worker that sends heartbeats may be silent while it runs a batch or builds
  // its workload; infinite: no limit. Ignored for backends without heartbeats.
  absl::Duration heartbeat_timeout = absl::InfiniteDuration();
  // Hears of every batch that runs again, and why. Null: nobody is told.
  std::function<void(const absl::Status&)> notice;
};

// The default limits of liveness, for executors whose workers send heartbeats. 5 s of
// silence is 10 missed beats (a worker beats every tenth of the limit), more than a loaded
// machine delays a thread that only sleeps and writes a few bytes, and short enough that a
// stopped worker costs seconds. An hour per batch is far beyond any batch a sweep makes:
// the planner caps a task at kMaxTaskWork evaluations (runtime/sweep/task_planner.h:
// seconds to a minute of one core) and the pool batches tasks by their measured time, so
// only a batch that will never end reaches it, while a workload whose single requests really
// run for hours raises it.
inline constexpr absl::Duration kDefaultTaskTimeout = absl::Hours(1);
inline constexpr absl::Duration kDefaultHeartbeatTimeout = absl::Seconds(5);

// LivenessOptions declares an executor's `task_timeout` and `heartbeat_timeout` options
// (TimeoutOption: a positive duration, or inf), with the defaults above; `then` says what
// happens to a worker past either ("killed and its batch run again").
OptionList LivenessOptions(absl::string_view then);

// PrintNotice writes `notice` to stderr as a line "parsweep: <message>", for
// LedgerOptions::notice.
void PrintNotice(const absl::Status& notice);

class TaskLedger final : public Executor {
 public:
  TaskLedger(std::unique_ptr<WorkerBackend> backend, LedgerOptions options);
  ~TaskLedger() override;

  int parallelism() const override { return backend_->slots(); }
  absl::Status Start(const Workload& workload) override;
  absl::Status Submit(WorkBatch batch) override;
  absl::StatusOr<std::optional<WorkBatchResult>> Next(absl::Time deadline) override;
  using Executor::Next;
  void Cancel(uint64_t id) override;

 private:
  enum class SlotState { kEmpty, kStarting, kIdle, kBusy };
  struct Slot {
    SlotState state = SlotState::kEmpty;
    uint64_t batch = 0;  // kBusy: the batch it runs.
    absl::Time since;    // kBusy: when the batch was sent.
    absl::Time heard;    // kBusy, kStarting: when the worker was last heard from.
    std::string killed;  // Why the ledger killed the worker, once it has.
    std::string seen;    // What the backend saw of it then ("it was stopped ..."); may be empty.
  };
  struct Record {
    WorkBatch batch;
    int retries = 0;
    bool running = false;
  };

  // Hands queued batches to idle slots.
  void Dispatch();
  void Handle(WorkerEvent& event);
  // Starts a worker in an empty slot; a failure is kept in start_error_.
  void StartSlot(int slot);
  // Settles the batch of a slot whose worker was lost, and replaces the worker.
  void Lost(int slot, const WorkerEvent& event);
  void Finish(uint64_t id, WorkBatchResult result);
  bool AnyWorkerActive() const;
  // When the next running batch or silent worker is due to be killed.
  absl::Time NextLivenessCheck() const;
  // Kills the workers of batches past their deadline and workers gone silent.
  void CheckLiveness(absl::Time now);

  std::unique_ptr<WorkerBackend> backend_;
  const LedgerOptions options_;
  bool started_ = false;
  std::vector<Slot> slots_;
  // Queued or running; a node map, since backends may hold a running batch by address.
  absl::node_hash_map<uint64_t, Record> records_;
  std::deque<uint64_t> queue_;        // Not yet sent; retries in front.
  std::deque<WorkBatchResult> done_;  // Finished, not yet returned by Next().
  absl::Status start_error_;          // Why a worker last failed to start.
  std::vector<WorkerEvent> events_;   // Next()'s scratch.
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SCHEDULING_TASK_LEDGER_H_
