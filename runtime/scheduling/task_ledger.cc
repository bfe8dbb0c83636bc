#include "runtime/scheduling/task_ledger.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/scheduling/batch.h"

namespace parsweep {

OptionList LivenessOptions(absl::string_view then) {
  return {
      TimeoutOption(
          "task_timeout", kDefaultTaskTimeout,
          absl::StrCat("how long a batch may run before its worker is ", then, " (inf: no limit)")),
      TimeoutOption("heartbeat_timeout", kDefaultHeartbeatTimeout,
                    absl::StrCat("how long a busy worker may go without a heartbeat (it "
                                 "sends one every tenth of this) before it is ",
                                 then, " (inf: never)")),
  };
}

void PrintNotice(const absl::Status& notice) {
  std::fprintf(stderr, "parsweep: %s\n", std::string(notice.message()).c_str());
}

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
    const absl::Status waited = backend_->Wait(std::min(deadline, NextLivenessCheck()), events_);
    if (!waited.ok()) {
      // The backend cannot go on: what it was running is lost, and so is the executor.
      started_ = false;
      return waited;
    }
    for (WorkerEvent& event : events_) Handle(event);
    const absl::Time now = absl::Now();
    CheckLiveness(now);
    if (done_.empty() && now >= deadline) return std::nullopt;
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
    busy.heard = busy.since;
  }
}

absl::Time TaskLedger::NextLivenessCheck() const {
  absl::Time next = absl::InfiniteFuture();
  const bool heartbeats = backend_->heartbeats();
  for (const Slot& slot : slots_) {
    if (!slot.killed.empty()) continue;
    if (slot.state == SlotState::kBusy) next = std::min(next, slot.since + options_.task_timeout);
    if (heartbeats && (slot.state == SlotState::kBusy || slot.state == SlotState::kStarting)) {
      next = std::min(next, slot.heard + options_.heartbeat_timeout);
    }
  }
  return next;
}

void TaskLedger::CheckLiveness(absl::Time now) {
  const bool heartbeats = backend_->heartbeats();
  for (int index = 0; index < static_cast<int>(slots_.size()); ++index) {
    Slot& slot = slots_[index];
    if (!slot.killed.empty()) continue;
    std::string why;
    if (slot.state == SlotState::kBusy && now - slot.since >= options_.task_timeout) {
      why = absl::StrCat(
          "ran for ", absl::FormatDuration(absl::Trunc(now - slot.since, absl::Milliseconds(10))),
          ", past the task timeout of ", absl::FormatDuration(options_.task_timeout));
    } else if (heartbeats &&
               (slot.state == SlotState::kBusy || slot.state == SlotState::kStarting) &&
               now - slot.heard >= options_.heartbeat_timeout) {
      why =
          absl::StrCat("sent no heartbeat for ",
                       absl::FormatDuration(absl::Trunc(now - slot.heard, absl::Milliseconds(10))),
                       " (the limit is ", absl::FormatDuration(options_.heartbeat_timeout), ")");
    }
    if (why.empty()) continue;
    const std::string seen = backend_->Kill(index, why);
    slot.killed = why;
    slot.seen = seen;
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
      if (slot.state == SlotState::kStarting && slot.killed.empty()) slot.state = SlotState::kIdle;
      return;
    case WorkerEvent::Kind::kAlive:
      if ((slot.state == SlotState::kBusy && event.batch == slot.batch) ||
          (slot.state == SlotState::kStarting && event.batch == 0)) {
        slot.heard = absl::Now();
      }
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
  const std::string killed = std::move(slot.killed);
  const std::string seen = slot.seen.empty() ? "" : absl::StrCat("; ", slot.seen);
  slot = Slot();
  if (was == SlotState::kStarting) {
    // Dying before it was ready is a start failure; starting another would likely fail the
    // same way, so leave that to Next() when no worker is left.
    start_error_ = absl::UnavailableError(
        killed.empty() ? absl::StrCat(event.worker, " ", event.end, " before it was ready")
                       : absl::StrCat(event.worker, " ", killed, " while building the workload",
                                      seen, ", and was killed"));
    return;
  }
  if (was == SlotState::kBusy) {
    Record& record = records_.at(id);
    record.running = false;
    const std::string batch = absl::StrCat("the batch starting at item ", FirstIndex(record.batch));
    if (!event.retryable) {
      // Not retried: a reply that was corrupt once may well be corrupt again.
      Finish(id, FailedResult(record.batch,
                              absl::Status(event.cause.code(),
                                           absl::StrCat(event.cause.message(), " (the worker ",
                                                        event.end, "); ", batch, " is lost"))));
    } else {
      // What happened: "worker pid 42 killed by signal 9 (Killed) while running ...", or for
      // a worker the ledger killed, why it did.
      const std::string what =
          killed.empty() ? absl::StrCat(event.worker, " ", event.end, " while running ", batch)
                         : absl::StrCat(event.worker, " ", killed, " while running ", batch, seen,
                                        ", and was killed");
      if (record.retries < options_.max_retries) {
        ++record.retries;
        queue_.push_front(id);
        if (options_.notice) {
          options_.notice(absl::UnavailableError(absl::StrCat(what, "; running it again (retry ",
                                                              record.retries, " of ",
                                                              options_.max_retries, ")")));
        }
      } else {
        const std::string message = absl::StrCat(what, ", after ", record.retries, " retries");
        Finish(id,
               FailedResult(record.batch, killed.empty() ? absl::UnavailableError(message)
                                                         : absl::DeadlineExceededError(message)));
      }
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
  slots_[slot].heard = absl::Now();
}

void TaskLedger::Finish(uint64_t id, WorkBatchResult result) {
  records_.erase(id);
  done_.push_back(std::move(result));
}

}  // namespace parsweep
