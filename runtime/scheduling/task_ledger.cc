#include "runtime/scheduling/task_ledger.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/scheduling/batch.h"

namespace parsweep {

TaskLedger::TaskLedger(std::unique_ptr<WorkerBackend> backend, LedgerOptions options)
    : backend_(std::move(backend)), options_(options), slots_(backend_->slots()) {}

// The backend stops its workers when destroyed.
TaskLedger::~TaskLedger() = default;

absl::Status TaskLedger::Start(const Workload& workload) {
  const size_t outstanding = records_.size() + done_.size();
  if (outstanding > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("Start() with ", outstanding,
                     " batches outstanding; take their results with Next() first"));
  }
  started_ = false;
  start_error_ = absl::OkStatus();
  for (Slot& slot : slots_) slot = Slot();
  const absl::Status status = backend_->Start(workload);
  if (!status.ok()) return status;
  for (Slot& slot : slots_) slot.state = SlotState::kIdle;
  started_ = true;
  return absl::OkStatus();
}

absl::Status TaskLedger::Submit(WorkBatch batch) {
  if (!started_) return absl::FailedPreconditionError("Submit() before a successful Start()");
  const uint64_t id = batch.id();
  if (!records_.try_emplace(id, Record{std::move(batch)}).second) {
    return absl::InvalidArgumentError(absl::StrCat("batch ", id, " is already outstanding"));
  }
  queue_.push_back(id);
  Dispatch();
  return absl::OkStatus();
}

void TaskLedger::Cancel(uint64_t id) {
  const auto queued = std::find(queue_.begin(), queue_.end(), id);
  if (queued == queue_.end()) return;  // Running (it finishes), finished or unknown.
  queue_.erase(queued);
  const Record& record = records_.at(id);
  Finish(id, FailedResult(record.batch, absl::CancelledError(absl::StrCat(
                                            "the batch starting at item ", FirstIndex(record.batch),
                                            " was cancelled"))));
}

bool TaskLedger::AnyWorkerActive() const {
  return std::any_of(slots_.begin(), slots_.end(), [](const Slot& slot) {
    return slot.state == SlotState::kBusy || slot.state == SlotState::kStarting;
  });
}

absl::StatusOr<std::optional<WorkBatchResult>> TaskLedger::Next(absl::Time deadline) {
  if (records_.empty() && done_.empty()) {
    return absl::FailedPreconditionError("Next() with no batch outstanding");
  }
  bool restarted = false;
  while (done_.empty()) {
    Dispatch();
    if (!done_.empty()) break;
    if (!AnyWorkerActive()) {
      // Batches are queued and no worker is left to run them: try once to start new ones.
      if (restarted) {
        return absl::UnavailableError(
            absl::StrCat("no worker can be started: ", start_error_.message()));
      }
      restarted = true;
      for (int slot = 0; slot < static_cast<int>(slots_.size()); ++slot) {
        if (slots_[slot].state == SlotState::kEmpty) StartSlot(slot);
      }
      continue;
    }
    events_.clear();  // Kept across calls: no allocation per wait.
    if (absl::Status waited = backend_->Wait(deadline, events_); !waited.ok()) {
      // The backend cannot go on: what it was running is lost, and so is the executor.
      started_ = false;
      return waited;
    }
    for (WorkerEvent& event : events_) Handle(event);
    if (done_.empty() && absl::Now() >= deadline) return std::nullopt;
  }
  WorkBatchResult result = std::move(done_.front());
  done_.pop_front();
  return std::optional<WorkBatchResult>(std::move(result));
}

void TaskLedger::Dispatch() {
  for (int slot = 0; slot < static_cast<int>(slots_.size()) && !queue_.empty(); ++slot) {
    if (slots_[slot].state != SlotState::kIdle) continue;
    const uint64_t id = queue_.front();
    queue_.pop_front();
    Record& record = records_.at(id);
    const absl::Status sent = backend_->Send(slot, record.batch);
    if (absl::IsInvalidArgument(sent)) {  // Too large to send; the worker is fine.
      Finish(id, FailedResult(record.batch, sent));
      --slot;  // Look at the same slot again.
      continue;
    }
    // On any other error the worker is lost, and the backend's next Wait() says so; until
    // then the batch counts as running there.
    record.running = true;
    Slot& busy = slots_[slot];
    busy.state = SlotState::kBusy;
    busy.batch = id;
    busy.since = absl::Now();
  }
}

void TaskLedger::Handle(WorkerEvent& event) {
  Slot& slot = slots_.at(event.slot);
  switch (event.kind) {
    case WorkerEvent::Kind::kResult: {
      // Backends match replies to the batch they sent; a mismatch is theirs to report.
      if (slot.state != SlotState::kBusy || event.result.id() != slot.batch) return;
      slot = Slot();
      slot.state = SlotState::kIdle;
      const uint64_t id = event.result.id();
      Finish(id, std::move(event.result));
      return;
    }
    case WorkerEvent::Kind::kReady:
      if (slot.state == SlotState::kStarting) slot.state = SlotState::kIdle;
      return;
    case WorkerEvent::Kind::kStartFailed:
      start_error_ = event.cause;
      slot = Slot();
      return;
    case WorkerEvent::Kind::kLost:
      Lost(event.slot, event);
      return;
  }
}

void TaskLedger::Lost(int slot_index, const WorkerEvent& event) {
  Slot& slot = slots_.at(slot_index);
  const SlotState was = slot.state;
  const uint64_t id = slot.batch;
  slot = Slot();
  if (was == SlotState::kStarting) {
    // Dying before it was ready is a start failure; starting another would likely fail the
    // same way, so leave that to Next() when no worker is left.
    start_error_ =
        absl::UnavailableError(absl::StrCat(event.worker, " ", event.end, " before it was ready"));
    return;
  }
  if (was == SlotState::kBusy) {
    Record& record = records_.at(id);
    record.running = false;
    if (!event.retryable) {
      // Not retried: a reply that was corrupt once may well be corrupt again.
      Finish(id, FailedResult(
                     record.batch,
                     absl::Status(event.cause.code(),
                                  absl::StrCat(event.cause.message(), " (the worker ", event.end,
                                               "); the batch starting at "
                                               "item ",
                                               FirstIndex(record.batch), " is lost"))));
    } else if (record.retries < options_.max_retries) {
      ++record.retries;
      queue_.push_front(id);
    } else {
      Finish(id, FailedResult(
                     record.batch,
                     absl::UnavailableError(absl::StrCat(
                         event.worker, " ", event.end, " while running the batch starting at item ",
                         FirstIndex(record.batch), ", after ", record.retries, " retries"))));
    }
  }
  StartSlot(slot_index);
}

void TaskLedger::StartSlot(int slot) {
  absl::StatusOr<bool> ready = backend_->Restart(slot);
  if (!ready.ok()) {
    start_error_ = ready.status();
    slots_[slot] = Slot();
    return;
  }
  slots_[slot].state = *ready ? SlotState::kIdle : SlotState::kStarting;
}

void TaskLedger::Finish(uint64_t id, WorkBatchResult result) {
  records_.erase(id);
  done_.push_back(std::move(result));
}

}  // namespace parsweep
