// Fuzzes ParseCheckpoint (runtime/sweep/checkpoint_format.h), the reader of a sweep's
// checkpoint file. The input is the file: the seeds are checkpoints written by
// `sweep --checkpoint`, and the same cut short, zero-filled and damaged. Besides "no crash":
// - what is accepted is a header and records framed as protobuf's own delimited reader sees
//   them (read here with CodedInputStream, not with the reader's code), ending exactly at
//   `intact_bytes`; each kept frame ends with its checksum field holding the Fingerprint64
//   of the bytes before it and parses to the message returned; the records are for distinct
//   tasks of the header's plan; encoded again they give the file's own bytes (unless the file
//   holds another valid serialization of them) and are read back the same;
// - what is dropped is only a torn end: it does not begin with an intact record, and a
//   complete but damaged record there is followed by zeros only; zeros appended to the intact
//   part are dropped, a record appended to it (what a resumed run does) is read, and one for a
//   task already recorded is DataLoss naming both records;
// - the file cut at any of the records' bounds, or inside one, holds exactly the records that
//   end before the cut (never more), or is InvalidArgument if the cut is inside the header;
// - protobuf prints nothing while it reads (the reader's answer is its Status, not a log
//   line on the user's terminal);
// - an error is InvalidArgument ("not a parsweep checkpoint", and the file does not begin
//   with a header of this format), FailedPrecondition (a header of another version, named),
//   or DataLoss naming the damaged header or the record (by number and byte); the file cut
//   where that record begins is accepted with the records before it.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/stubs/logging.h"
#include "proto/checkpoint.pb.h"
#include "runtime/base/fingerprint.h"
#include "runtime/sweep/checkpoint_format.h"
#include "tests/fuzz/fuzz_check.h"

namespace parsweep {
namespace {

using ::google::protobuf::io::CodedInputStream;

// The checksum field as checkpoint.proto describes it: key 0x79 (field 15, fixed64), then
// 8 little-endian bytes.
constexpr char kChecksumKey = 0x79;
constexpr size_t kChecksumBytes = 9;
// Protobuf writes a message's size in at most 5 varint bytes; the reader refuses longer ones.
constexpr size_t kMaxSizeBytes = 5;

[[noreturn]] void FailOnLog(google::protobuf::LogLevel level, const char* file, int line,
                            const std::string& message) {
  FUZZ_CHECK(false) << "protobuf printed " << file << ":" << line << ": " << message;
  std::abort();  // Not reached: FUZZ_CHECK(false) aborts.
}

// Read is ParseCheckpoint(bytes), failing if protobuf logs anything meanwhile.
absl::StatusOr<CheckpointContents> Read(absl::string_view bytes) {
  google::protobuf::LogHandler* const previous = google::protobuf::SetLogHandler(&FailOnLog);
  absl::StatusOr<CheckpointContents> contents = ParseCheckpoint(bytes);
  google::protobuf::SetLogHandler(previous);
  return contents;
}

// Frame: where one size-delimited message lies in the file.
struct Frame {
  size_t start = 0;  // Its size varint.
  size_t body = 0;   // Its message bytes.
  size_t end = 0;    // Past them.
};

// ReadFrame reads the frame at byte `start` with protobuf's varint reader (to 64 bits, so no
// size is silently truncated); nullopt if it runs past the end of `bytes`.
std::optional<Frame> ReadFrame(absl::string_view bytes, size_t start) {
  const absl::string_view rest = bytes.substr(start);
  CodedInputStream input(reinterpret_cast<const uint8_t*>(rest.data()),
                         static_cast<int>(rest.size()));
  uint64_t size = 0;
  if (!input.ReadVarint64(&size)) return std::nullopt;
  const size_t body = start + static_cast<size_t>(input.CurrentPosition());
  if (size > bytes.size() - body) return std::nullopt;
  return Frame{start, body, body + static_cast<size_t>(size)};
}

absl::string_view Body(absl::string_view bytes, const Frame& frame) {
  return bytes.substr(frame.body, frame.end - frame.body);
}

// Sealed: `body` ends with the checksum field, holding the Fingerprint64 of what precedes it.
bool Sealed(absl::string_view body) {
  if (body.size() < kChecksumBytes || body[body.size() - kChecksumBytes] != kChecksumKey) {
    return false;
  }
  const auto* stored = reinterpret_cast<const uint8_t*>(body.data() + body.size() - 8);
  uint64_t checksum = 0;
  CodedInputStream::ReadLittleEndian64FromArray(stored, &checksum);
  return checksum == Fingerprint64(body.substr(0, body.size() - kChecksumBytes));
}

// IntactRecord: the frame is complete, sealed, and parses as a record (into `record`).
bool IntactRecord(absl::string_view body, CheckpointRecord& record) {
  return Sealed(body) && record.ParseFromArray(body.data(), static_cast<int>(body.size()));
}

bool AllZero(absl::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == '\0'; });
}

