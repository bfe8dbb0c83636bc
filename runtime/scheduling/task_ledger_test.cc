// The TaskLedger's decisions, driven through a scripted backend: dispatch to idle slots,
// retries after a lost worker up to the limit and the messages that name it, corrupt replies
// not retried, batches too large to send, cancellation, deadlines, and what happens when no
// worker can be started.
#include "runtime/scheduling/task_ledger.h"

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/scheduling/batch.h"

namespace parsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A backend whose workers do what the test scripts: each sent batch is answered (by its id
// as the only response) unless the test says a slot's next batch is lost, corrupt or too
// large; restarts can be made to fail.
class ScriptedBackend : public WorkerBackend {
 public:
  enum class Fate { kAnswer, kLose, kCorrupt };

  explicit ScriptedBackend(int slots) : slots_(slots) {}

  int slots() const override { return slots_; }
  absl::Status Start(const Workload&) override { return start_status; }
  absl::StatusOr<bool> Restart(int slot) override {
    ++restarts;
    if (!restart_status.ok()) return restart_status;
    return true;
  }
  absl::Status Send(int slot, const WorkBatch& batch) override {
    if (batch.items_size() > 100) return absl::InvalidArgumentError("too large to send");
    sent.push_back(batch.id());
    running[slot] = batch;
    if (stuck_sends > 0) {
      --stuck_sends;
      stuck.insert(slot);
    }
    return absl::OkStatus();
  }
  bool heartbeats() const override { return beats; }
  std::string Kill(int slot, absl::string_view why) override {
    kills.push_back(std::string(why));
    killed.insert(slot);
    return "it was stopped";
  }
  absl::Status Wait(absl::Time deadline, std::vector<WorkerEvent>& events) override {
    for (int slot : killed) {
      WorkerEvent& event = events.emplace_back();
      event.slot = slot;
      event.kind = WorkerEvent::Kind::kLost;
      event.worker = absl::StrCat("worker ", ++worker_number);
      event.end = "killed by signal 9 (Killed)";
      event.cause = absl::UnavailableError("gone");
      running.erase(slot);
      stuck.erase(slot);
    }
    killed.clear();
    for (int slot : stuck) {
      // Stuck workers beat if told to, and never answer; the wait lasts to its deadline.
      if (stuck_beat) {
        WorkerEvent& event = events.emplace_back();
        event.slot = slot;
        event.kind = WorkerEvent::Kind::kAlive;
        event.batch = running.at(slot).id();
      }
    }
    if (!stuck.empty()) {
      absl::SleepFor(std::min(deadline - absl::Now(), absl::Milliseconds(2)));
      return absl::OkStatus();
    }
    if (hold) return absl::OkStatus();  // Nothing finishes: only the deadline ends the wait.
    for (auto& [slot, batch] : running) {
      WorkerEvent& event = events.emplace_back();
      event.slot = slot;
      Fate fate = Fate::kAnswer;
      if (!fates.empty()) {
        fate = fates.front();
        fates.pop_front();
      }
      if (fate == Fate::kAnswer) {
        event.kind = WorkerEvent::Kind::kResult;
        event.result.set_id(batch.id());
        event.result.add_responses(absl::StrCat(batch.id()));
      } else {
        event.kind = WorkerEvent::Kind::kLost;
        event.worker = absl::StrCat("worker ", ++worker_number);
        event.end = "exited with status 3";
        event.retryable = fate == Fate::kLose;
        event.cause = fate == Fate::kLose
                          ? absl::UnavailableError("gone")
                          : absl::DataLossError(absl::StrCat(event.worker, ": garbled"));
      }
    }
    running.clear();
    return absl::OkStatus();
  }

  absl::Status start_status;
  absl::Status restart_status;
  std::deque<Fate> fates;  // For the next answers, in slot order.
  bool hold = false;
  bool beats = false;              // heartbeats()
  int stuck_sends = 0;             // The next this many batches sent get stuck until killed.
  bool stuck_beat = false;         // Stuck workers send heartbeats.
  std::vector<std::string> kills;  // The reasons Kill() was given.
  std::vector<uint64_t> sent;
  int restarts = 0;

 private:
  const int slots_;
  std::map<int, WorkBatch> running;
  std::set<int> stuck;
  std::set<int> killed;
  int worker_number = 0;
};

class NoWorkload : public Workload {
 public:
  absl::StatusOr<std::string> Run(absl::string_view) const override { return ""; }
};

WorkBatch Batch(uint64_t id, int items = 1, uint64_t first = 0) {
  WorkBatch batch;
  batch.set_id(id);
  for (int i = 0; i < items; ++i) batch.add_items()->set_index(first + i);
  return batch;
}

struct Fixture {
  explicit Fixture(int slots, int max_retries = 0, LedgerOptions options = LedgerOptions()) {
    auto owned = std::make_unique<ScriptedBackend>(slots);
    backend = owned.get();
    options.max_retries = max_retries;
    options.notice = [this](const absl::Status& notice) {
      notices.push_back(std::string(notice.message()));
    };
    ledger = std::make_unique<TaskLedger>(std::move(owned), options);
  }
  std::vector<std::string> notices;
  ScriptedBackend* backend;
  std::unique_ptr<TaskLedger> ledger;
  NoWorkload workload;
};

TEST(TaskLedgerTest, SendsToIdleSlotsAndQueuesTheRest) {
  Fixture f(2);
  ASSERT_TRUE(f.ledger->Start(f.workload).ok());
  for (uint64_t id : {1, 2, 3}) ASSERT_TRUE(f.ledger->Submit(Batch(id)).ok());
  EXPECT_THAT(f.backend->sent, ElementsAre(1, 2));  // Two slots; 3 waits.
  std::vector<uint64_t> ids;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<WorkBatchResult> result = f.ledger->Next();
    ASSERT_TRUE(result.ok()) << result.status();
    ids.push_back(result->id());
  }
  EXPECT_THAT(ids, ElementsAre(1, 2, 3));
  EXPECT_EQ(f.ledger->Next().status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(TaskLedgerTest, ALostBatchRunsAgainUpToTheLimitThenFailsNamingTheWorker) {
  Fixture f(1, /*max_retries=*/2);
  ASSERT_TRUE(f.ledger->Start(f.workload).ok());
  using Fate = ScriptedBackend::Fate;
  f.backend->fates = {Fate::kLose, Fate::kAnswer};
  ASSERT_TRUE(f.ledger->Submit(Batch(7, 2, 40)).ok());
  absl::StatusOr<WorkBatchResult> result = f.ledger->Next();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->has_error());
  EXPECT_THAT(f.backend->sent, ElementsAre(7, 7));
  EXPECT_EQ(f.backend->restarts, 1);

  f.backend->fates = {Fate::kLose, Fate::kLose, Fate::kLose};
  ASSERT_TRUE(f.ledger->Submit(Batch(8, 1, 50)).ok());
  result = f.ledger->Next();
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE(result->has_error());
  EXPECT_EQ(result->error().code(), static_cast<int>(absl::StatusCode::kUnavailable));
  EXPECT_EQ(result->error().index(), 50u);
  EXPECT_EQ(result->error().message(),
            "worker 4 exited with status 3 while running the batch starting at item 50, after 2 "
            "retries");
}

LedgerOptions Liveness(absl::Duration task_timeout, absl::Duration heartbeat_timeout) {
  LedgerOptions options;
  options.task_timeout = task_timeout;
  options.heartbeat_timeout = heartbeat_timeout;
  return options;
}

TEST(TaskLedgerTest, ASilentWorkerIsKilledAndItsBatchRunsAgain) {
  Fixture f(1, /*max_retries=*/1, Liveness(absl::InfiniteDuration(), absl::Milliseconds(20)));
  f.backend->beats = true;
  f.backend->stuck_sends = 1;
  ASSERT_TRUE(f.ledger->Start(f.workload).ok());
  ASSERT_TRUE(f.ledger->Submit(Batch(3, 1, 30)).ok());
  absl::StatusOr<WorkBatchResult> result = f.ledger->Next();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->has_error()) << result->error().message();
  EXPECT_THAT(f.backend->sent, ElementsAre(3, 3));
  ASSERT_THAT(f.backend->kills, ::testing::SizeIs(1));
  EXPECT_THAT(f.backend->kills[0], HasSubstr("sent no heartbeat for "));
  EXPECT_THAT(f.backend->kills[0], HasSubstr("(the limit is 20ms)"));
  ASSERT_THAT(f.notices, ::testing::SizeIs(1));
  EXPECT_THAT(f.notices[0], HasSubstr("worker 1 sent no heartbeat for "));
  EXPECT_THAT(f.notices[0], HasSubstr(") while running the batch starting at item 30; it was "
                                      "stopped, and was killed; running it again (retry 1 of 1)"));
}

