// threads: a fixed pool of worker threads sharing the caller's memory, one ledger slot each
// (runtime/scheduling/task_ledger.h schedules: an idle thread gets the next batch, so uneven
// batches balance). A thread's batch waits in its mailbox (the ledger's own copy, by address);
// finished results wait in one queue until the ledger's Wait() takes them.
//
// The lock is std::mutex rather than absl::Mutex on purpose: Debian's Abseil is built
// without ThreadSanitizer instrumentation, so TSan cannot see absl::Mutex's ordering and
// reports races that are not there; std::mutex goes through pthreads, which TSan
// intercepts, so `bazel test --config=tsan` checks this executor for real.
//
// The threads start at the first Start(), not at construction, so that creating the
// executor does not make the process multi-threaded before, say, a fork; they run until
// the executor is destroyed, which lets running batches finish and joins them. A thread the
// system refuses (a process or address space limit) fails Start() with the cause, after the
// threads already started are stopped and joined: a failed Start() leaves none running.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/base/resource_error.h"
#include "runtime/plugin/executor.h"
#include "runtime/scheduling/batch.h"
#include "runtime/scheduling/task_ledger.h"
#include "runtime/scheduling/worker_backend.h"

namespace parsweep {
namespace {

class ThreadsBackend : public WorkerBackend {
 public:
  explicit ThreadsBackend(int workers)
      : workers_(workers), work_available_(workers), mailboxes_(workers, nullptr) {
    threads_.reserve(workers);  // So that starting a thread never reallocates.
  }

  ~ThreadsBackend() override { StopThreads(); }

  int slots() const override { return workers_; }

  absl::Status Start(const Workload& workload) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      workload_ = &workload;  // The ledger starts only with no batch running.
    }
    while (static_cast<int>(threads_.size()) < workers_) {
      const int slot = static_cast<int>(threads_.size());
      absl::StatusOr<std::thread> thread = StartThread(
          absl::StrCat("executor 'threads': cannot start thread ", slot + 1, " of ", workers_),
          [this, slot] { WorkerLoop(slot); });
      if (!thread.ok()) {
        StopThreads();
        return thread.status();
      }
      threads_.push_back(*std::move(thread));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<bool> Restart(int) override { return true; }  // Threads are never lost.

  absl::Status Send(int slot, const WorkBatch& batch) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      mailboxes_[slot] = &batch;  // The ledger keeps it until its result is reported.
    }
    work_available_[slot].notify_one();
    return absl::OkStatus();
  }

  absl::Status Wait(absl::Time deadline, std::vector<WorkerEvent>& events) override {
    std::unique_lock<std::mutex> lock(mutex_);
    const auto ready = [this] { return !done_.empty(); };
    if (deadline == absl::InfiniteFuture()) {
      result_available_.wait(lock, ready);
    } else {
      result_available_.wait_until(lock, absl::ToChronoTime(deadline), ready);
    }
    for (WorkerEvent& event : done_) events.push_back(std::move(event));
    done_.clear();
    return absl::OkStatus();
  }

 private:
  // Lets every running batch finish, then joins the threads; Start() may start them again.
  void StopThreads() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    for (std::condition_variable& available : work_available_) available.notify_one();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = false;
  }

  void WorkerLoop(int slot) {
    while (true) {
      const WorkBatch* batch;
      const Workload* workload;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        work_available_[slot].wait(lock, [&] { return stopping_ || mailboxes_[slot] != nullptr; });
        if (mailboxes_[slot] == nullptr) return;  // Stopping, and nothing left to run.
        batch = std::exchange(mailboxes_[slot], nullptr);
        workload = workload_;
      }
      WorkerEvent event;
      event.slot = slot;
      event.kind = WorkerEvent::Kind::kResult;
      event.result = RunBatch(*workload, *batch);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.push_back(std::move(event));
      }
      result_available_.notify_one();
    }
  }

  const int workers_;
  std::vector<std::thread> threads_;  // Touched only by Start() and the destructor.
  std::mutex mutex_;
  // By slot: its mailbox filled, or stopping_ was set.
  std::vector<std::condition_variable> work_available_;
  std::condition_variable result_available_;  // done_ grew.
  const Workload* workload_ ABSL_GUARDED_BY(mutex_) = nullptr;
  std::vector<const WorkBatch*> mailboxes_ ABSL_GUARDED_BY(mutex_);  // By slot.
  std::deque<WorkerEvent> done_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
};

absl::StatusOr<std::unique_ptr<Executor>> CreateThreadsExecutor(const ExecutorSpec& spec,
                                                                const PluginOptions&) {
  constexpr uint32_t kMaxWorkers = 1024;
  if (spec.workers() > kMaxWorkers) {
    return absl::InvalidArgumentError(
        absl::StrCat("--workers=", spec.workers(), ": at most ", kMaxWorkers, " threads"));
  }
  const int workers = spec.workers() > 0
                          ? static_cast<int>(spec.workers())
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  return std::unique_ptr<Executor>(
      std::make_unique<TaskLedger>(std::make_unique<ThreadsBackend>(workers), LedgerOptions()));
}

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_EXECUTOR(threads, "a pool of --workers threads sharing the data",
                           parsweep::CreateThreadsExecutor);
