// threads: a fixed pool of worker threads sharing the caller's memory. Batches wait in one
// queue under a mutex; an idle thread takes the next, so uneven batches balance. Results
// wait in a second queue until Next() takes them.
//
// The lock is std::mutex rather than absl::Mutex on purpose: Debian's Abseil is built
// without ThreadSanitizer instrumentation, so TSan cannot see absl::Mutex's ordering and
// reports races that are not there; std::mutex goes through pthreads, which TSan
// intercepts, so `bazel test --config=tsan` checks this executor for real.
//
// The threads start at the first Start(), not at construction, so that creating the
// executor does not make the process multi-threaded before, say, a fork; they run until
// the executor is destroyed, which lets queued work finish and joins them.
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "runtime/scheduling/batch.h"
#include "runtime/plugin/executor.h"

namespace parsweep {
namespace {

class ThreadsExecutor : public Executor {
 public:
  explicit ThreadsExecutor(int workers) : workers_(workers) {}

  ~ThreadsExecutor() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    work_available_.notify_all();
    for (std::thread& thread : threads_) thread.join();
  }

  int parallelism() const override { return workers_; }

  absl::Status Start(const Workload& workload) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (outstanding_ > 0) {
      return absl::FailedPreconditionError("Start() while batches are outstanding");
    }
    workload_ = &workload;
    while (static_cast<int>(threads_.size()) < workers_) {
      threads_.emplace_back([this] { WorkerLoop(); });
    }
    return absl::OkStatus();
  }

  absl::Status Submit(WorkBatch batch) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (workload_ == nullptr) return absl::FailedPreconditionError("Submit() before Start()");
      pending_.push_back(std::move(batch));
      ++outstanding_;
    }
    work_available_.notify_one();
    return absl::OkStatus();
  }

  absl::StatusOr<WorkBatchResult> Next() override {
    std::unique_lock<std::mutex> lock(mutex_);
    if (outstanding_ == 0) return absl::FailedPreconditionError("no batch is outstanding");
    result_available_.wait(lock, [this] { return !done_.empty(); });
    WorkBatchResult result = std::move(done_.front());
    done_.pop_front();
    --outstanding_;
    return result;
  }

 private:
  void WorkerLoop() {
    while (true) {
      WorkBatch batch;
      const Workload* workload;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        work_available_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
        if (pending_.empty()) return;  // Stopping, and nothing left to run.
        batch = std::move(pending_.front());
        pending_.pop_front();
        workload = workload_;
      }
      WorkBatchResult result = RunBatch(*workload, batch);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.push_back(std::move(result));
      }
      result_available_.notify_one();
    }
  }

  const int workers_;
  std::vector<std::thread> threads_;  // Touched only by Start() and the destructor.
  std::mutex mutex_;
  std::condition_variable work_available_;    // pending_ grew, or stopping_ was set.
  std::condition_variable result_available_;  // done_ grew.
  const Workload* workload_ ABSL_GUARDED_BY(mutex_) = nullptr;
  std::deque<WorkBatch> pending_ ABSL_GUARDED_BY(mutex_);
  std::deque<WorkBatchResult> done_ ABSL_GUARDED_BY(mutex_);
  int outstanding_ ABSL_GUARDED_BY(mutex_) = 0;  // Submitted, not yet returned by Next().
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
  return std::make_unique<ThreadsExecutor>(workers);
}

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_EXECUTOR(threads, "a pool of --workers threads sharing the data",
                           parsweep::CreateThreadsExecutor);
