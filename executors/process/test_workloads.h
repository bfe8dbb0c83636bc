// Workloads for the process executor's tests, registered so that spawned workers can
// rebuild them: `process_test_cube` (Int64Value x -> x^3, the tutorial's function) and
// `process_test_fault`, which cubes too but fails one chosen request in a chosen way (see
// test_workloads.proto). The names are prefixed so as not to clash with other test
// workloads in a binary that links both.
//
// Both are immutable and thread-safe; they own nothing but their configuration.
//
// Example:
//   FaultConfig config;
//   config.set_stage(FaultConfig::RUN);
//   config.set_action(FaultConfig::EXIT_3);
//   config.set_trigger(3);
//   FaultWorkload workload(config);  // Request 3 makes its worker exit with status 3.
#ifndef PARSWEEP_EXECUTORS_PROCESS_TEST_WORKLOADS_H_
#define PARSWEEP_EXECUTORS_PROCESS_TEST_WORKLOADS_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "executors/process/test_workloads.pb.h"
#include "google/protobuf/wrappers.pb.h"
#include "runtime/plugin/workload.h"

namespace parsweep {

using process_test::FaultConfig;

// CubeRequest serializes the request for x.
std::string CubeRequest(int64_t x);

// CubeResponse parses a response of cube or fault; -1 if it does not parse.
int64_t CubeResponse(absl::string_view response);

// CubeWorkload cubes. It exports itself under `export_name`, which a test may set to a name
// no workload is registered under.
class CubeWorkload
    : public TypedWorkload<google::protobuf::Int64Value, google::protobuf::Int64Value> {
 public:
  explicit CubeWorkload(std::string export_name = "process_test_cube")
      : export_name_(std::move(export_name)) {}

  absl::StatusOr<google::protobuf::Int64Value> Compute(
      const google::protobuf::Int64Value& request) const override;
  absl::StatusOr<ExportedWorkload> Export() const override;

 private:
  std::string export_name_;
};

// FaultWorkload cubes every request but the one FaultConfig::trigger names, on which it
// fails as configured.
class FaultWorkload : public Workload {
 public:
  explicit FaultWorkload(FaultConfig config);

  absl::StatusOr<std::string> Run(absl::string_view request) const override;
  absl::StatusOr<ExportedWorkload> Export() const override;

 private:
  absl::Status Fault(FaultConfig::Stage stage) const;

  FaultConfig config_;
  std::string trigger_request_;
};

}  // namespace parsweep

#endif  // PARSWEEP_EXECUTORS_PROCESS_TEST_WORKLOADS_H_
