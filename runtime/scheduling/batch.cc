#include "runtime/scheduling/batch.h"

#include <cerrno>
#include <exception>
#include <new>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "runtime/base/resource_error.h"

namespace parsweep {
namespace {

absl::StatusOr<std::string> RunCatching(const Workload& workload, absl::string_view request) {
  try {
    return workload.Run(request);
  } catch (const std::bad_alloc&) {
    // Memory is a resource the caller can do something about (fewer widths per task, a
    // machine with more): say so, rather than report it as a bug.
    return ResourceError(ENOMEM, "the workload ran out of memory");
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("threw an exception: ", e.what()));
  } catch (...) {
    return absl::InternalError("threw an exception that is not a std::exception");
  }
}

}  // namespace

void SetError(uint64_t index, const absl::Status& status, WorkBatchResult& result) {
  WorkError& error = *result.mutable_error();
  error.set_index(index);
  error.set_code(static_cast<int32_t>(status.code()));
  error.set_message(std::string(status.message()));
}

absl::Status ErrorStatus(const WorkError& error) {
  const absl::StatusCode code =
      error.code() == 0 ? absl::StatusCode::kUnknown : static_cast<absl::StatusCode>(error.code());
  return absl::Status(code, error.message());
}

uint64_t FirstIndex(const WorkBatch& batch) {
  return batch.items().empty() ? 0 : batch.items(0).index();
}

WorkBatchResult FailedResult(const WorkBatch& batch, const absl::Status& status) {
  WorkBatchResult result;
  result.set_id(batch.id());
  SetError(FirstIndex(batch), status, result);
  return result;
}

WorkBatchResult RunBatch(const Workload& workload, const WorkBatch& batch) {
  const absl::Time start = absl::Now();
  WorkBatchResult result;
  result.set_id(batch.id());
  for (const WorkItem& item : batch.items()) {
    absl::StatusOr<std::string> response = RunCatching(workload, item.request());
    if (!response.ok()) {
      SetError(item.index(), response.status(), result);
      break;
    }
    result.add_responses(*std::move(response));
  }
  result.set_compute_seconds(absl::ToDoubleSeconds(absl::Now() - start));
  return result;
}

}  // namespace parsweep
