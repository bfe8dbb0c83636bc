// Fuzzes FrameReader, the parent's decoder of the process executor's frames (varint size,
// then a FromWorker or ToWorker message of proto/work.proto), on a stream of any bytes:
// - the frames and the final outcome (a DataLoss error, or the end) are the same whether
//   the bytes are appended at once, in pieces of any size, or read from a pipe with
//   ReadFrom (which reads at most what the current frame needs);
// - no frame consumes more than its size prefix plus the limit, and the prefix, read as
//   the 64-bit varint it is, is the size the frame consumed;
// - a decoded frame encoded again decodes to the same message.
//
// Input: a byte picks the message type and how the bytes are cut, a byte the limit, then
// the stream.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "executors/process/frame_io.h"
#include "proto/work.pb.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_input.h"

namespace parsweep {
namespace {

// Decoded: the frames a reader gave, serialized, and how the stream ended.
struct Decoded {
  std::vector<std::string> frames;
  absl::Status end;  // OK: the stream ended at a frame boundary.
};

// The prefix as protobuf writes it: a varint, here read to 64 bits (no silent truncation).
// Returns false if it does not end within 10 bytes.
bool ReadPrefix(absl::string_view bytes, uint64_t& value, size_t& length) {
  value = 0;
  for (length = 0; length < bytes.size() && length < 10; ++length) {
    const uint8_t byte = static_cast<uint8_t>(bytes[length]);
    value |= static_cast<uint64_t>(byte & 0x7f) << (7 * length);
    if ((byte & 0x80) == 0) {
      ++length;
      return true;
    }
  }
  return false;
}

// Take parses every frame `reader` holds, appending them to `out`; false after an error.
template <typename Message>
bool Take(FrameReader& reader, size_t limit, Decoded& out) {
  for (;;) {
    Message message;
    const size_t before = reader.buffered_bytes();
    const absl::StatusOr<bool> parsed = reader.Parse(message);
    if (!parsed.ok()) {
      FUZZ_CHECK(parsed.status().code() == absl::StatusCode::kDataLoss) << parsed.status();
      out.end = parsed.status();
      return false;
    }
    if (!*parsed) return true;
    const size_t consumed = before - reader.buffered_bytes();
    FUZZ_CHECK(consumed <= limit + 5) << "a frame of " << consumed << " bytes, limit " << limit;
    out.frames.push_back(message.SerializeAsString());
  }
}

template <typename Message>
Decoded AppendAll(absl::string_view stream, size_t limit,
                  const std::vector<absl::string_view>& pieces) {
  FrameReader reader(limit);
  Decoded out;
  for (absl::string_view piece : pieces) {
    reader.Append(piece);
    if (!Take<Message>(reader, limit, out)) return out;
  }
  out.end = reader.Finish();
  return out;
}

// ThroughAPipe writes `stream` into a pipe (which holds 64 KiB, more than any input the
// fuzzer makes), closes it and reads it back with ReadFrom.
template <typename Message>
Decoded ThroughAPipe(absl::string_view stream, size_t limit) {
  int fds[2];
  FUZZ_CHECK(pipe2(fds, O_CLOEXEC) == 0) << "pipe2: " << errno;
  FUZZ_CHECK(WriteAll(fds[1], stream) == 0) << "the pipe is full";
  close(fds[1]);
  FUZZ_CHECK(fcntl(fds[0], F_SETFL, O_NONBLOCK) == 0);
  FrameReader reader(limit);
  Decoded out;
  for (;;) {
    Message message;
    const absl::StatusOr<FrameReader::Result> got = reader.ReadFrom(fds[0], message);
    if (!got.ok()) {
      out.end = got.status();
      break;
    }
    FUZZ_CHECK(*got != FrameReader::Result::kNeedMore)
        << "the writer has closed: no more to wait for";
    if (*got == FrameReader::Result::kEof) break;
    out.frames.push_back(message.SerializeAsString());
  }
  close(fds[0]);
  return out;
}

bool operator==(const Decoded& a, const Decoded& b) {
  return a.frames == b.frames && a.end == b.end;
}

template <typename Message>
void Check(absl::string_view stream, size_t limit, uint8_t seed) {
  const Decoded whole = AppendAll<Message>(stream, limit, {stream});
  FUZZ_CHECK(AppendAll<Message>(stream, limit, CutInPieces(stream, seed, 1 + seed % 12)) == whole)
      << "appended in pieces, the stream decodes differently";
  if (stream.size() <= 65536) {
    const Decoded piped = ThroughAPipe<Message>(stream, limit);
    FUZZ_CHECK(piped == whole) << "read from a pipe, the stream decodes differently: "
                               << piped.frames.size() << " frames, " << piped.end << " vs "
                               << whole.frames.size() << " frames, " << whole.end;
  }

  // Each frame consumed exactly its prefix plus the size it declares.
  absl::string_view rest = stream;
  for (const std::string& frame : whole.frames) {
    uint64_t size = 0;
    size_t length = 0;
    FUZZ_CHECK(ReadPrefix(rest, size, length)) << "a frame without a whole prefix";
    FUZZ_CHECK(size <= limit) << "a frame declares " << size << " bytes, over the limit " << limit;
    FUZZ_CHECK(length + size <= rest.size());
    rest.remove_prefix(length + size);

    Message message;
    FUZZ_CHECK(message.ParseFromString(frame));
    const absl::StatusOr<std::string> encoded = EncodeFrame(message);
    FUZZ_CHECK(encoded.ok()) << encoded.status();
    FrameReader again(kMaxFrameLimit);
    again.Append(*encoded);
    Message decoded;
    const absl::StatusOr<bool> parsed = again.Parse(decoded);
    FUZZ_CHECK(parsed.ok() && *parsed) << "an encoded frame does not decode";
    FUZZ_CHECK(decoded.SerializeAsString() == frame) << "a frame encoded again decodes differently";
  }
}

}  // namespace
}  // namespace parsweep

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace parsweep;
  FuzzInput input(data, size);
  const uint8_t mode = input.TakeByte();
  constexpr size_t kLimits[] = {1, 2, 16, 300, 1024, 65536, kMaxFrameLimit};
  const size_t limit = kLimits[input.TakeByte() % (sizeof kLimits / sizeof kLimits[0])];
  if (mode % 2 == 0) {
    Check<FromWorker>(input.rest(), limit, mode);
  } else {
    Check<ToWorker>(input.rest(), limit, mode);
  }
  return 0;
}
