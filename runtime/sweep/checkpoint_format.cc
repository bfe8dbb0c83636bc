#include "runtime/sweep/checkpoint_format.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/message_lite.h"
#include "runtime/base/fingerprint.h"

namespace parsweep {
namespace {

// The checksum field's key: field 15, wire type 1 (fixed64); then 8 little-endian bytes.
constexpr char kChecksumKey = (15 << 3) | 1;
constexpr size_t kChecksumBytes = 1 + 8;
// The longest varint of a 32-bit size.
constexpr size_t kMaxSizeBytes = 5;

// Frame is `message` (its checksum unset) serialized, its checksum field appended by hand so
// that the checksum covers exactly the bytes before it, and its size put in front as a
// varint: one write's worth of bytes.
std::string Frame(const google::protobuf::MessageLite& message) {
  std::string body = message.SerializeAsString();
  uint64_t checksum = Fingerprint64(body);
  body.push_back(kChecksumKey);
  for (int i = 0; i < 8; ++i, checksum >>= 8) body.push_back(static_cast<char>(checksum & 0xff));
  uint8_t size[kMaxSizeBytes];
  const uint8_t* size_end = google::protobuf::io::CodedOutputStream::WriteVarint32ToArray(
      static_cast<uint32_t>(body.size()), size);
  return std::string(reinterpret_cast<const char*>(size), size_end - size) + body;
}

// Unseal parses `raw`, a message as Frame wrote it, into `message`: false if its checksum
// does not cover the bytes before it or it does not parse.
bool Unseal(absl::string_view raw, google::protobuf::MessageLite& message) {
  if (raw.size() < kChecksumBytes || raw[raw.size() - kChecksumBytes] != kChecksumKey) {
    return false;
  }
  uint64_t stored = 0;
  for (int i = 7; i >= 0; --i) {
    stored = (stored << 8) | static_cast<unsigned char>(raw[raw.size() - 8 + i]);
  }
  return Fingerprint64(raw.substr(0, raw.size() - kChecksumBytes)) == stored &&
         message.ParseFromArray(raw.data(), static_cast<int>(raw.size()));
}

enum class SizeRead { kRead, kCutShort, kMalformed };

// ReadSize reads the varint size at bytes[pos] into `size` and moves `pos` past it.
SizeRead ReadSize(absl::string_view bytes, size_t& pos, uint32_t& size) {
  uint64_t value = 0;
  for (size_t i = 0; i < kMaxSizeBytes; ++i) {
    if (pos + i >= bytes.size()) return SizeRead::kCutShort;
    const auto byte = static_cast<unsigned char>(bytes[pos + i]);
    value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      // Protobuf messages are under 2 GiB; a larger size was never written.
      if (value > static_cast<uint64_t>(INT32_MAX)) return SizeRead::kMalformed;
      pos += i + 1;
      size = static_cast<uint32_t>(value);
      return SizeRead::kRead;
    }
  }
  return SizeRead::kMalformed;
}

bool AllZero(absl::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == '\0'; });
}

absl::Status NotACheckpoint(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("not a parsweep checkpoint: ", why));
}

absl::StatusOr<CheckpointHeader> ParseHeader(absl::string_view bytes, size_t& pos) {
  uint32_t size = 0;
  if (bytes.empty()) return NotACheckpoint("the file is empty");
  if (ReadSize(bytes, pos, size) != SizeRead::kRead || size > bytes.size() - pos) {
    return NotACheckpoint("it does not begin with a checkpoint header (or ends inside it)");
  }
  const absl::string_view raw = bytes.substr(pos, size);
  CheckpointHeader header;
  if (!header.ParseFromArray(raw.data(), static_cast<int>(raw.size())) ||
      header.format() != kCheckpointFormat) {
    return NotACheckpoint("it does not begin with a checkpoint header");
  }
  if (header.version() != kCheckpointVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("the checkpoint is in format version ", header.version(),
                     "; this build reads version ", kCheckpointVersion));
  }
  if (!Unseal(raw, header)) {
    return absl::DataLossError("the checkpoint's header is damaged (its checksum does not match)");
  }
  pos += size;
  return header;
}

}  // namespace

std::string EncodeCheckpointHeader(CheckpointHeader header) {
  header.set_format(kCheckpointFormat);
  header.set_version(kCheckpointVersion);
  header.clear_checksum();
  return Frame(header);
}

std::string EncodeCheckpointRecord(uint64_t task_index, absl::string_view partial) {
  CheckpointRecord record;
  record.set_task_index(task_index);
  record.set_partial(std::string(partial));
  return Frame(record);
}

absl::StatusOr<CheckpointContents> ParseCheckpoint(absl::string_view bytes) {
  CheckpointContents contents;
  size_t pos = 0;
  {
    absl::StatusOr<CheckpointHeader> header = ParseHeader(bytes, pos);
    if (!header.ok()) return header.status();
    contents.header = *std::move(header);
  }
  const uint64_t tasks = contents.header.plan().tasks();
  // A set, not a vector of `tasks` flags: the header's task count is not trusted yet.
  absl::flat_hash_map<uint64_t, size_t> record_of_task;
  while (pos < bytes.size()) {
    const size_t start = pos;
    const size_t number = contents.records.size() + 1;
    uint32_t size = 0;
    const SizeRead read = ReadSize(bytes, pos, size);
    if (read == SizeRead::kCutShort || (read == SizeRead::kRead && size > bytes.size() - pos)) {
      pos = start;  // Runs past the end: the last write, cut short.
      break;
    }
    CheckpointRecord record;
    if (read == SizeRead::kMalformed || !Unseal(bytes.substr(pos, size), record)) {
      if (read == SizeRead::kRead && AllZero(bytes.substr(pos + size))) {
        pos = start;  // The last record, garbled, or a zero-filled tail.
        break;
      }
      return absl::DataLossError(absl::StrCat(
          "record ", number, " (at byte ", start,
          ") is damaged (its checksum does not match) and more data follows it: the file was "
          "damaged after it was written, not cut short by a crash; use a new checkpoint file"));
    }
    if (record.task_index() >= tasks) {
      return absl::DataLossError(absl::StrCat("record ", number, " (at byte ", start,
                                              ") is for task ", record.task_index(),
                                              " of a plan of ", tasks, " tasks"));
    }
    if (const auto [it, added] = record_of_task.try_emplace(record.task_index(), number); !added) {
      return absl::DataLossError(absl::StrCat("records ", it->second, " and ", number,
                                              " are both for task ", record.task_index()));
    }
    pos += size;
    contents.records.push_back(std::move(record));
  }
  contents.intact_bytes = pos;
  contents.torn_bytes = bytes.size() - pos;
  return contents;
}

}  // namespace parsweep
