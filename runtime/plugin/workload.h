// Workload: what an executor's workers run. A pure, thread-safe function from a request to
// a response (both serialized messages of the workload's choosing), together with whatever
// immutable state it needs, such as a sweep's samples.
//
// Executors move only bytes, so one executor serves every workload: a sweep's tasks, the
// tutorial's cube(x), a benchmark's empty task. A worker in another process rebuilds the
// workload from Export(): the registered name, a configuration, and file descriptors it
// must inherit (shared memory, say). Workers that share the caller's memory (threads, and
// forked processes) use the workload object itself.
//
// Example:
//   class Cube : public TypedWorkload<Int64Value, Int64Value> { ... };
//   PARSWEEP_REGISTER_WORKLOAD(cube, [](const WorkloadSpec&) { ... });
#ifndef PARSWEEP_RUNTIME_PLUGIN_WORKLOAD_H_
#define PARSWEEP_RUNTIME_PLUGIN_WORKLOAD_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "proto/work.pb.h"
#include <functional>
#include <memory>

#include "runtime/plugin/plugin_options.h"
#include "runtime/plugin/registry.h"

namespace parsweep {

// ExportedWorkload: what a fresh process needs to rebuild a workload.
struct ExportedWorkload {
  WorkloadSpec spec;
  // Descriptors the worker must inherit under the same numbers (the spec refers to them).
  // Owned by the workload; open for as long as it lives.
  std::vector<int> inherited_fds;
};

class Workload {
 public:
  using Config = WorkloadSpec;
  using Factory =
      std::function<absl::StatusOr<std::unique_ptr<Workload>>(const WorkloadSpec&,
                                                              const PluginOptions&)>;
  static constexpr const char kKind[] = "workload";

  virtual ~Workload() = default;

  // Workload::Run computes the response to one request. Thread-safe; called concurrently
  // from many workers. An error is reported to the caller with the request's index.
  virtual absl::StatusOr<std::string> Run(absl::string_view request) const = 0;

  // Workload::Export describes the workload for a process that does not share this one's
  // memory. Thread-safe; may be called more than once and return the same descriptors.
  // Unimplemented for workloads that cannot leave this process.
  virtual absl::StatusOr<ExportedWorkload> Export() const {
    return absl::UnimplementedError("this workload cannot run in another process");
  }
};

// TypedWorkload adapts a Compute() on messages to Workload's bytes.
template <typename Request, typename Response>
class TypedWorkload : public Workload {
 public:
  virtual absl::StatusOr<Response> Compute(const Request& request) const = 0;

  absl::StatusOr<std::string> Run(absl::string_view bytes) const final {
    Request request;
    if (!request.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return absl::DataLossError(
          absl::StrCat("cannot parse a ", Request::descriptor()->full_name(), " request"));
    }
    absl::StatusOr<Response> response = Compute(request);
    if (!response.ok()) return response.status();
    return response->SerializeAsString();
  }
};

}  // namespace parsweep

// PARSWEEP_REGISTER_WORKLOAD registers a factory, callable as
// absl::StatusOr<std::unique_ptr<Workload>>(const WorkloadSpec&, const PluginOptions&),
// under `name`, so that a worker in another process can rebuild the workload a parent
// exported. (Workloads take no options; their configuration is their own message.)
#define PARSWEEP_REGISTER_WORKLOAD(name, factory)                             \
  static const ::parsweep::Registrar<::parsweep::Workload>                    \
      parsweep_workload_registrar_##name(#name, "", factory)

#endif  // PARSWEEP_RUNTIME_PLUGIN_WORKLOAD_H_