// HeaderOfThisFormat is the file's first message, if it is a CheckpointHeader with this
// build's `format` (any version, any checksum) in a frame the reader can read.
std::optional<CheckpointHeader> HeaderOfThisFormat(absl::string_view bytes) {
  const std::optional<Frame> frame = ReadFrame(bytes, 0);
  CheckpointHeader header;
  if (!frame || frame->body > kMaxSizeBytes) return std::nullopt;
  const absl::string_view body = Body(bytes, *frame);
  if (!header.ParseFromArray(body.data(), static_cast<int>(body.size())) ||
      header.format() != kCheckpointFormat) {
    return std::nullopt;
  }
  return header;
}

// Frames are the header's frame and then `records` record frames, from the start of `bytes`;
// nullopt if they are not all there.
std::optional<std::vector<Frame>> Frames(absl::string_view bytes, size_t records) {
  std::vector<Frame> frames;
  size_t pos = 0;
  while (frames.size() < records + 1) {
    const std::optional<Frame> frame = ReadFrame(bytes, pos);
    if (!frame) return std::nullopt;
    frames.push_back(*frame);
    pos = frame->end;
  }
  return frames;
}

// SameRecords: `got` is the first `count` of `want`, in order.
bool SameRecords(const std::vector<CheckpointRecord>& got,
                 const std::vector<CheckpointRecord>& want, size_t count) {
  if (got.size() != count || count > want.size()) return false;
  for (size_t i = 0; i < count; ++i) {
    if (got[i].task_index() != want[i].task_index() || got[i].partial() != want[i].partial()) {
      return false;
    }
  }
  return true;
}

// CheckKeptFrame checks a frame ParseCheckpoint kept: sealed, parsing to `returned`, and,
// when its bytes are protobuf's serialization of `canonical` (the message as the writer
// builds it) and the checksum, equal to what the writer encodes, `encoded`.
template <typename Message>
void CheckKeptFrame(absl::string_view bytes, const Frame& frame, const Message& returned,
                    const Message& canonical, absl::string_view encoded, absl::string_view what) {
  const absl::string_view body = Body(bytes, frame);
  FUZZ_CHECK(Sealed(body)) << what << " (at byte " << frame.start
                           << ") was kept, but its checksum does not verify";
  Message reread;
  FUZZ_CHECK(reread.ParseFromArray(body.data(), static_cast<int>(body.size())) &&
             reread.SerializeAsString() == returned.SerializeAsString())
      << what << " (at byte " << frame.start << ") is not the message returned";
  if (canonical.SerializeAsString() != body.substr(0, body.size() - kChecksumBytes)) return;
  const std::optional<Frame> written = ReadFrame(encoded, 0);
  FUZZ_CHECK(written && written->end == encoded.size() && Body(encoded, *written) == body)
      << what << " (at byte " << frame.start << ") encoded again is not the bytes it was read from";
}

