// serial: runs every batch on the calling thread, in submission order, when the caller
// waits for a result. The baseline every other executor is compared with, and the
// reference for their results.
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "runtime/plugin/executor.h"
#include "runtime/scheduling/batch.h"
#include "runtime/scheduling/task_ledger.h"
#include "runtime/scheduling/worker_backend.h"

namespace parsweep {
namespace {

// One slot, whose worker is the caller: a sent batch runs in the next Wait().
class SerialBackend : public WorkerBackend {
 public:
  int slots() const override { return 1; }

  absl::Status Start(const Workload& workload) override {
    workload_ = &workload;
    return absl::OkStatus();
  }

  absl::StatusOr<bool> Restart(int) override { return true; }  // Never lost.

  absl::Status Send(int, const WorkBatch& batch) override {
    pending_ = &batch;  // The ledger keeps it until its result is reported.
    return absl::OkStatus();
  }

  absl::Status Wait(absl::Time, std::vector<WorkerEvent>& events) override {
    if (pending_ != nullptr) {
      WorkerEvent& event = events.emplace_back();
      event.slot = 0;
      event.kind = WorkerEvent::Kind::kResult;
      event.result = RunBatch(*workload_, *pending_);
      pending_ = nullptr;
    }
    return absl::OkStatus();
  }

 private:
  const Workload* workload_ = nullptr;
  const WorkBatch* pending_ = nullptr;
};

absl::StatusOr<std::unique_ptr<Executor>> CreateSerialExecutor(const ExecutorSpec& spec,
                                                               const PluginOptions&) {
  if (spec.workers() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("the serial executor runs on one thread; --workers=", spec.workers(),
                     " needs a parallel executor such as threads or process"));
  }
  return std::unique_ptr<Executor>(
      std::make_unique<TaskLedger>(std::make_unique<SerialBackend>(), LedgerOptions()));
}

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_EXECUTOR(serial, "every task on the calling thread, in order: the reference",
                           parsweep::CreateSerialExecutor);
