#include "runtime/sweep/checkpoint_format.h"

#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/util/delimited_message_util.h"
#include "gtest/gtest.h"
#include "proto/checkpoint.pb.h"
#include "runtime/base/fingerprint.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

CheckpointHeader Header(uint64_t tasks) {
  CheckpointHeader header;
  header.set_kernel("parzen_hypercube");
  header.set_widths(12);
  header.set_samples_fingerprint(0x0123456789abcdefull);
  header.mutable_plan()->set_split(SPLIT_WIDTHS);
  header.mutable_plan()->set_tasks(tasks);
  header.mutable_plan()->set_chunk(1);
  header.mutable_plan()->set_points_per_task(1);
  return header;
}

// The partial of task `i`: some bytes of a size that varies, zeros included.
std::string Partial(uint64_t i) { return std::string(8 * (i + 1), static_cast<char>(i)); }

struct File {
  std::string bytes;
  std::vector<size_t> record_starts;  // Where each record begins.
};

// A header for 10 tasks and records for tasks `tasks`, in that order.
File MakeFile(const std::vector<uint64_t>& tasks) {
  File file{EncodeCheckpointHeader(Header(10)), {}};
  for (uint64_t task : tasks) {
    file.record_starts.push_back(file.bytes.size());
    file.bytes += EncodeCheckpointRecord(task, Partial(task));
  }
  return file;
}

void ExpectRecords(const CheckpointContents& contents, const std::vector<uint64_t>& tasks) {
  ASSERT_EQ(contents.records.size(), tasks.size());
  for (size_t i = 0; i < tasks.size(); ++i) {
    EXPECT_EQ(contents.records[i].task_index(), tasks[i]);
    EXPECT_EQ(contents.records[i].partial(), Partial(tasks[i]));
  }
}

TEST(CheckpointFormatTest, RoundTrip) {
  const File file = MakeFile({3, 0, 9, 4});
  absl::StatusOr<CheckpointContents> contents = ParseCheckpoint(file.bytes);
  ASSERT_TRUE(contents.ok()) << contents.status();
  EXPECT_EQ(contents->header.format(), kCheckpointFormat);
  EXPECT_EQ(contents->header.version(), kCheckpointVersion);
  EXPECT_EQ(contents->header.kernel(), "parzen_hypercube");
  EXPECT_EQ(contents->header.samples_fingerprint(), 0x0123456789abcdefull);
  EXPECT_EQ(contents->header.plan().tasks(), 10u);
  ExpectRecords(*contents, {3, 0, 9, 4});
  EXPECT_EQ(contents->intact_bytes, file.bytes.size());
  EXPECT_EQ(contents->torn_bytes, 0u);
}

TEST(CheckpointFormatTest, AHeaderAloneHasNoRecords) {
  const std::string bytes = EncodeCheckpointHeader(Header(10));
  absl::StatusOr<CheckpointContents> contents = ParseCheckpoint(bytes);
  ASSERT_TRUE(contents.ok()) << contents.status();
  EXPECT_TRUE(contents->records.empty());
  EXPECT_EQ(contents->intact_bytes, bytes.size());
}

// What other tools see: protobuf's own delimited reader reads each message, and its
// checksum field is the fingerprint of the bytes before it.
TEST(CheckpointFormatTest, MessagesAreProtobufDelimitedWithTheChecksumLast) {
  const File file = MakeFile({7});
  google::protobuf::io::CodedInputStream input(reinterpret_cast<const uint8_t*>(file.bytes.data()),
                                               static_cast<int>(file.bytes.size()));
  CheckpointHeader header;
  bool clean_eof = false;
  ASSERT_TRUE(google::protobuf::util::ParseDelimitedFromCodedStream(&header, &input, &clean_eof));
  EXPECT_EQ(header.kernel(), "parzen_hypercube");
  CheckpointRecord record;
  ASSERT_TRUE(google::protobuf::util::ParseDelimitedFromCodedStream(&record, &input, &clean_eof));
  EXPECT_EQ(record.task_index(), 7u);
  EXPECT_EQ(record.partial(), Partial(7));
  CheckpointRecord unsealed = record;
  unsealed.clear_checksum();
  EXPECT_EQ(record.checksum(), Fingerprint64(unsealed.SerializeAsString()));
  EXPECT_FALSE(google::protobuf::util::ParseDelimitedFromCodedStream(&record, &input, &clean_eof));
  EXPECT_TRUE(clean_eof);
}

