#include "executors/process/test_workloads.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "executors/process/worker_loop.h"
#include "executors/process/worker_process.h"
#include "runtime/base/status_macros.h"
#include "runtime/testing/first_attempt.h"

namespace parsweep {
namespace {

using google::protobuf::Int64Value;

// The reply pipe of the worker this runs in. A spawned worker's is in the environment it
// was started with (kWorkerEnvVar is unset by then, but /proc keeps the original); a forked
// worker's is at the fixed number.
int ReplyFd() {
  std::ifstream file("/proc/self/environ", std::ios::binary);
  const std::string environ((std::istreambuf_iterator<char>(file)),
                            std::istreambuf_iterator<char>());
  const std::string prefix = absl::StrCat(kWorkerEnvVar, "=");
  for (absl::string_view entry : absl::StrSplit(environ, '\0')) {
    if (!absl::ConsumePrefix(&entry, prefix)) continue;
    if (const std::optional<WorkerChannel> channel = ParseWorkerChannel(entry)) {
      return channel->reply_fd;
    }
  }
  return kForkReplyFd;
}

void WriteRaw(absl::string_view bytes) {
  if (write(ReplyFd(), bytes.data(), bytes.size()) < 0) _exit(70);
}

void AppendPid(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  const std::string line = absl::StrCat(getpid(), "\n");
  // One write, so that a reader sees a whole line or none.
  if (write(fd, line.data(), line.size()) < 0) _exit(71);
  close(fd);
}

[[noreturn]] void SleepForever() {
  for (;;) pause();
}

int64_t Cube(int64_t x) { return x * x * x; }

}  // namespace

std::string CubeRequest(int64_t x) {
  Int64Value request;
  request.set_value(x);
  return request.SerializeAsString();
}

int64_t CubeResponse(absl::string_view response) {
  Int64Value value;
  if (!value.ParseFromArray(response.data(), static_cast<int>(response.size()))) return -1;
  return value.value();
}

absl::StatusOr<Int64Value> CubeWorkload::Compute(const Int64Value& request) const {
  Int64Value response;
  response.set_value(Cube(request.value()));
  return response;
}

absl::StatusOr<ExportedWorkload> CubeWorkload::Export() const {
  ExportedWorkload exported;
  exported.spec.set_name(export_name_);
  return exported;
}

FaultWorkload::FaultWorkload(FaultConfig config)
    : config_(std::move(config)), trigger_request_(CubeRequest(config_.trigger())) {}

absl::StatusOr<ExportedWorkload> FaultWorkload::Export() const {
  ExportedWorkload exported;
  exported.spec.set_name("process_test_fault");
  exported.spec.set_config(config_.SerializeAsString());
  return exported;
}

absl::Status FaultWorkload::Fault(FaultConfig::Stage stage) const {
  if (stage != config_.stage()) return absl::OkStatus();
  // WAIT_FOR_KILL_ONCE announces its pid only after claiming the first attempt: a test
  // that killed it between the two would leave the claim to the retry, which would sleep.
  const bool announce_after_claim = config_.action() == FaultConfig::WAIT_FOR_KILL_ONCE;
  if (!config_.pid_path().empty() && !announce_after_claim) AppendPid(config_.pid_path());
  const std::string where = FaultConfig::Stage_Name(stage);
  switch (config_.action()) {
    case FaultConfig::RETURN_ERROR:
      return absl::InvalidArgumentError(absl::StrCat("injected error at ", where));
    case FaultConfig::EXIT_3:
      _exit(3);
    case FaultConfig::SEGFAULT: {
      // The sanitizers' SIGSEGV handlers would turn the crash into an abort.
      signal(SIGSEGV, SIG_DFL);
      const rlimit no_core = {0, 0};
      setrlimit(RLIMIT_CORE, &no_core);
      raise(SIGSEGV);
      _exit(72);
    }
    case FaultConfig::THROW:
      throw std::runtime_error(absl::StrCat("injected exception at ", where));
    case FaultConfig::SIGKILL_ONCE:
      if (FirstAttempt(config_.marker_path())) raise(SIGKILL);
      return absl::OkStatus();
    case FaultConfig::WAIT_FOR_KILL_ONCE:
      if (FirstAttempt(config_.marker_path())) {
        if (!config_.pid_path().empty()) AppendPid(config_.pid_path());
        SleepForever();
      }
      return absl::OkStatus();
    case FaultConfig::GARBLE_REPLY:
      // Size 3, then three bytes with the invalid wire type 7.
      WriteRaw(absl::string_view("\x03\x0f\x0f\x0f", 4));
      return absl::OkStatus();
    case FaultConfig::OVERSIZE_REPLY:
      WriteRaw(absl::string_view("\x80\x80\x80\x80\x08", 5));  // Varint 2^31.
      SleepForever();
    case FaultConfig::TRUNCATE_REPLY:
      WriteRaw(absl::string_view("\x64\x12\x05", 3));  // 3 of a 100-byte frame's 101 bytes.
      _exit(0);
    case FaultConfig::HANG:
      SleepForever();
    default:
      return absl::OkStatus();
  }
}

absl::StatusOr<std::string> FaultWorkload::Run(absl::string_view request) const {
  // Requests are told apart by their bytes, so that the decode stage comes before parsing.
  const bool faulty = request == trigger_request_;
  if (faulty) RETURN_IF_ERROR(Fault(FaultConfig::DECODE));
  Int64Value x;
  if (!x.ParseFromArray(request.data(), static_cast<int>(request.size()))) {
    return absl::DataLossError("cannot parse a google.protobuf.Int64Value request");
  }
  if (faulty) RETURN_IF_ERROR(Fault(FaultConfig::RUN));
  Int64Value y;
  y.set_value(Cube(x.value()));
  std::string response = y.SerializeAsString();
  if (faulty) RETURN_IF_ERROR(Fault(FaultConfig::ENCODE));
  return response;
}

namespace {

absl::StatusOr<std::unique_ptr<Workload>> CreateCube(const WorkloadSpec&, const PluginOptions&,
                                                     const WorkloadBlobs&) {
  return std::make_unique<CubeWorkload>();
}

absl::StatusOr<std::unique_ptr<Workload>> CreateFault(const WorkloadSpec& spec,
                                                      const PluginOptions&, const WorkloadBlobs&) {
  FaultConfig config;
  if (!config.ParseFromString(spec.config())) {
    return absl::InvalidArgumentError("the fault workload's config is not a FaultConfig");
  }
  return std::make_unique<FaultWorkload>(std::move(config));
}

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_WORKLOAD(process_test_cube, parsweep::CreateCube);
PARSWEEP_REGISTER_WORKLOAD(process_test_fault, parsweep::CreateFault);
