// serial: runs every batch on the calling thread, in submission order, when the caller
// waits for a result. The baseline every other executor is compared with, and the
// reference for their results.
#include <deque>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "runtime/scheduling/batch.h"
#include "runtime/plugin/executor.h"

namespace parsweep {
namespace {

class SerialExecutor : public Executor {
 public:
  int parallelism() const override { return 1; }

  absl::Status Start(const Workload& workload) override {
    if (!queue_.empty()) {
      return absl::FailedPreconditionError("Start() while batches are outstanding");
    }
    workload_ = &workload;
    return absl::OkStatus();
  }

  absl::Status Submit(WorkBatch batch) override {
    if (workload_ == nullptr) return absl::FailedPreconditionError("Submit() before Start()");
    queue_.push_back(std::move(batch));
    return absl::OkStatus();
  }

  absl::StatusOr<WorkBatchResult> Next() override {
    if (queue_.empty()) return absl::FailedPreconditionError("no batch is outstanding");
    WorkBatch batch = std::move(queue_.front());
    queue_.pop_front();
    return RunBatch(*workload_, batch);
  }

 private:
  const Workload* workload_ = nullptr;
  std::deque<WorkBatch> queue_;
};

absl::StatusOr<std::unique_ptr<Executor>> CreateSerialExecutor(const ExecutorSpec& spec,
                                                              const PluginOptions&) {
  if (spec.workers() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the serial executor runs on one thread; --workers=", spec.workers(),
        " needs a parallel executor such as threads or process"));
  }
  return std::make_unique<SerialExecutor>();
}

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_EXECUTOR(serial, "every task on the calling thread, in order: the reference",
                           parsweep::CreateSerialExecutor);
