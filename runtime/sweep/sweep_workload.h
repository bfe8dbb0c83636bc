// SweepWorkload: a sweep's tasks as a Workload, so any executor can run them: a request is
// a Task, a response its TaskResult.
//
// In this process it uses the Sweep directly. Export() hands a worker process the spec and
// the samples in a sealed shared-memory file (memfd), which the worker maps read-only: no
// copy through the pipe, no regeneration, and the same bits as the parent's. The workload
// is registered as "sweep", so a spawned worker rebuilds it from what Export() gave.
//
// Example:
//   SweepWorkload workload(*sweep);
//   ASSIGN_OR_RETURN(std::unique_ptr<Pool> pool, Pool::Create(executor, workload));
#ifndef PARSWEEP_RUNTIME_SWEEP_SWEEP_WORKLOAD_H_
#define PARSWEEP_RUNTIME_SWEEP_SWEEP_WORKLOAD_H_

#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "proto/sweep.pb.h"
#include "runtime/sweep/sweep.h"
#include "runtime/plugin/workload.h"

namespace parsweep {

class SweepWorkload : public TypedWorkload<Task, TaskResult> {
 public:
  // Runs the tasks of `sweep`, which must outlive the workload.
  explicit SweepWorkload(const Sweep& sweep) : sweep_(sweep) {}
  // Owns `sweep` (a worker's rebuilt copy).
  explicit SweepWorkload(std::unique_ptr<const Sweep> sweep)
      : owned_(std::move(sweep)), sweep_(*owned_) {}
  ~SweepWorkload() override;

  absl::StatusOr<TaskResult> Compute(const Task& task) const override {
    return sweep_.RunTask(task);
  }

  // Creates the shared-memory copy of the samples on first use; later calls reuse it.
  absl::StatusOr<ExportedWorkload> Export() const override;

  // SweepWorkload::FromConfig rebuilds a sweep in a worker from Export()'s configuration.
  static absl::StatusOr<std::unique_ptr<Workload>> FromConfig(const WorkloadSpec& spec,
                                                               const PluginOptions& options);

 private:
  std::unique_ptr<const Sweep> owned_;
  const Sweep& sweep_;
  mutable absl::Mutex mutex_;
  mutable std::optional<ExportedWorkload> exported_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SWEEP_SWEEP_WORKLOAD_H_