TEST(CheckpointFormatTest, ALastRecordCutAtAnyByteIsDroppedAndTheOthersKept) {
  const File file = MakeFile({3, 0, 9});
  const size_t last = file.record_starts.back();
  for (size_t cut = last; cut < file.bytes.size(); ++cut) {
    SCOPED_TRACE(absl::StrCat("cut at byte ", cut, " of ", file.bytes.size()));
    absl::StatusOr<CheckpointContents> contents = ParseCheckpoint(file.bytes.substr(0, cut));
    ASSERT_TRUE(contents.ok()) << contents.status();
    ExpectRecords(*contents, {3, 0});
    EXPECT_EQ(contents->intact_bytes, last);
    EXPECT_EQ(contents->torn_bytes, cut - last);
  }
}

TEST(CheckpointFormatTest, AHeaderCutShortIsNotACheckpoint) {
  const std::string header = EncodeCheckpointHeader(Header(10));
  for (size_t cut = 0; cut < header.size(); ++cut) {
    SCOPED_TRACE(absl::StrCat("cut at byte ", cut));
    EXPECT_EQ(ParseCheckpoint(header.substr(0, cut)).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST(CheckpointFormatTest, AFlippedBitInALastRecordDropsIt) {
  const File file = MakeFile({3, 0, 9});
  const size_t last = file.record_starts.back();
  // Past the size varint (one byte here): the body and its checksum.
  for (size_t byte = last + 1; byte < file.bytes.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bytes = file.bytes;
      bytes[byte] ^= static_cast<char>(1 << bit);
      absl::StatusOr<CheckpointContents> contents = ParseCheckpoint(bytes);
      ASSERT_TRUE(contents.ok()) << "byte " << byte << " bit " << bit << ": " << contents.status();
      ExpectRecords(*contents, {3, 0});
      EXPECT_EQ(contents->intact_bytes, last);
    }
  }
}

TEST(CheckpointFormatTest, AFlippedBitBeforeTheLastRecordIsAnError) {
  const File file = MakeFile({3, 0, 9});
  // The bodies of the first two records (after their size varints).
  for (size_t record = 0; record < 2; ++record) {
    for (size_t byte = file.record_starts[record] + 1; byte < file.record_starts[record + 1];
         ++byte) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string bytes = file.bytes;
        bytes[byte] ^= static_cast<char>(1 << bit);
        const absl::Status status = ParseCheckpoint(bytes).status();
        EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << "byte " << byte << " bit " << bit;
        EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("record ", record + 1, " (at byte ",
                                                             file.record_starts[record], ")")));
      }
    }
  }
}

// Whatever bit is flipped, what comes back is never wrong: an error, or the records intact up
// to some point (a size varint damaged into one that runs past the end looks like a torn
// end: the rest is dropped and run again).
TEST(CheckpointFormatTest, NoFlippedBitIsEverMisread) {
  const std::vector<uint64_t> tasks = {3, 0, 9, 4};
  const File file = MakeFile(tasks);
  for (size_t byte = 0; byte < file.bytes.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bytes = file.bytes;
      bytes[byte] ^= static_cast<char>(1 << bit);
      absl::StatusOr<CheckpointContents> contents = ParseCheckpoint(bytes);
      if (!contents.ok()) continue;
      SCOPED_TRACE(absl::StrCat("byte ", byte, " bit ", bit));
      ASSERT_GE(byte, file.record_starts.front()) << "a damaged header was accepted";
      ASSERT_LT(contents->records.size(), tasks.size());
      ExpectRecords(*contents,
                    std::vector<uint64_t>(tasks.begin(), tasks.begin() + contents->records.size()));
    }
  }
}

TEST(CheckpointFormatTest, AZeroFilledTailIsDropped) {
  const File file = MakeFile({3, 0, 9});
  absl::StatusOr<CheckpointContents> contents =
      ParseCheckpoint(file.bytes + std::string(4096, '\0'));
  ASSERT_TRUE(contents.ok()) << contents.status();
  ExpectRecords(*contents, {3, 0, 9});
  EXPECT_EQ(contents->torn_bytes, 4096u);

  // The last record's second half zeroed, and zeros after it: what a power cut can leave
  // when the file's size reached the disk before its data.
  std::string bytes = file.bytes + std::string(100, '\0');
  const size_t last = file.record_starts.back();
  const size_t middle = (last + file.bytes.size()) / 2;
  std::fill(bytes.begin() + middle, bytes.end(), '\0');
  contents = ParseCheckpoint(bytes);
  ASSERT_TRUE(contents.ok()) << contents.status();
  ExpectRecords(*contents, {3, 0});
  EXPECT_EQ(contents->intact_bytes, last);
}