CheckpointHeader Canonical(CheckpointHeader header) {
  header.clear_checksum();
  return header;
}

CheckpointRecord Canonical(const CheckpointRecord& record) {
  CheckpointRecord canonical;
  canonical.set_task_index(record.task_index());
  canonical.set_partial(record.partial());
  return canonical;
}

// CheckTornEnd checks that the bytes dropped after `intact` are a torn end.
void CheckTornEnd(absl::string_view bytes, size_t intact) {
  if (intact == bytes.size()) return;
  const std::optional<Frame> frame = ReadFrame(bytes, intact);
  if (!frame) return;  // Runs past the end: the last write, cut short.
  CheckpointRecord record;
  FUZZ_CHECK(!IntactRecord(Body(bytes, *frame), record))
      << "the intact record at byte " << intact << " was dropped";
  FUZZ_CHECK(AllZero(bytes.substr(frame->end)))
      << "the damaged record at byte " << intact << " was dropped, but data follows it";
}

// CheckTruncations checks the file cut at its frames' bounds and inside them, and inside its
// torn end: the records that end before the cut, never more.
void CheckTruncations(absl::string_view bytes, const CheckpointContents& contents,
                      const std::vector<Frame>& frames) {
  std::vector<size_t> cuts = {contents.intact_bytes + contents.torn_bytes / 2};
  for (const Frame& frame : frames) {
    cuts.insert(cuts.end(),
                {frame.start + 1, frame.body, (frame.body + frame.end) / 2, frame.end - 1});
    if (frame.end < bytes.size()) cuts.push_back(frame.end);
  }
  for (const size_t cut : cuts) {
    if (cut >= bytes.size()) continue;
    const absl::StatusOr<CheckpointContents> part = Read(bytes.substr(0, cut));
    if (cut < frames[0].end) {
      FUZZ_CHECK(part.status().code() == absl::StatusCode::kInvalidArgument)
          << "the file cut inside its header (at byte " << cut << "): " << part.status();
      continue;
    }
    FUZZ_CHECK(part.ok()) << "the file cut at byte " << cut << ": " << part.status();
    size_t kept = 0;
    while (kept + 1 < frames.size() && frames[kept + 1].end <= cut) ++kept;
    FUZZ_CHECK(SameRecords(part->records, contents.records, kept) &&
               part->intact_bytes == frames[kept].end)
        << "the file cut at byte " << cut << " gave " << part->records.size()
        << " records ending at byte " << part->intact_bytes << "; " << kept
        << " records end before the cut";
  }
}

// CheckExtended checks what a resumed run does to the intact part `intact` of a file: a
// zero-filled tail is dropped, a new record is read, one for a recorded task is refused.
void CheckExtended(absl::string_view intact, const CheckpointContents& contents) {
  const std::vector<CheckpointRecord>& records = contents.records;
  for (const size_t zeros : {size_t{1}, size_t{100}}) {
    const absl::StatusOr<CheckpointContents> zeroed =
        Read(absl::StrCat(intact, std::string(zeros, '\0')));
    FUZZ_CHECK(zeroed.ok() && SameRecords(zeroed->records, records, records.size()) &&
               zeroed->torn_bytes == zeros)
        << zeros << " zero bytes after the intact records: " << zeroed.status();
  }

  absl::flat_hash_set<uint64_t> recorded;
  for (const CheckpointRecord& record : records) recorded.insert(record.task_index());
  uint64_t task = 0;
  while (recorded.contains(task)) ++task;
  if (task < contents.header.plan().tasks()) {
    std::vector<CheckpointRecord> want = records;
    want.emplace_back().set_task_index(task);
    want.back().set_partial("appended");
    const absl::StatusOr<CheckpointContents> appended =
        Read(absl::StrCat(intact, EncodeCheckpointRecord(task, "appended")));
    FUZZ_CHECK(appended.ok() && SameRecords(appended->records, want, want.size()) &&
               appended->torn_bytes == 0)
        << "a record for task " << task << " appended: " << appended.status();
  }
  if (!records.empty()) {
    const absl::Status again =
        Read(absl::StrCat(intact, EncodeCheckpointRecord(records[0].task_index(), ""))).status();
    FUZZ_CHECK(again.code() == absl::StatusCode::kDataLoss &&
               absl::StrContains(again.message(),
                                 absl::StrCat("records 1 and ", records.size() + 1,
                                              " are both for task ", records[0].task_index())))
        << "a second record for task " << records[0].task_index() << ": " << again;
  }
}

