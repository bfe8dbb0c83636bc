// SweepWorkload: a sweep's tasks as a Workload, so any executor can run them: a request is
// a Task, a response its TaskResult.
//
// In this process it uses the Sweep directly. Export() describes it for a worker elsewhere:
// the spec and the sample shape (SweepWorkloadConfig), and the samples as the blob
// "samples", marked reproducible when they are generated from the spec's seed and
// reloadable from a shared file when they were read from one. The worker (registered as
// "sweep") borrows delivered samples without copying them (a spawned process maps them from
// shared memory), or loads them itself from the spec and checks them against the caller's
// fingerprint; either way it computes on the same bits as the caller.
//
// Example:
//   SweepWorkload workload(*sweep);
//   ASSIGN_OR_RETURN(std::unique_ptr<Pool> pool, Pool::Create(executor, workload));
#ifndef PARSWEEP_RUNTIME_SWEEP_SWEEP_WORKLOAD_H_
#define PARSWEEP_RUNTIME_SWEEP_SWEEP_WORKLOAD_H_

#include <memory>

#include "absl/status/statusor.h"
#include "proto/sweep.pb.h"
#include "runtime/plugin/plugin_options.h"
#include "runtime/plugin/workload.h"
#include "runtime/sweep/sweep.h"

namespace parsweep {

// kSamplesBlob names the blob that carries a sweep's samples.
inline constexpr char kSamplesBlob[] = "samples";

class SweepWorkload : public TypedWorkload<Task, TaskResult> {
 public:
  // Runs the tasks of `sweep`, which must outlive the workload.
  explicit SweepWorkload(const Sweep& sweep) : sweep_(sweep) {}
  // Owns `sweep` (a worker's rebuilt copy).
  explicit SweepWorkload(std::unique_ptr<const Sweep> sweep)
      : owned_(std::move(sweep)), sweep_(*owned_) {}

  absl::StatusOr<TaskResult> Compute(const Task& task) const override {
    return sweep_.RunTask(task);
  }

  absl::StatusOr<ExportedWorkload> Export() const override;

  // SweepWorkload::FromExport rebuilds a sweep in a worker from what Export() described.
  // DataLoss for a configuration or samples that do not fit together.
  static absl::StatusOr<std::unique_ptr<Workload>> FromExport(const WorkloadSpec& spec,
                                                              const PluginOptions& options,
                                                              const WorkloadBlobs& blobs);

 private:
  std::unique_ptr<const Sweep> owned_;
  const Sweep& sweep_;
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SWEEP_SWEEP_WORKLOAD_H_
