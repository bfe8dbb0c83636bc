// Frames on a pipe between the process executor and its workers: each frame is one protobuf
// message preceded by its size as a varint (protobuf's delimited format, written and read
// with google/protobuf/util/delimited_message_util.h).
//
// The two ends read differently. A worker has nothing else to do, so it blocks in
// FrameInput, which keeps one buffering FileInputStream for the pipe's whole life. The parent
// must never block on a worker, so FrameReader reads whatever a non-blocking pipe holds,
// buffers it, and parses a frame only once all of it has arrived; it checks a frame's
// declared size against a limit before buffering the frame, so a corrupt prefix cannot make
// it allocate more than the limit. WriteFrame blocks until the frame is written and returns
// EPIPE from a reader that has gone away as an error instead of dying of SIGPIPE.
//
// Thread safety: FrameReader and FrameInput are not thread-safe; use one per pipe from one
// thread. WriteFrame may be called from any thread. None of them owns its descriptor.
//
// Example (parent):
//   FrameReader reader(64 << 20);
//   FromWorker reply;
//   ASSIGN_OR_RETURN(FrameReader::Result got, reader.ReadFrom(reply_fd, reply));
//   if (got == FrameReader::Result::kFrame) Use(reply);  // kNeedMore: poll() reply_fd again
#ifndef PARSWEEP_EXECUTORS_PROCESS_FRAME_IO_H_
#define PARSWEEP_EXECUTORS_PROCESS_FRAME_IO_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/io/zero_copy_stream_impl.h"
#include "google/protobuf/message_lite.h"

namespace parsweep {

// kMaxFrameLimit is the largest max_frame_bytes a FrameReader takes: protobuf parses at most
// 2 GiB, and the limit leaves room for the size prefix.
inline constexpr size_t kMaxFrameLimit = size_t{1} << 30;

// FrameReader decodes frames from a non-blocking descriptor, or from bytes handed to it.
// After it has returned an error the stream is broken; discard the reader.
class FrameReader {
 public:
  enum class Result {
    kFrame,     // A frame was parsed into the message.
    kNeedMore,  // No complete frame yet and nothing more to read now: poll() and call again.
    kEof,       // The writer closed the pipe at a frame boundary.
  };

  // FrameReader accepts frames of at most `max_frame_bytes` (1 .. kMaxFrameLimit) bytes,
  // not counting the size prefix.
  explicit FrameReader(size_t max_frame_bytes);

  // FrameReader::ReadFrom reads from `fd` (which must be O_NONBLOCK) until a frame is
  // complete and parses it into `message`, replacing its contents. DataLoss for a size over
  // the limit, a malformed size, bytes that do not parse, or EOF inside a frame;
  // Unavailable if read() fails.
  absl::StatusOr<Result> ReadFrom(int fd, google::protobuf::MessageLite& message);

  // FrameReader::Append adds bytes that came from elsewhere, for Parse.
  void Append(absl::string_view bytes);

  // FrameReader::Parse parses the first buffered frame into `message` and drops it from the
  // buffer: true if a frame was parsed, false if it has not all arrived. DataLoss as above.
  absl::StatusOr<bool> Parse(google::protobuf::MessageLite& message);

  // FrameReader::Finish is for the end of the stream: DataLoss if part of a frame is
  // buffered.
  absl::Status Finish() const;

  // FrameReader::buffered_bytes counts bytes read but not yet parsed.
  size_t buffered_bytes() const { return buffer_.size(); }

 private:
  const size_t max_frame_bytes_;
  std::string buffer_;
  // Size prefix plus body of the first buffered frame, once its prefix has arrived; else 0.
  size_t frame_bytes_ = 0;
  bool eof_ = false;
};

// FrameInput reads frames from a blocking descriptor, for a worker. It buffers, so the
// descriptor must not be read by anything else while it lives.
class FrameInput {
 public:
  explicit FrameInput(int fd) : input_(fd) {}

  // FrameInput::Read blocks until a whole frame has arrived and parses it into `message`,
  // replacing its contents: true on success, false at a clean end of stream; DataLoss if the
  // stream breaks inside a frame or the frame does not parse.
  absl::StatusOr<bool> Read(google::protobuf::MessageLite& message);

 private:
  google::protobuf::io::FileInputStream input_;
};

// EncodeFrame returns `message` with its size prefix. InvalidArgument if the message is too
// large for protobuf to serialize (2 GiB).
absl::StatusOr<std::string> EncodeFrame(const google::protobuf::MessageLite& message);

// How a write keeps a closed reader from killing the process with SIGPIPE.
enum class Sigpipe {
  // Block SIGPIPE on the calling thread around the write, and take the signal a failed
  // write raised: for the parent, whose signal dispositions belong to the program.
  kBlockAroundWrite,
  // The process ignores SIGPIPE already (a worker sets that once): two system calls
  // fewer per frame, which a small task's round trip notices.
  kIgnoredByProcess,
};

// WriteFrame writes `message` as one frame to the blocking descriptor `fd`. Unavailable if
// the reader has closed its end (EPIPE; no SIGPIPE is delivered) or write() fails.
absl::Status WriteFrame(int fd, const google::protobuf::MessageLite& message,
                        Sigpipe sigpipe = Sigpipe::kBlockAroundWrite);

// WriteAll writes all of `bytes` to `fd`, retrying short writes and EINTR, so that a closed
// reader gives EPIPE rather than SIGPIPE (see Sigpipe). Returns the errno of a failed
// write(), or 0.
int WriteAll(int fd, absl::string_view bytes, Sigpipe sigpipe = Sigpipe::kBlockAroundWrite);

}  // namespace parsweep

#endif  // PARSWEEP_EXECUTORS_PROCESS_FRAME_IO_H_