TEST(CheckpointFormatTest, ZerosFollowedByDataAreAnError) {
  const File file = MakeFile({3, 0, 9});
  std::string bytes = file.bytes;
  std::fill(bytes.begin() + file.record_starts[1], bytes.begin() + file.record_starts[2], '\0');
  EXPECT_EQ(ParseCheckpoint(bytes).status().code(), absl::StatusCode::kDataLoss);
}

TEST(CheckpointFormatTest, RefusesWhatIsNotACheckpoint) {
  for (const std::string& bytes :
       {std::string(), std::string("point,x1,x2,width\n0,0,0,0.1\n"), std::string(64, '\0'),
        std::string("\x93NUMPY\x01\x00", 8), std::string("\xff\xff\xff\xff\xff\xff", 6)}) {
    const absl::Status status = ParseCheckpoint(bytes).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bytes;
    EXPECT_THAT(status.message(), HasSubstr("not a parsweep checkpoint"));
  }
  // A delimited message of another kind.
  CheckpointRecord record;
  record.set_task_index(1);
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    ASSERT_TRUE(google::protobuf::util::SerializeDelimitedToZeroCopyStream(record, &stream));
  }
  EXPECT_EQ(ParseCheckpoint(bytes).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CheckpointFormatTest, RefusesAnotherVersion) {
  CheckpointHeader header = Header(10);
  header.set_format(kCheckpointFormat);
  header.set_version(kCheckpointVersion + 1);
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    ASSERT_TRUE(google::protobuf::util::SerializeDelimitedToZeroCopyStream(header, &stream));
  }
  const absl::Status status = ParseCheckpoint(bytes).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(),
              HasSubstr(absl::StrCat("format version ", kCheckpointVersion + 1,
                                     "; this build reads version ", kCheckpointVersion)));
}

TEST(CheckpointFormatTest, NoDamagedHeaderIsAccepted) {
  const std::string header = EncodeCheckpointHeader(Header(10));
  for (size_t byte = 0; byte < header.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bytes = header;
      bytes[byte] ^= static_cast<char>(1 << bit);
      EXPECT_FALSE(ParseCheckpoint(bytes).ok()) << "byte " << byte << " bit " << bit;
    }
  }
}

// A kernel name damaged into bytes that are not UTF-8 is a damaged header like any other, and
// nothing is printed: were the name a proto3 `string`, protobuf would refuse to parse the
// header (so the file would be "not a checkpoint") and log its own error on stderr.
TEST(CheckpointFormatTest, AKernelNameThatIsNoLongerUtf8IsADamagedHeader) {
  const std::string header = EncodeCheckpointHeader(Header(10));
  const std::string kernel = "parzen_hypercube";
  const size_t name = header.find(kernel);
  ASSERT_NE(name, std::string::npos);
  for (size_t byte = name; byte < name + kernel.size(); ++byte) {
    std::string bytes = header;
    bytes[byte] ^= '\x80';
    testing::internal::CaptureStderr();
    const absl::Status status = ParseCheckpoint(bytes).status();
    const std::string printed = testing::internal::GetCapturedStderr();
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << "byte " << byte << ": " << status;
    EXPECT_THAT(status.message(), HasSubstr("header is damaged"));
    EXPECT_EQ(printed, "") << "byte " << byte;
  }
  // Its format damaged so: not a checkpoint, and still nothing printed.
  const size_t format = header.find(kCheckpointFormat);
  ASSERT_NE(format, std::string::npos);
  for (size_t byte = format; byte < format + std::strlen(kCheckpointFormat); ++byte) {
    std::string bytes = header;
    bytes[byte] ^= '\x80';
    testing::internal::CaptureStderr();
    const absl::Status status = ParseCheckpoint(bytes).status();
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "") << "byte " << byte;
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument)
        << "byte " << byte << ": " << status;
  }
}

TEST(CheckpointFormatTest, RefusesRecordsOutsideThePlanOrTwiceForATask) {
  std::string bytes = EncodeCheckpointHeader(Header(10)) + EncodeCheckpointRecord(10, "x");
  absl::Status status = ParseCheckpoint(bytes).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("is for task 10 of a plan of 10 tasks"));

  bytes = MakeFile({3, 0, 3}).bytes;
  status = ParseCheckpoint(bytes).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("records 1 and 3 are both for task 3"));
}

}  // namespace
}  // namespace parsweep
