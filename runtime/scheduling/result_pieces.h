// Result pieces: a batch's result too large for one message (the process executor's frame
// limit, the mpi executor's message limit) travels as the pieces of its serialization, each
// a ResultPiece (proto/work.proto), and is put together again by the caller, so that every
// executor returns every result serial would, up to the 2 GiB protobuf can hold. A result
// larger than that becomes its batch's ResourceExhausted error, on every executor alike.
//
// Example (a worker):
//   SendResult(batch, RunBatch(workload, batch), max_message_bytes,
//              [&](const WorkBatchResult& whole) { return Send(whole); },
//              [&](const ResultPiece& piece) { return Send(piece); });
// (the caller):
//   ResultAssembler assembler;
//   ASSIGN_OR_RETURN(std::optional<WorkBatchResult> result, assembler.Add(piece, batch_id));
//   if (result) Deliver(*result);  // The last piece has come.
#ifndef PARSWEEP_RUNTIME_SCHEDULING_RESULT_PIECES_H_
#define PARSWEEP_RUNTIME_SCHEDULING_RESULT_PIECES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "proto/work.pb.h"

namespace parsweep {

// kMinResultMessageBytes: the smallest message limit that pieces can work with (room for a
// piece's own fields and some data).
inline constexpr size_t kMinResultMessageBytes = 1024;
// kMaxAssembledResultBytes: the most a result in pieces may add up to (what protobuf parses).
inline constexpr size_t kMaxAssembledResultBytes = size_t{2} << 30;

// SendResult sends `result`, the result of `batch`, through `send_whole` when it fits in a
// message of `max_message_bytes` (>= kMinResultMessageBytes; room is left for the envelope
// of a frame), else as pieces through `send_piece`, in order. Returns false as soon as a send
// does (the caller has gone).
bool SendResult(const WorkBatch& batch, WorkBatchResult result, size_t max_message_bytes,
                absl::FunctionRef<bool(const WorkBatchResult&)> send_whole,
                absl::FunctionRef<bool(const ResultPiece&)> send_piece);

// ResultAssembler puts the pieces of one worker's results together; one per worker.
class ResultAssembler {
 public:
  // ResultAssembler::Add takes the next piece of the result of batch `expected_batch`: the
  // whole result once the last piece has come, else nullopt. DataLoss for a piece of another
  // batch, more than kMaxAssembledResultBytes, or pieces that do not parse as the batch's
  // result; the assembler is then empty again.
  absl::StatusOr<std::optional<WorkBatchResult>> Add(const ResultPiece& piece,
                                                     uint64_t expected_batch);

  // ResultAssembler::Reset drops a partly assembled result (its worker was lost).
  void Reset() { bytes_.clear(); }

 private:
  std::string bytes_;
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SCHEDULING_RESULT_PIECES_H_
