// FaultInjectingExecutor: an Executor that wraps any other and plants one fault in the
// workload it runs, so tests can drive every executor through the same fault matrix (delay,
// stall, error, throw, corrupt, kill, exit, hang, stop; at decode, run or encode) and check the
// same invariant each time: the same answer or a clear error, never a hang, nothing finished lost,
// and the executor usable afterwards.
//
// It wraps the workload given to Start() in a FaultInjectingWorkload, which passes every
// request through to the real workload except the one that equals FaultPlan::trigger_request
// (once, if FaultPlan::once: the first attempt only, across processes). The wrapper exports
// itself as workload "fault_injection" carrying the plan and the real workload's spec and
// blobs, so spawned workers and MPI ranks rebuild both; kill, exit and stop then end or stop
// that worker process. In executors whose workers share the caller's process (serial,
// threads) kill, exit and stop would end the test itself, and a hang could never be ended:
// those cells do not apply there.
//
// A wrapper acts around the real workload's Run(), not inside it: DECODE faults before the
// request is parsed, RUN and ENCODE after the response was computed (they differ only in how
// CORRUPT garbles it). Faults inside a workload's own computation are the process executor's
// FaultWorkload (executors/process/test_workloads.h).
//
// Example:
//   fault_injection::FaultPlan plan;
//   plan.set_stage(fault_injection::FaultPlan::RUN);
//   plan.set_action(fault_injection::FaultPlan::KILL);
//   plan.set_trigger_request(plan_of_sweep.task(3).SerializeAsString());
//   FaultInjectingExecutor executor(std::move(process_executor), plan);
//   ASSIGN_OR_RETURN(Report report, RunSweep(*sweep, executor));
#ifndef PARSWEEP_RUNTIME_TESTING_FAULT_INJECTION_H_
#define PARSWEEP_RUNTIME_TESTING_FAULT_INJECTION_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/plugin/executor.h"
#include "runtime/plugin/workload.h"
#include "runtime/testing/fault_injection.pb.h"

namespace parsweep {

// FaultInjectingWorkload: `inner` with `plan`'s fault planted. Thread-safe as `inner` is.
class FaultInjectingWorkload : public Workload {
 public:
  // `inner` must outlive this workload.
  FaultInjectingWorkload(const Workload& inner, fault_injection::FaultPlan plan);
  // Owns `inner` (a worker's rebuilt copy).
  FaultInjectingWorkload(std::unique_ptr<Workload> inner, fault_injection::FaultPlan plan);

  absl::StatusOr<std::string> Run(absl::string_view request) const override;
  absl::StatusOr<ExportedWorkload> Export() const override;

 private:
  // Acts on `bytes` (the request at DECODE, the response after) if this stage faults.
  absl::Status Fault(fault_injection::FaultPlan::Stage stage, std::string& bytes) const;

  std::unique_ptr<Workload> owned_;
  const Workload& inner_;
  const fault_injection::FaultPlan plan_;
};

class FaultInjectingExecutor final : public Executor {
 public:
  FaultInjectingExecutor(std::unique_ptr<Executor> inner, fault_injection::FaultPlan plan)
      : inner_(std::move(inner)), plan_(std::move(plan)) {}

  int parallelism() const override { return inner_->parallelism(); }
  absl::Status Start(const Workload& workload) override {
    wrapped_ = std::make_unique<FaultInjectingWorkload>(workload, plan_);
    return inner_->Start(*wrapped_);
  }
  absl::Status Submit(WorkBatch batch) override { return inner_->Submit(std::move(batch)); }
  absl::StatusOr<std::optional<WorkBatchResult>> Next(absl::Time deadline) override {
    return inner_->Next(deadline);
  }
  using Executor::Next;
  void Cancel(uint64_t id) override { inner_->Cancel(id); }

 private:
  std::unique_ptr<Executor> inner_;
  const fault_injection::FaultPlan plan_;
  std::unique_ptr<FaultInjectingWorkload> wrapped_;
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_TESTING_FAULT_INJECTION_H_