TEST(TaskLedgerTest, HeartbeatsKeepABusyWorkerAliveUntilTheTaskTimeout) {
  Fixture f(1, /*max_retries=*/0, Liveness(absl::Milliseconds(100), absl::Milliseconds(10)));
  f.backend->beats = true;
  f.backend->stuck_sends = 1;
  f.backend->stuck_beat = true;
  ASSERT_TRUE(f.ledger->Start(f.workload).ok());
  ASSERT_TRUE(f.ledger->Submit(Batch(4, 1, 40)).ok());
  const absl::Time before = absl::Now();
  absl::StatusOr<WorkBatchResult> result = f.ledger->Next();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_GE(absl::Now() - before, absl::Milliseconds(100));  // Ten heartbeat timeouts survived.
  ASSERT_TRUE(result->has_error());
  EXPECT_EQ(result->error().code(), static_cast<int>(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(result->error().message(), HasSubstr("worker 1 ran for "));
  EXPECT_THAT(result->error().message(),
              HasSubstr(", past the task timeout of 100ms while running the batch starting at "
                        "item 40; it was stopped, and was killed, after 0 retries"));
  EXPECT_TRUE(f.notices.empty());
}

TEST(TaskLedgerTest, WithoutHeartbeatsSilenceIsNoReasonToKill) {
  Fixture f(1, /*max_retries=*/0, Liveness(absl::Milliseconds(50), absl::Milliseconds(1)));
  f.backend->stuck_sends = 1;  // Silent, and the backend sends no heartbeats at all.
  ASSERT_TRUE(f.ledger->Start(f.workload).ok());
  ASSERT_TRUE(f.ledger->Submit(Batch(5)).ok());
  absl::StatusOr<WorkBatchResult> result = f.ledger->Next();
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_THAT(f.backend->kills, ::testing::SizeIs(1));
  EXPECT_THAT(f.backend->kills[0], HasSubstr("past the task timeout of 50ms"));
}

TEST(TaskLedgerTest, ACorruptReplyFailsItsBatchWithoutRetry) {
  Fixture f(1, /*max_retries=*/5);
  ASSERT_TRUE(f.ledger->Start(f.workload).ok());
  f.backend->fates = {ScriptedBackend::Fate::kCorrupt};
  ASSERT_TRUE(f.ledger->Submit(Batch(1, 1, 9)).ok());
  absl::StatusOr<WorkBatchResult> result = f.ledger->Next();
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE(result->has_error());
  EXPECT_EQ(result->error().code(), static_cast<int>(absl::StatusCode::kDataLoss));
  EXPECT_EQ(result->error().message(),
            "worker 1: garbled (the worker exited with status 3); the batch starting at item 9 "
            "is lost");
  EXPECT_THAT(f.backend->sent, ElementsAre(1));
  // The slot got a fresh worker, which runs the next batch.
  ASSERT_TRUE(f.ledger->Submit(Batch(2)).ok());
  EXPECT_FALSE(f.ledger->Next()->has_error());
}

TEST(TaskLedgerTest, ABatchTooLargeToSendFailsAloneAndTheWorkerGoesOn) {
  Fixture f(1);
  ASSERT_TRUE(f.ledger->Start(f.workload).ok());
  ASSERT_TRUE(f.ledger->Submit(Batch(1, 101)).ok());
  ASSERT_TRUE(f.ledger->Submit(Batch(2)).ok());
  absl::StatusOr<WorkBatchResult> first = f.ledger->Next();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->id(), 1u);
  EXPECT_THAT(first->error().message(), HasSubstr("too large to send"));
  absl::StatusOr<WorkBatchResult> second = f.ledger->Next();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->id(), 2u);
  EXPECT_FALSE(second->has_error());
  EXPECT_EQ(f.backend->restarts, 0);
}

