#include "runtime/testing/fault_injection.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "runtime/testing/first_attempt.h"

namespace parsweep {
namespace {

using fault_injection::FaultPlan;

}  // namespace

FaultInjectingWorkload::FaultInjectingWorkload(const Workload& inner, FaultPlan plan)
    : inner_(inner), plan_(std::move(plan)) {}

FaultInjectingWorkload::FaultInjectingWorkload(std::unique_ptr<Workload> inner, FaultPlan plan)
    : owned_(std::move(inner)), inner_(*owned_), plan_(std::move(plan)) {}

absl::Status FaultInjectingWorkload::Fault(FaultPlan::Stage stage, std::string& bytes) const {
  if (stage != plan_.stage()) return absl::OkStatus();
  const std::string where = FaultPlan::Stage_Name(stage);
  switch (plan_.action()) {
    case FaultPlan::DELAY:
      absl::SleepFor(absl::Milliseconds(plan_.delay_ms()));
      return absl::OkStatus();
    case FaultPlan::STALL: {
      // Until the test opens the FIFO for writing and sends a byte.
      const int fd = open(plan_.gate_path().c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return absl::UnavailableError(absl::StrCat("no gate at ", plan_.gate_path()));
      char byte;
      const bool released = read(fd, &byte, 1) == 1;
      close(fd);
      return released ? absl::OkStatus() : absl::UnavailableError("the gate closed unopened");
    }
    case FaultPlan::ERROR:
      return absl::InvalidArgumentError(absl::StrCat("injected error at ", where));
    case FaultPlan::THROW:
      throw std::runtime_error(absl::StrCat("injected exception at ", where));
    case FaultPlan::CORRUPT:
      if (stage == FaultPlan::RUN) {
        bytes.resize(bytes.size() / 2);
      } else {
        for (char& c : bytes) c = static_cast<char>(~c);
        if (bytes.empty()) bytes = "\xff";
      }
      return absl::OkStatus();
    case FaultPlan::KILL:
      raise(SIGKILL);
      return absl::OkStatus();
    case FaultPlan::EXIT:
      _exit(3);
    case FaultPlan::HANG:
      while (true) absl::SleepFor(absl::Hours(1));
    case FaultPlan::STOP:
      raise(SIGSTOP);
      return absl::OkStatus();  // If it is ever continued.
    default:
      return absl::OkStatus();
  }
}

absl::StatusOr<std::string> FaultInjectingWorkload::Run(absl::string_view request) const {
  const bool hit =
      request == plan_.trigger_request() && (!plan_.once() || FirstAttempt(plan_.marker_path()));
  if (!hit) return inner_.Run(request);
  std::string bytes(request);
  if (absl::Status status = Fault(FaultPlan::DECODE, bytes); !status.ok()) return status;
  absl::StatusOr<std::string> response = inner_.Run(bytes);
  if (!response.ok()) return response;
  for (const FaultPlan::Stage stage : {FaultPlan::RUN, FaultPlan::ENCODE}) {
    if (absl::Status status = Fault(stage, *response); !status.ok()) return status;
  }
  return response;
}

absl::StatusOr<ExportedWorkload> FaultInjectingWorkload::Export() const {
  absl::StatusOr<ExportedWorkload> inner = inner_.Export();
  if (!inner.ok()) return inner.status();
  FaultPlan plan = plan_;
  *plan.mutable_inner() = inner->spec;
  ExportedWorkload exported;
  exported.spec.set_name("fault_injection");
  exported.spec.set_config(plan.SerializeAsString());
  exported.blobs = std::move(inner->blobs);
  return exported;
}

namespace {

absl::StatusOr<std::unique_ptr<Workload>> RebuildFaultInjection(const WorkloadSpec& spec,
                                                                const PluginOptions&,
                                                                const WorkloadBlobs& blobs) {
  FaultPlan plan;
  if (!plan.ParseFromString(spec.config())) {
    return absl::DataLossError("cannot parse a fault plan");
  }
  absl::StatusOr<std::unique_ptr<Workload>> inner =
      Registry<Workload>::Global().Create(plan.inner(), blobs);
  if (!inner.ok()) return inner.status();
  return std::unique_ptr<Workload>(
      std::make_unique<FaultInjectingWorkload>(*std::move(inner), std::move(plan)));
}

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_WORKLOAD(fault_injection, parsweep::RebuildFaultInjection);
