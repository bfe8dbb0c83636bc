// serial: runs every task on the calling thread, in task order. The baseline every other
// executor is compared with, and the reference for their results.
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "runtime/executor.h"
#include "runtime/status_macros.h"

namespace parsweep {
namespace {

class SerialExecutor : public Executor {
 public:
  int parallelism() const override { return 1; }

  absl::Status Run(const Sweep& sweep, absl::Span<const Task> tasks,
                   ResultSink sink) override {
    for (const Task& task : tasks) {
      ASSIGN_OR_RETURN(TaskResult result, sweep.RunTask(task));
      RETURN_IF_ERROR(sink(std::move(result)));
    }
    return absl::OkStatus();
  }
};

absl::StatusOr<std::unique_ptr<Executor>> CreateSerialExecutor(const ExecutorSpec& spec) {
  RETURN_IF_ERROR(RejectUnknownParams(Executor::kKind, spec.name(), spec.params(), {}));
  if (spec.workers() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the serial executor runs on one thread; --workers=", spec.workers(),
        " needs a parallel executor such as threads or process"));
  }
  return std::make_unique<SerialExecutor>();
}

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_EXECUTOR(serial, parsweep::CreateSerialExecutor);