TEST(TaskLedgerTest, CancelledQueuedBatchesNeverRunAndYieldCancelled) {
  Fixture f(1);
  ASSERT_TRUE(f.ledger->Start(f.workload).ok());
  for (uint64_t id : {1, 2, 3}) ASSERT_TRUE(f.ledger->Submit(Batch(id, 1, id * 10)).ok());
  f.ledger->Cancel(2);
  f.ledger->Cancel(1);   // Running: it finishes as usual.
  f.ledger->Cancel(99);  // Unknown: ignored.
  std::map<uint64_t, WorkBatchResult> results;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<WorkBatchResult> result = f.ledger->Next();
    ASSERT_TRUE(result.ok()) << result.status();
    results[result->id()] = *result;
  }
  EXPECT_FALSE(results[1].has_error());
  EXPECT_EQ(results[2].error().code(), static_cast<int>(absl::StatusCode::kCancelled));
  EXPECT_EQ(results[2].error().index(), 20u);
  EXPECT_FALSE(results[3].has_error());
  EXPECT_THAT(f.backend->sent, ElementsAre(1, 3));
}

TEST(TaskLedgerTest, NextReturnsNothingAtItsDeadline) {
  Fixture f(1);
  ASSERT_TRUE(f.ledger->Start(f.workload).ok());
  ASSERT_TRUE(f.ledger->Submit(Batch(1)).ok());
  f.backend->hold = true;
  absl::StatusOr<std::optional<WorkBatchResult>> none = f.ledger->Next(absl::Now());
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());
  f.backend->hold = false;
  absl::StatusOr<std::optional<WorkBatchResult>> one = f.ledger->Next(absl::InfiniteFuture());
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_TRUE(one->has_value());
  EXPECT_EQ((*one)->id(), 1u);
}

