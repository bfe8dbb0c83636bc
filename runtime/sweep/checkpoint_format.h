// The bytes of a checkpoint file (proto/checkpoint.proto): encoding its messages, and
// ParseCheckpoint, a pure function from a file's bytes to its header and intact records,
// which decides what is a torn end (dropped: a crash cut the last write short) and what is
// damage (an error). It knows nothing of sweeps or files: SweepCheckpoint
// (sweep_checkpoint.h) does the rest, and a fuzzer can call ParseCheckpoint on any bytes.
//
// What ParseCheckpoint accepts, refuses and drops:
// - The file must begin with a complete CheckpointHeader whose `format` is
//   kCheckpointFormat, else InvalidArgument (not a checkpoint); a `version` other than
//   kCheckpointVersion is FailedPrecondition; a header whose checksum fails is DataLoss.
// - Records follow. A record that runs past the end of the bytes (its size varint or its
//   body cut short) is a torn end. A record whose checksum fails, or that does not parse,
//   is a torn end when nothing but zero bytes follows it (a crash can leave a zero-filled
//   or garbled tail on some filesystems), and DataLoss when intact data follows it: that is
//   damage, not a crash, and records are never skipped over. A torn end is dropped, and
//   `intact_bytes` says where it began.
// - A record for a task index outside the header's plan, or for a task already recorded, is
//   DataLoss (a writer never makes one).
// Every check looks at the bytes only: a record whose size varint was itself damaged into
// one running past the end is taken for a torn end, which drops it and what follows (they
// are run again) but never misreads them.
//
// Example:
//   ASSIGN_OR_RETURN(CheckpointContents contents, ParseCheckpoint(bytes));
//   for (const CheckpointRecord& record : contents.records) Use(record);
//   if (contents.torn_bytes > 0) Truncate(contents.intact_bytes);
#ifndef PARSWEEP_RUNTIME_SWEEP_CHECKPOINT_FORMAT_H_
#define PARSWEEP_RUNTIME_SWEEP_CHECKPOINT_FORMAT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/checkpoint.pb.h"

namespace parsweep {

inline constexpr char kCheckpointFormat[] = "parsweep checkpoint";
inline constexpr uint32_t kCheckpointVersion = 1;

// EncodeCheckpointHeader is `header` as it begins a file, framed and checksummed, with its
// `format` and `version` set to this build's.
std::string EncodeCheckpointHeader(CheckpointHeader header);

// EncodeCheckpointRecord is one record, framed and checksummed, as it is appended.
std::string EncodeCheckpointRecord(uint64_t task_index, absl::string_view partial);

// CheckpointContents: what ParseCheckpoint found.
struct CheckpointContents {
  CheckpointHeader header;
  std::vector<CheckpointRecord> records;  // In file order; each task at most once.
  uint64_t intact_bytes = 0;              // The header and the records; a torn end begins here.
  uint64_t torn_bytes = 0;                // After them, dropped: the torn end (0 if none).
};

// ParseCheckpoint reads a whole checkpoint file's `bytes` (see above for what it refuses).
absl::StatusOr<CheckpointContents> ParseCheckpoint(absl::string_view bytes);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SWEEP_CHECKPOINT_FORMAT_H_
