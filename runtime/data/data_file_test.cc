#include "runtime/data/data_file.h"

#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/data/data_file_testing.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

// ReadAll reads `source` to its end in pieces of `piece` bytes.
std::string ReadAll(ByteSource& source, size_t piece = 7) {
  std::string all;
  std::string buffer(piece, '\0');
  for (;;) {
    absl::StatusOr<size_t> n = source.Read(buffer.data(), piece);
    EXPECT_TRUE(n.ok()) << n.status();
    if (!n.ok() || *n == 0) return all;
    all.append(buffer, 0, *n);
  }
}

TEST(DataFileTest, MissingFileIsNotFoundWithTheReason) {
  absl::StatusOr<std::unique_ptr<DataFile>> file = DataFile::Open("/nonexistent/x.csv");
  EXPECT_EQ(file.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(file.status().message(),
              HasSubstr("cannot open data file '/nonexistent/x.csv': No such file"));
}

TEST(DataFileTest, DirectoryIsInvalidArgument) {
  absl::StatusOr<std::unique_ptr<DataFile>> file = DataFile::Open(TestFilePath(""));
  EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(file.status().message(), HasSubstr("is a directory, not a file"));
}

TEST(DataFileTest, ARegularFileHasItsSizeAndReadsInPieces) {
  const std::string path = WriteTestFile("plain.txt", "0123456789abcdefghij");
  absl::StatusOr<std::unique_ptr<DataFile>> file = DataFile::Open(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_THAT((*file)->size(), Optional(20u));
  EXPECT_EQ((*file)->name(), path);
  EXPECT_EQ(ReadAll(**file), "0123456789abcdefghij");
}

TEST(DataFileTest, ASparseFileHasItsFullSizeWithoutReading) {
  const uint64_t size = uint64_t{64} << 30;
  absl::StatusOr<std::unique_ptr<DataFile>> file =
      DataFile::Open(WriteSparseTestFile("sparse.bin", "", size));
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_THAT((*file)->size(), Optional(size));
}

TEST(DataFileTest, DevicesProcFilesAndFifosHaveNoKnownSize) {
  absl::StatusOr<std::unique_ptr<DataFile>> zero = DataFile::Open("/dev/zero");
  ASSERT_TRUE(zero.ok()) << zero.status();
  EXPECT_EQ((*zero)->size(), std::nullopt);
  char buffer[100];
  ASSERT_EQ((*zero)->Read(buffer, sizeof buffer).value_or(0), sizeof buffer);
  EXPECT_EQ(buffer[99], '\0');

  // /proc files say they are empty regular files, yet have content.
  absl::StatusOr<std::unique_ptr<DataFile>> proc = DataFile::Open("/proc/sys/kernel/pid_max");
  ASSERT_TRUE(proc.ok()) << proc.status();
  EXPECT_EQ((*proc)->size(), std::nullopt);
  uint64_t pid_max = 0;
  EXPECT_TRUE(absl::SimpleAtoi(ReadAll(**proc), &pid_max));
  EXPECT_GT(pid_max, 0u);

  FifoFeeder fifo("data.fifo", std::string(100000, 'x'));
  absl::StatusOr<std::unique_ptr<DataFile>> stream = DataFile::Open(fifo.path());
  ASSERT_TRUE(stream.ok()) << stream.status();
  EXPECT_EQ((*stream)->size(), std::nullopt);
  EXPECT_EQ(ReadAll(**stream, 65536), std::string(100000, 'x'));
}

TEST(DataFileTest, AFailedReadIsDataLossWithTheReason) {
  // Reading /proc/self/mem at offset 0 (an unmapped address) fails with EIO.
  absl::StatusOr<std::unique_ptr<DataFile>> file = DataFile::Open("/proc/self/mem");
  ASSERT_TRUE(file.ok()) << file.status();
  char buffer[16];
  absl::StatusOr<size_t> n = (*file)->Read(buffer, sizeof buffer);
  EXPECT_EQ(n.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(n.status().message(),
              HasSubstr("error reading data file '/proc/self/mem': Input/output error"));
}

TEST(DataFileTest, MemorySourceReadsItsBytesWithOrWithoutASize) {
  MemorySource known("hello, world", "text");
  EXPECT_THAT(known.size(), Optional(12u));
  EXPECT_EQ(ReadAll(known, 5), "hello, world");
  MemorySource stream("hello, world", "text", /*size_known=*/false);
  EXPECT_EQ(stream.size(), std::nullopt);
  EXPECT_EQ(ReadAll(stream, 100), "hello, world");
  MemorySource empty("", "nothing");
  char buffer[4];
  EXPECT_EQ(empty.Read(buffer, sizeof buffer).value_or(1), 0u);
}

}  // namespace
}  // namespace parsweep