TEST(TaskLedgerTest, WithNoWorkerLeftNextTriesOnceToStartThemAndThenSaysWhy) {
  Fixture f(2, /*max_retries=*/3);
  ASSERT_TRUE(f.ledger->Start(f.workload).ok());
  f.backend->restart_status = absl::UnavailableError("fork() failed: out of memory");
  f.backend->fates = {ScriptedBackend::Fate::kLose, ScriptedBackend::Fate::kLose};
  ASSERT_TRUE(f.ledger->Submit(Batch(1)).ok());
  ASSERT_TRUE(f.ledger->Submit(Batch(2)).ok());
  absl::StatusOr<WorkBatchResult> result = f.ledger->Next();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(result.status().message(),
              HasSubstr("no worker can be started: fork() failed: out of memory"));
  // Two replacements after the losses, then one more try for each empty slot.
  EXPECT_EQ(f.backend->restarts, 4);
  // Once workers can start again, the queued batches run.
  f.backend->restart_status = absl::OkStatus();
  result = f.ledger->Next();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->has_error());
}

TEST(TaskLedgerTest, MisuseIsAnError) {
  Fixture f(1);
  EXPECT_EQ(f.ledger->Submit(Batch(1)).code(), absl::StatusCode::kFailedPrecondition);
  f.backend->start_status = absl::InternalError("no");
  EXPECT_EQ(f.ledger->Start(f.workload).code(), absl::StatusCode::kInternal);
  EXPECT_EQ(f.ledger->Submit(Batch(1)).code(), absl::StatusCode::kFailedPrecondition);
  f.backend->start_status = absl::OkStatus();
  ASSERT_TRUE(f.ledger->Start(f.workload).ok());
  ASSERT_TRUE(f.ledger->Submit(Batch(1)).ok());
  EXPECT_EQ(f.ledger->Submit(Batch(1)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(f.ledger->Start(f.workload).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(f.ledger->Next().ok());
}

}  // namespace
}  // namespace parsweep
