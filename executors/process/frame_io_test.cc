#include "executors/process/frame_io.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/work.pb.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

constexpr size_t kLimit = 1 << 20;

FromWorker Result(uint64_t id, std::vector<std::string> responses) {
  FromWorker frame;
  frame.mutable_result()->set_id(id);
  for (std::string& response : responses) frame.mutable_result()->add_responses(response);
  return frame;
}

std::string Frame(const google::protobuf::MessageLite& message) {
  absl::StatusOr<std::string> frame = EncodeFrame(message);
  EXPECT_TRUE(frame.ok()) << frame.status();
  return frame.value_or("");
}

// A pipe whose read end is non-blocking, as the parent's reply pipes are.
class PipeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(pipe2(fds_, O_CLOEXEC), 0);
    ASSERT_EQ(fcntl(fds_[0], F_SETFL, O_NONBLOCK), 0);
  }
  void TearDown() override {
    CloseWriter();
    close(fds_[0]);
  }
  int reader() const { return fds_[0]; }
  int writer() const { return fds_[1]; }
  void Write(absl::string_view bytes) { ASSERT_EQ(WriteAll(writer(), bytes), 0); }
  void CloseWriter() {
    if (fds_[1] >= 0) close(fds_[1]);
    fds_[1] = -1;
  }
  // What a fresh FrameReader makes of the pipe's bytes.
  absl::Status ReadStatus() {
    FrameReader reader(kLimit);
    FromWorker got;
    return reader.ReadFrom(fds_[0], got).status();
  }

 private:
  int fds_[2] = {-1, -1};
};

