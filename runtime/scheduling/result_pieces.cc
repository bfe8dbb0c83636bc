#include "runtime/scheduling/result_pieces.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "runtime/scheduling/batch.h"

namespace parsweep {
namespace {

// Room a message needs besides a result's or a piece's data: the envelope (a frame's oneof
// tag and length), a piece's batch id, data tag and length and last flag.
constexpr size_t kEnvelopeBytes = 64;

}  // namespace

bool SendResult(const WorkBatch& batch, WorkBatchResult result, size_t max_message_bytes,
                absl::FunctionRef<bool(const WorkBatchResult&)> send_whole,
                absl::FunctionRef<bool(const ResultPiece&)> send_piece) {
  const size_t limit = std::max(max_message_bytes, kMinResultMessageBytes) - kEnvelopeBytes;
  const size_t size = result.ByteSizeLong();
  if (size <= limit) return send_whole(result);
  std::string bytes;
  if (size >= kMaxAssembledResultBytes || !result.SerializeToString(&bytes)) {
    WorkBatchResult failed = FailedResult(
        batch, absl::ResourceExhaustedError(absl::StrCat(
                   "the batch's result is ", size,
                   " bytes, more than protobuf can hold (2 GiB); use smaller chunks")));
    return send_whole(failed);
  }
  result.Clear();  // Free it: only the bytes are needed now.
  ResultPiece piece;
  piece.set_batch(batch.id());
  for (size_t offset = 0; offset < bytes.size(); offset += limit) {
    const size_t length = std::min(limit, bytes.size() - offset);
    piece.set_data(bytes.data() + offset, length);
    piece.set_last(offset + length == bytes.size());
    if (!send_piece(piece)) return false;
  }
  return true;
}

absl::StatusOr<std::optional<WorkBatchResult>> ResultAssembler::Add(const ResultPiece& piece,
                                                                    uint64_t expected_batch) {
  if (piece.batch() != expected_batch) {
    Reset();
    return absl::DataLossError(absl::StrCat("a piece of the result of batch ", piece.batch(),
                                            " came while batch ", expected_batch, " ran"));
  }
  if (bytes_.size() + piece.data().size() > kMaxAssembledResultBytes) {
    Reset();
    return absl::DataLossError(
        absl::StrCat("a result in pieces of more than ", kMaxAssembledResultBytes, " bytes"));
  }
  bytes_.append(piece.data());
  if (!piece.last()) return std::optional<WorkBatchResult>();
  WorkBatchResult result;
  const bool parsed = result.ParseFromString(bytes_);
  Reset();
  if (!parsed || result.id() != expected_batch) {
    return absl::DataLossError("a result in pieces that does not parse as its batch's result");
  }
  return std::optional<WorkBatchResult>(std::move(result));
}

}  // namespace parsweep
