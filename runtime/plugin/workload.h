// Workload: what an executor's workers run. A pure, thread-safe function from a request to
// a response (both serialized messages of the workload's choosing), together with whatever
// immutable state it needs, such as a sweep's samples.
//
// Executors move only bytes, so one executor serves every workload: a sweep's tasks, the
// tutorial's cube(x), a benchmark's empty task. Workers that share the caller's memory
// (threads, forked processes) use the workload object itself. A worker in another process,
// or on another machine, rebuilds it from Export(): the registered name, a configuration of
// the workload's own, and named blobs of bytes (a sweep's samples, say). How a blob travels
// is the executor's business (an inherited shared-memory file for a local process, a
// broadcast to MPI ranks, or not at all where the worker can load the same bytes itself);
// the workload's factory finds each by name in WorkloadBlobs.
//
// Example:
//   class Cube : public TypedWorkload<Int64Value, Int64Value> { ... };
//   PARSWEEP_REGISTER_WORKLOAD(cube, [](const WorkloadSpec&, const PluginOptions&,
//                                       const WorkloadBlobs&) { ... });
#ifndef PARSWEEP_RUNTIME_PLUGIN_WORKLOAD_H_
#define PARSWEEP_RUNTIME_PLUGIN_WORKLOAD_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "proto/work.pb.h"
#include "runtime/plugin/plugin_options.h"
#include "runtime/plugin/registry.h"

namespace parsweep {

// ExportedBlob: bytes that a workload rebuilt elsewhere needs besides its configuration.
struct ExportedBlob {
  // Where else the same bytes can come from, which lets an executor avoid sending them.
  enum class Source {
    kOnlyHere,      // Nowhere: they must be sent.
    kReproducible,  // The workload rebuilds identical bytes from its configuration alone
                    // (seeded generation), wherever it runs.
    kSharedFile,    // The workload can reload them from a file its configuration names; the
                    // same file only where that path is shared (the executor is told so).
  };
  std::string name;
  absl::Span<const char> bytes;  // Valid while the exporting workload lives.
  Source source = Source::kOnlyHere;
};

// ExportedWorkload: what another process needs to rebuild a workload.
struct ExportedWorkload {
  WorkloadSpec spec;
  std::vector<ExportedBlob> blobs;
};

// WorkloadBlobs: the blobs as a rebuilt workload receives them. A blob the executor chose not
// to send is absent; the workload then loads the bytes itself, as its Source allows, and
// checks them with Verify (against the exporter's fingerprint), so that a worker never runs
// on bytes that differ from the caller's.
class WorkloadBlobs {
 public:
  // WorkloadBlobs::Add records a delivered blob; `keep_alive` keeps `bytes` valid (a
  // mapping, a buffer). Bytes are aligned for any scalar type.
  void Add(std::string name, absl::Span<const char> bytes, std::shared_ptr<const void> keep_alive);
  // WorkloadBlobs::AddUndelivered records a blob that was not sent and the 64-bit FNV-1a
  // fingerprint (runtime/base/fingerprint.h) of the exporter's bytes.
  void AddUndelivered(std::string name, uint64_t fingerprint);

  // WorkloadBlobs::Find is a delivered blob's bytes; nullopt if it was not delivered.
  std::optional<absl::Span<const char>> Find(absl::string_view name) const;
  // WorkloadBlobs::keep_alive keeps every delivered blob's bytes valid while it is held.
  std::shared_ptr<const void> keep_alive() const;
  // WorkloadBlobs::Verify checks bytes the workload loaded itself for an undelivered blob:
  // DataLoss if they differ from the exporter's, or if `name` was not exported at all.
  absl::Status Verify(absl::string_view name, absl::Span<const char> bytes) const;

 private:
  struct Entry {
    std::optional<absl::Span<const char>> bytes;
    uint64_t fingerprint = 0;
  };
  std::map<std::string, Entry, std::less<>> entries_;
  std::vector<std::shared_ptr<const void>> keep_alive_;
};

class Workload {
 public:
  using Config = WorkloadSpec;
  using Factory = std::function<absl::StatusOr<std::unique_ptr<Workload>>(
      const WorkloadSpec&, const PluginOptions&, const WorkloadBlobs&)>;
  static constexpr const char kKind[] = "workload";

  virtual ~Workload() = default;

  // Workload::Run computes the response to one request. Thread-safe; called concurrently
  // from many workers. An error is reported to the caller with the request's index.
  virtual absl::StatusOr<std::string> Run(absl::string_view request) const = 0;

  // Workload::Export describes the workload for a process that does not share this one's
  // memory. Thread-safe and cheap: blobs point into the workload's own memory. Unimplemented
  // for workloads that cannot leave this process.
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
// absl::StatusOr<std::unique_ptr<Workload>>(const WorkloadSpec&, const PluginOptions&,
// const WorkloadBlobs&),
// under `name`, so that a worker in another process can rebuild the workload a parent
// exported. (Workloads take no options; their configuration is their own message.)
#define PARSWEEP_REGISTER_WORKLOAD(name, factory)                                              \
  static const ::parsweep::Registrar<::parsweep::Workload> parsweep_workload_registrar_##name( \
      #name, "", factory)

#endif  // PARSWEEP_RUNTIME_PLUGIN_WORKLOAD_H_
