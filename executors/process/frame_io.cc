#include "executors/process/frame_io.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/delimited_message_util.h"
#include "runtime/base/fd_io.h"
#include "runtime/base/status_macros.h"

namespace parsweep {
namespace {

using ::google::protobuf::io::CodedInputStream;

// A varint may take up to 10 bytes; protobuf writes a 32-bit size in at most 5.
constexpr size_t kMaxVarintBytes = 10;
constexpr int kMaxVarint32Bytes = 5;

// Reads are capped so that a frame that claims to be large but is not grows the buffer only
// as its bytes really arrive. A default pipe holds 64 KiB.
constexpr size_t kReadChunk = 64 * 1024;

const uint8_t* Bytes(const std::string& buffer) {
  return reinterpret_cast<const uint8_t*>(buffer.data());
}

}  // namespace

FrameReader::FrameReader(size_t max_frame_bytes)
    : max_frame_bytes_(std::clamp<size_t>(max_frame_bytes, 1, kMaxFrameLimit)) {}

void FrameReader::Append(absl::string_view bytes) { buffer_.append(bytes.data(), bytes.size()); }

absl::StatusOr<bool> FrameReader::Parse(google::protobuf::MessageLite& message) {
  if (frame_bytes_ == 0) {
    if (buffer_.empty()) return false;
    CodedInputStream prefix(Bytes(buffer_),
                            static_cast<int>(std::min(buffer_.size(), kMaxVarintBytes)));
    // Read as 64 bits: ReadVarint32 would drop the bits of a 5-byte varint above 32 and take
    // a corrupt size (2^32, say) for a small one (0).
    uint64_t size = 0;
    if (!prefix.ReadVarint64(&size)) {
      // With fewer than 10 bytes the varint may just be incomplete.
      if (buffer_.size() < kMaxVarintBytes) return false;
      return absl::DataLossError("a frame's size prefix is not a varint");
    }
    // A size that takes more than 5 bytes is no size protobuf wrote.
    if (prefix.CurrentPosition() > kMaxVarint32Bytes) {
      return absl::DataLossError(absl::StrCat("a frame's size prefix takes ",
                                              prefix.CurrentPosition(), " bytes, more than 5"));
    }
    if (size > max_frame_bytes_) {
      return absl::DataLossError(absl::StrCat("a frame declares ", size,
                                              " bytes, more than the limit of ", max_frame_bytes_,
                                              " (max_frame_bytes)"));
    }
    frame_bytes_ = static_cast<size_t>(prefix.CurrentPosition()) + size;
  }
  if (buffer_.size() < frame_bytes_) return false;

  message.Clear();  // Parsing merges into what the message holds.
  CodedInputStream input(Bytes(buffer_), static_cast<int>(frame_bytes_));
  bool clean_eof = false;
  if (!google::protobuf::util::ParseDelimitedFromCodedStream(&message, &input, &clean_eof) ||
      static_cast<size_t>(input.CurrentPosition()) != frame_bytes_) {
    return absl::DataLossError(absl::StrCat("a frame of ", frame_bytes_,
                                            " bytes does not parse as ", message.GetTypeName()));
  }
  buffer_.erase(0, frame_bytes_);
  frame_bytes_ = 0;
  return true;
}

absl::Status FrameReader::Finish() const {
  if (buffer_.empty()) return absl::OkStatus();
  return absl::DataLossError(
      absl::StrCat("the stream ended inside a frame, after ", buffer_.size(), " of ",
                   frame_bytes_ == 0 ? std::string("its") : absl::StrCat(frame_bytes_), " bytes"));
}

absl::StatusOr<FrameReader::Result> FrameReader::ReadFrom(int fd,
                                                          google::protobuf::MessageLite& message) {
  for (;;) {
    ASSIGN_OR_RETURN(const bool parsed, Parse(message));
    if (parsed) return Result::kFrame;
    if (eof_) {
      RETURN_IF_ERROR(Finish());
      return Result::kEof;
    }
    // Read no further than the end of the current frame (or its longest possible prefix).
    const size_t wanted =
        frame_bytes_ != 0 ? frame_bytes_ - buffer_.size() : kMaxVarintBytes - buffer_.size();
    const size_t old_size = buffer_.size();
    buffer_.resize(old_size + std::min(wanted, kReadChunk));
    ssize_t n;
    do {
      n = read(fd, &buffer_[old_size], buffer_.size() - old_size);
    } while (n < 0 && errno == EINTR);
    const int read_errno = errno;
    buffer_.resize(old_size + static_cast<size_t>(std::max<ssize_t>(n, 0)));
    if (n == 0) eof_ = true;
    if (n < 0) {
      if (read_errno == EAGAIN || read_errno == EWOULDBLOCK) return Result::kNeedMore;
      return absl::UnavailableError(absl::StrCat("read() failed: ", std::strerror(read_errno)));
    }
  }
}

absl::StatusOr<bool> FrameInput::Read(google::protobuf::MessageLite& message) {
  message.Clear();
  bool clean_eof = false;
  if (google::protobuf::util::ParseDelimitedFromZeroCopyStream(&message, &input_, &clean_eof)) {
    return true;
  }
  if (clean_eof) return false;
  if (input_.GetErrno() != 0) {
    return absl::DataLossError(
        absl::StrCat("read() failed inside a frame: ", std::strerror(input_.GetErrno())));
  }
  return absl::DataLossError(
      absl::StrCat("a frame is truncated or does not parse as ", message.GetTypeName()));
}

absl::StatusOr<std::string> EncodeFrame(const google::protobuf::MessageLite& message) {
  std::string frame;
  google::protobuf::io::StringOutputStream stream(&frame);
  if (!google::protobuf::util::SerializeDelimitedToZeroCopyStream(message, &stream)) {
    return absl::InvalidArgumentError(absl::StrCat("a ", message.GetTypeName(), " of ",
                                                   message.ByteSizeLong(),
                                                   " bytes is too large for one frame"));
  }
  return frame;
}

int WriteAll(int fd, absl::string_view bytes, Sigpipe sigpipe_handling) {
  if (sigpipe_handling == Sigpipe::kIgnoredByProcess)
    return WriteFully(fd, bytes.data(), bytes.size());
  return WriteFullyTakingSignal(fd, bytes.data(), bytes.size(), SIGPIPE);
}

absl::Status WriteFrame(int fd, const google::protobuf::MessageLite& message, Sigpipe sigpipe) {
  ASSIGN_OR_RETURN(const std::string frame, EncodeFrame(message));
  const int error = WriteAll(fd, frame, sigpipe);
  if (error == EPIPE) return absl::UnavailableError("the reader has closed the pipe");
  if (error != 0) {
    return absl::UnavailableError(absl::StrCat("write() failed: ", std::strerror(error)));
  }
  return absl::OkStatus();
}

}  // namespace parsweep