TEST_F(PipeTest, FramesRoundTripThroughANonBlockingPipe) {
  const FromWorker first = Result(1, {"a", "bc"});
  const FromWorker second = Result(2, {std::string(100000, 'x')});  // Larger than a read.
  ASSERT_TRUE(WriteFrame(writer(), first).ok());
  FrameReader reader(kLimit);
  FromWorker got;
  ASSERT_EQ(reader.ReadFrom(this->reader(), got).value(), FrameReader::Result::kFrame);
  EXPECT_EQ(got.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(reader.ReadFrom(this->reader(), got).value(), FrameReader::Result::kNeedMore);

  // The second frame is larger than the pipe holds: write it in parts, reading between.
  const std::string frame = Frame(second);
  size_t written = 0;
  absl::StatusOr<FrameReader::Result> result;
  while (written < frame.size()) {
    const size_t part = std::min<size_t>(30000, frame.size() - written);
    Write(absl::string_view(frame).substr(written, part));
    written += part;
    result = reader.ReadFrom(this->reader(), got);
    ASSERT_TRUE(result.ok()) << result.status();
  }
  ASSERT_EQ(*result, FrameReader::Result::kFrame);
  EXPECT_EQ(got.result().responses(0).size(), 100000u);
  EXPECT_EQ(got.result().id(), 2u);

  CloseWriter();
  EXPECT_EQ(reader.ReadFrom(this->reader(), got).value(), FrameReader::Result::kEof);
}

TEST_F(PipeTest, FrameInputReadsWhatWriteFrameWrote) {
  ToWorker batch;
  batch.mutable_batch()->set_id(7);
  batch.mutable_batch()->add_items()->set_request("req");
  ASSERT_TRUE(WriteFrame(writer(), batch).ok());
  ASSERT_TRUE(WriteFrame(writer(), batch).ok());
  CloseWriter();
  ASSERT_EQ(fcntl(reader(), F_SETFL, 0), 0);  // A worker reads blocking.
  FrameInput input(reader());
  ToWorker got;
  EXPECT_TRUE(input.Read(got).value());
  EXPECT_EQ(got.batch().id(), 7u);
  EXPECT_TRUE(input.Read(got).value());  // Buffered bytes of the second frame survive.
  EXPECT_EQ(got.batch().items(0).request(), "req");
  EXPECT_FALSE(input.Read(got).value());  // Clean EOF.
}

TEST_F(PipeTest, FrameInputReportsATruncatedFrame) {
  const std::string frame = Frame(Result(1, {"abcdef"}));
  Write(frame.substr(0, frame.size() - 2));
  CloseWriter();
  ASSERT_EQ(fcntl(reader(), F_SETFL, 0), 0);
  FrameInput input(reader());
  FromWorker got;
  EXPECT_EQ(input.Read(got).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(PipeTest, EofInsideAFrameIsDataLoss) {
  const std::string frame = Frame(Result(1, {"abcdef"}));
  Write(frame.substr(0, frame.size() - 3));
  CloseWriter();
  const absl::Status status = ReadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("ended inside a frame"));
}

TEST_F(PipeTest, EofInsideASizePrefixIsDataLoss) {
  Write("\x80");
  CloseWriter();
  EXPECT_EQ(ReadStatus().code(), absl::StatusCode::kDataLoss);
}

TEST_F(PipeTest, GarbledBytesAreDataLoss) {
  Write(absl::string_view("\x03\x0f\x0f\x0f", 4));  // Wire type 7 does not exist.
  const absl::Status status = ReadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("does not parse as parsweep.FromWorker"));
}

TEST_F(PipeTest, OversizedPrefixIsRefusedBeforeItsBodyIsBuffered) {
  // A 2^31 size prefix, followed by more bytes than the limit allows.
  Write(absl::string_view("\x80\x80\x80\x80\x08", 5));
  Write(std::string(4096, 'y'));
  FrameReader reader(1024);
  FromWorker got;
  absl::StatusOr<FrameReader::Result> result = reader.ReadFrom(this->reader(), got);
  ASSERT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(result.status().message(), HasSubstr("2147483648"));
  EXPECT_THAT(result.status().message(), HasSubstr("max_frame_bytes"));
  EXPECT_LE(reader.buffered_bytes(), 10u);
}

TEST_F(PipeTest, FrameJustOverTheLimitIsRefused) {
  const FromWorker frame = Result(1, {std::string(100, 'z')});
  const size_t body = frame.ByteSizeLong();
  ASSERT_TRUE(WriteFrame(writer(), frame).ok());
  ASSERT_TRUE(WriteFrame(writer(), frame).ok());
  FromWorker got;
  FrameReader exact(body);
  EXPECT_EQ(exact.ReadFrom(reader(), got).value(), FrameReader::Result::kFrame);
  FrameReader short_by_one(body - 1);
  EXPECT_EQ(short_by_one.ReadFrom(reader(), got).status().code(), absl::StatusCode::kDataLoss);
}

TEST(FrameReaderTest, OverlongVarintPrefixIsDataLoss) {
  FromWorker got;
  FrameReader ten_bytes(kLimit);
  ten_bytes.Append(std::string(10, '\xff'));
  EXPECT_EQ(ten_bytes.Parse(got).status().code(), absl::StatusCode::kDataLoss);
  // Six bytes that ReadVarint32 would truncate to 1.
  FrameReader six_bytes(kLimit);
  six_bytes.Append(absl::string_view("\x81\x80\x80\x80\x80\x00", 6));
  EXPECT_EQ(six_bytes.Parse(got).status().code(), absl::StatusCode::kDataLoss);
  // Five bytes declaring 2^32, which ReadVarint32 would truncate to 0, an empty frame (found
  // by tests/fuzz/frame_reader_fuzz: corpus file crash-8a321ac9...).
  FrameReader five_bytes(kLimit);
  five_bytes.Append(absl::string_view("\x80\x80\x80\x80\x10", 5));
  const absl::StatusOr<bool> parsed = five_bytes.Parse(got);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kDataLoss)
      << "parsed: " << parsed.value_or(false);
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("declares 4294967296 bytes"));
}

TEST(FrameReaderTest, ByteByByteFeedCompletesOnlyAtTheLastByte) {
  const FromWorker frame = Result(3, {"hello", "world"});
  const std::string bytes = Frame(frame) + Frame(frame);
  FrameReader reader(kLimit);
  FromWorker got;
  int frames = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    reader.Append(bytes.substr(i, 1));
    const absl::StatusOr<bool> parsed = reader.Parse(got);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, i + 1 == bytes.size() / 2 || i + 1 == bytes.size()) << i;
    if (*parsed) {
      ++frames;
      EXPECT_EQ(got.SerializeAsString(), frame.SerializeAsString());
    }
  }
  EXPECT_EQ(frames, 2);
  EXPECT_TRUE(reader.Finish().ok());
}

TEST(FrameReaderTest, ParseReplacesTheMessage) {
  FrameReader reader(kLimit);
  reader.Append(Frame(Result(1, {"a"})));
  reader.Append(Frame(Result(2, {"b"})));
  FromWorker got;
  ASSERT_TRUE(reader.Parse(got).value());
  ASSERT_TRUE(reader.Parse(got).value());
  EXPECT_EQ(got.result().responses_size(), 1);  // Not merged with the first frame.
  EXPECT_EQ(got.result().id(), 2u);
}