void CheckAccepted(absl::string_view bytes, const CheckpointContents& contents) {
  FUZZ_CHECK(contents.intact_bytes <= bytes.size() &&
             contents.intact_bytes + contents.torn_bytes == bytes.size())
      << contents.intact_bytes << " intact and " << contents.torn_bytes << " torn bytes of "
      << bytes.size();
  const CheckpointHeader& header = contents.header;
  FUZZ_CHECK(header.format() == kCheckpointFormat && header.version() == kCheckpointVersion)
      << "accepted a header of format '" << header.format() << "' version " << header.version();
  const std::optional<std::vector<Frame>> frames = Frames(bytes, contents.records.size());
  FUZZ_CHECK(frames && frames->back().end == contents.intact_bytes)
      << "the header and " << contents.records.size() << " records do not end at byte "
      << contents.intact_bytes;

  CheckKeptFrame(bytes, frames->front(), header, Canonical(header), EncodeCheckpointHeader(header),
                 "the header");
  std::string encoded = EncodeCheckpointHeader(header);
  absl::flat_hash_set<uint64_t> tasks;
  for (size_t i = 0; i < contents.records.size(); ++i) {
    const CheckpointRecord& record = contents.records[i];
    const std::string record_bytes = EncodeCheckpointRecord(record.task_index(), record.partial());
    CheckKeptFrame(bytes, (*frames)[i + 1], record, Canonical(record), record_bytes,
                   absl::StrCat("record ", i + 1));
    FUZZ_CHECK(record.task_index() < header.plan().tasks())
        << "record " << i + 1 << " is for task " << record.task_index() << " of a plan of "
        << header.plan().tasks();
    FUZZ_CHECK(tasks.insert(record.task_index()).second)
        << "record " << i + 1 << " is for task " << record.task_index() << " again";
    encoded += record_bytes;
  }
  const absl::StatusOr<CheckpointContents> reread = Read(encoded);
  FUZZ_CHECK(reread.ok() &&
             Canonical(reread->header).SerializeAsString() ==
                 Canonical(header).SerializeAsString() &&
             SameRecords(reread->records, contents.records, contents.records.size()) &&
             reread->torn_bytes == 0)
      << "the contents encoded again do not read back the same: " << reread.status();

  CheckTornEnd(bytes, contents.intact_bytes);
  CheckTruncations(bytes, contents, *frames);
  CheckExtended(bytes.substr(0, contents.intact_bytes), contents);
}

// CheckDamagedRecord checks DataLoss naming record `number` (at byte `at`, if known, else 0):
// it is where the header and `number` - 1 records end, and the file cut there is accepted
// with those records. Returns the frame of the record named.
std::optional<Frame> CheckDamagedRecord(absl::string_view bytes, size_t number, size_t at) {
  FUZZ_CHECK(number >= 1) << "record " << number;
  const std::optional<std::vector<Frame>> frames = Frames(bytes, number - 1);
  FUZZ_CHECK(frames && (at == 0 || frames->back().end == at))
      << "record " << number << " does not begin at byte " << at;
  const size_t start = frames->back().end;
  const absl::StatusOr<CheckpointContents> before = Read(bytes.substr(0, start));
  FUZZ_CHECK(before.ok() && before->records.size() == number - 1 && before->torn_bytes == 0)
      << "the file cut where record " << number << " begins (byte " << start
      << "): " << before.status();
  return ReadFrame(bytes, start);
}

