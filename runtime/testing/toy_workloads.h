// The tutorial's toy tasks as workloads, registered so that workers in other processes
// (spawned, MPI ranks) can rebuild them:
//   cube:          Int64Value x -> Int64Value x^3 (a request of 13 fails, one of 17
//                  throws, to test error paths).
//   counter:       Int64Value -> Int64Value, as fast as possible (dispatch overhead).
//   gated_string:  Int64Value i -> StringValue of 5 letters drawn from a generator seeded by
//                  i; request 0 first waits until a byte arrives on a named pipe (FIFO), so a
//                  test decides when it finishes: completion order then differs from
//                  submission order, without a sleep.
//   blob_sum:      Int64Value i -> Int64Value i + the sum of the bytes of its blob "data",
//                  which it exports (to test how executors deliver blobs).
//
// All are immutable and thread-safe.
//
// Example:
//   std::unique_ptr<Workload> cube = MakeToyWorkload("cube");
#ifndef PARSWEEP_RUNTIME_TESTING_TOY_WORKLOADS_H_
#define PARSWEEP_RUNTIME_TESTING_TOY_WORKLOADS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "runtime/plugin/workload.h"

namespace parsweep {

// MakeToyWorkload builds "cube" or "counter" by name; it exports itself by name.
std::unique_ptr<Workload> MakeToyWorkload(const std::string& name);

// MakeGatedWorkload builds "gated_string" whose request 0 waits for a byte on the FIFO at
// `fifo_path` (which must exist; mkfifo); with an empty path nothing waits.
std::unique_ptr<Workload> MakeGatedWorkload(const std::string& fifo_path);

// GatedString is what gated_string answers to request i.
std::string GatedString(int64_t i);

// MakeBlobWorkload builds "blob_sum" over `size` pseudo-random bytes from `seed`, exported
// with `source`. A worker that is not sent the blob regenerates it from the seed; with
// `regenerate_wrongly` its copy differs in one byte, as a rank with other data would.
std::unique_ptr<Workload> MakeBlobWorkload(uint64_t seed, size_t size, ExportedBlob::Source source,
                                           bool regenerate_wrongly = false);

// BlobSum is what blob_sum answers to request i for MakeBlobWorkload(seed, size, ...).
int64_t BlobSum(uint64_t seed, size_t size, int64_t i);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_TESTING_TOY_WORKLOADS_H_
