// RunBatch: runs a batch's requests in order on a workload, as every executor's workers do.
//
// It stops at the first request that fails and records that request's index and error;
// an exception thrown by the workload is caught and reported the same way (as Internal,
// with what() when it is a std::exception), so no exception crosses the executor.
//
// Example:
//   WorkBatchResult result = RunBatch(workload, batch);
#ifndef PARSWEEP_RUNTIME_SCHEDULING_BATCH_H_
#define PARSWEEP_RUNTIME_SCHEDULING_BATCH_H_

#include "absl/status/status.h"
#include "proto/work.pb.h"
#include "runtime/plugin/workload.h"

namespace parsweep {

WorkBatchResult RunBatch(const Workload& workload, const WorkBatch& batch);

// SetError records `status` as the failure of item `index` in `result`.
void SetError(uint64_t index, const absl::Status& status, WorkBatchResult& result);

// ErrorStatus turns a WorkError back into an absl::Status.
absl::Status ErrorStatus(const WorkError& error);

// FirstIndex is the index of a batch's first item (0 for an empty batch).
uint64_t FirstIndex(const WorkBatch& batch);

// FailedResult is the result of `batch` when it failed as a whole with `status`: no
// responses, the error on its first item.
WorkBatchResult FailedResult(const WorkBatch& batch, const absl::Status& status);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SCHEDULING_BATCH_H_
