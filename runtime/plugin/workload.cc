#include "runtime/plugin/workload.h"

#include <utility>

#include "runtime/base/fingerprint.h"

namespace parsweep {

void WorkloadBlobs::Add(std::string name, absl::Span<const char> bytes,
                        std::shared_ptr<const void> keep_alive) {
  entries_[std::move(name)] = Entry{bytes, 0};
  if (keep_alive != nullptr) keep_alive_.push_back(std::move(keep_alive));
}

void WorkloadBlobs::AddUndelivered(std::string name, uint64_t fingerprint) {
  entries_[std::move(name)] = Entry{std::nullopt, fingerprint};
}

std::optional<absl::Span<const char>> WorkloadBlobs::Find(absl::string_view name) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) return std::nullopt;
  return it->second.bytes;
}

std::shared_ptr<const void> WorkloadBlobs::keep_alive() const {
  // One handle for all of them: a workload keeps this and need not know how many there are.
  auto all = std::make_shared<std::vector<std::shared_ptr<const void>>>(keep_alive_);
  return std::shared_ptr<const void>(all, all.get());
}

absl::Status WorkloadBlobs::Verify(absl::string_view name, absl::Span<const char> bytes) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) {
    return absl::DataLossError(absl::StrCat("blob '", name, "' was not exported"));
  }
  if (Fingerprint64(bytes) != it->second.fingerprint) {
    return absl::DataLossError(
        absl::StrCat("the '", name,
                     "' this worker loaded itself differ from the caller's (its data file or "
                     "its generated data is not bit-identical here)"));
  }
  return absl::OkStatus();
}

}  // namespace parsweep