TEST(WriteFrameTest, ClosedReaderIsUnavailableWithoutSigpipe) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  close(fds[0]);
  // With SIGPIPE's default action this process would die here.
  const absl::Status status = WriteFrame(fds[1], Result(1, {"x"}));
  close(fds[1]);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("closed"));
  sigset_t pending;
  sigpending(&pending);
  EXPECT_EQ(sigismember(&pending, SIGPIPE), 0) << "the SIGPIPE was left pending";
}

// Mutations of valid frames, truncations and random bytes go through the decoder as a
// stream, fed in random pieces: it must never crash, never buffer more than a frame may
// take, and either parse frames or stop with DataLoss. Unmutated frames must round-trip.
TEST(FrameReaderFuzzTest, MillionMutatedFramesNeverCrash) {
  std::mt19937_64 random(20240611);
  constexpr size_t kFuzzLimit = 512;
  std::vector<std::string> frames;
  std::vector<std::string> bodies;
  for (int i = 0; i < 64; ++i) {
    FromWorker message;
    if (i % 5 == 0) {
      message.mutable_ready()->set_code(i);
      message.mutable_ready()->set_message(std::string(i, 'm'));
    } else {
      message.mutable_result()->set_id(random());
      for (int r = 0; r < i % 4; ++r) {
        message.mutable_result()->add_responses(std::string(random() % 80, 'r'));
      }
      if (i % 3 == 0) message.mutable_result()->mutable_error()->set_message("bad");
      message.mutable_result()->set_compute_seconds(0.5);
    }
    bodies.push_back(message.SerializeAsString());
    frames.push_back(Frame(message));
  }

  int parsed_frames = 0;
  int errors = 0;
  FromWorker got;
  for (int iteration = 0; iteration < 1000000; ++iteration) {
    const size_t pick = random() % frames.size();
    std::string bytes = frames[pick];
    const int kind = static_cast<int>(random() % 6);
    switch (kind) {
      case 0:  // Unmutated.
        break;
      case 1:  // Flip a few bytes.
        for (int flips = 1 + random() % 3; flips > 0; --flips) {
          bytes[random() % bytes.size()] ^= static_cast<char>(1 + random() % 255);
        }
        break;
      case 2:  // Truncate.
        bytes.resize(random() % bytes.size());
        break;
      case 3:  // Random bytes.
        bytes.resize(random() % 24);
        for (char& c : bytes) c = static_cast<char>(random());
        break;
      case 4:  // Another frame glued on, then a byte dropped somewhere.
        bytes += frames[random() % frames.size()];
        bytes.erase(random() % bytes.size(), 1);
        break;
      case 5:  // A prefix that declares a random size.
        bytes[0] = static_cast<char>(0x80 | random());
        bytes.insert(1, 1, static_cast<char>(random() % 128));
        break;
    }

    FrameReader reader(kFuzzLimit);
    size_t fed = 0;
    bool failed = false;
    int frames_here = 0;
    while (fed < bytes.size() && !failed) {
      const size_t piece = std::min<size_t>(1 + random() % 16, bytes.size() - fed);
      reader.Append(absl::string_view(bytes).substr(fed, piece));
      fed += piece;
      for (;;) {
        const absl::StatusOr<bool> parsed = reader.Parse(got);
        if (!parsed.ok()) {
          ASSERT_EQ(parsed.status().code(), absl::StatusCode::kDataLoss) << parsed.status();
          failed = true;
          break;
        }
        if (!*parsed) break;
        ++frames_here;
      }
      ASSERT_LE(reader.buffered_bytes(), kFuzzLimit + 5 + 16);
    }
    if (!failed && !reader.Finish().ok()) failed = true;
    if (kind == 0) {
      ASSERT_FALSE(failed) << "iteration " << iteration;
      ASSERT_EQ(frames_here, 1);
      ASSERT_EQ(got.SerializeAsString(), bodies[pick]);
    }
    parsed_frames += frames_here;
    errors += failed ? 1 : 0;
  }
  // Both outcomes must have been exercised.
  EXPECT_GT(parsed_frames, 100000);
  EXPECT_GT(errors, 100000);
}

}  // namespace
}  // namespace parsweep