void CheckDataLoss(absl::string_view bytes, const absl::Status& status) {
  const std::string message(status.message());
  size_t number = 0;
  size_t other = 0;
  size_t at = 0;
  unsigned long long task = 0;   // NOLINT(runtime/int): for sscanf.
  unsigned long long tasks = 0;  // NOLINT(runtime/int)
  if (absl::StartsWith(message, "the checkpoint's header is damaged")) {
    const std::optional<CheckpointHeader> header = HeaderOfThisFormat(bytes);
    FUZZ_CHECK(header && !Sealed(Body(bytes, *ReadFrame(bytes, 0))))
        << "a header called damaged is not one of this format whose checksum fails";
  } else if (std::sscanf(message.c_str(),
                         "record %zu (at byte %zu) is for task %llu of a plan of %llu", &number,
                         &at, &task, &tasks) == 4) {
    const std::optional<Frame> frame = CheckDamagedRecord(bytes, number, at);
    CheckpointRecord record;
    FUZZ_CHECK(frame && IntactRecord(Body(bytes, *frame), record) && record.task_index() == task &&
               task >= tasks && HeaderOfThisFormat(bytes)->plan().tasks() == tasks)
        << status;
  } else if (std::sscanf(message.c_str(), "record %zu (at byte %zu)", &number, &at) == 2) {
    const std::optional<Frame> frame = CheckDamagedRecord(bytes, number, at);
    CheckpointRecord record;
    FUZZ_CHECK(!frame || frame->body - frame->start > kMaxSizeBytes ||
               (!IntactRecord(Body(bytes, *frame), record) && !AllZero(bytes.substr(frame->end))))
        << "a record that is intact, or followed by zeros only, was called damaged: " << status;
  } else if (std::sscanf(message.c_str(), "records %zu and %zu are both for task %llu", &other,
                         &number, &task) == 3) {
    const std::optional<Frame> frame = CheckDamagedRecord(bytes, number, 0);
    CheckpointRecord record;
    FUZZ_CHECK(frame && IntactRecord(Body(bytes, *frame), record) && record.task_index() == task)
        << status;
    const absl::StatusOr<CheckpointContents> before = Read(bytes.substr(0, frame->start));
    FUZZ_CHECK(other >= 1 && other < number && before->records[other - 1].task_index() == task)
        << status;
  } else {
    FUZZ_CHECK(false) << "DataLoss names neither the header nor a record: " << status;
  }
}

void CheckRefused(absl::string_view bytes, const absl::Status& status) {
  const std::optional<CheckpointHeader> header = HeaderOfThisFormat(bytes);
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      FUZZ_CHECK(absl::StartsWith(status.message(), "not a parsweep checkpoint: ")) << status;
      FUZZ_CHECK(!header) << "a file that begins with a checkpoint header was refused: " << status;
      return;
    case absl::StatusCode::kFailedPrecondition:
      FUZZ_CHECK(header && header->version() != kCheckpointVersion &&
                 absl::StrContains(status.message(),
                                   absl::StrCat("format version ", header->version(),
                                                "; this build reads version ", kCheckpointVersion)))
          << status;
      return;
    case absl::StatusCode::kDataLoss:
      FUZZ_CHECK(header && header->version() == kCheckpointVersion) << status;
      CheckDataLoss(bytes, status);
      return;
    default:
      FUZZ_CHECK(false) << "an error with an undocumented code: " << status;
  }
}

}  // namespace
}  // namespace parsweep

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<parsweep::CheckpointContents> contents = parsweep::Read(bytes);
  if (contents.ok()) {
    parsweep::CheckAccepted(bytes, *contents);
  } else {
    parsweep::CheckRefused(bytes, contents.status());
  }
  return 0;
}
