#include "runtime/data/csv_reader.h"

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/data/data_file_testing.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

TEST(CsvReaderTest, ReadsRowsIntoAContiguousMatrix) {
  absl::StatusOr<Matrix> m = ParseCsvMatrix("1,2\n3.5, -4e-1\n\n5,6\n", "test.csv");
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->rows(), 3u);
  ASSERT_EQ(m->cols(), 2u);
  EXPECT_THAT(std::vector<double>(m->data(), m->data() + 6),
              testing::ElementsAre(1, 2, 3.5, -0.4, 5, 6));
}

TEST(CsvReaderTest, SaysTheLargestMagnitudeItRead) {
  MemorySource source("1,2\n-7.5,3\n", "test.csv");
  double largest = -1;
  absl::StatusOr<Matrix> m = ReadCsvMatrix(source, &largest);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(largest, 7.5);
}

TEST(CsvReaderTest, SkipsAHeaderOfNamesAndAcceptsCrlf) {
  absl::StatusOr<Matrix> m = ParseCsvMatrix("x,y\r\n1,2\r\n3,4\r\n", "test.csv");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->rows(), 2u);
  EXPECT_EQ((*m)(1, 1), 4.0);
}

TEST(CsvReaderTest, ReportsEachKindOfBadFileWithItsLine) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"", "no rows"},
      {"\n\n", "no rows"},
      {"x,y\n", "no rows"},
      {"1,2\n3\n", "f.csv:2: ragged row: 1 fields, but line 1 has 2"},
      {"1,2\n3,4,5\n", "f.csv:2: ragged row"},
      {"1,2\n3,abc\n", "f.csv:2: field 2 is not a number: 'abc'"},
      {"1,2\n3,\n", "f.csv:2: field 2 is not a number: ''"},
      {"x,1\n", "f.csv:1: field 1 is not a number: 'x'"},
      {"1,nan\n", "f.csv:1: field 2 is not finite"},
      {"1,2\ninf,2\n", "f.csv:2: field 1 is not finite"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Matrix> m = ParseCsvMatrix(c.text, "f.csv");
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(m.status().message(), HasSubstr(c.message)) << c.text;
  }
}

TEST(CsvReaderTest, MissingFileIsNotFound) {
  absl::StatusOr<Matrix> m = ReadCsvMatrix("/nonexistent/samples.csv");
  EXPECT_EQ(m.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(m.status().message(), HasSubstr("/nonexistent/samples.csv"));
}

TEST(CsvReaderTest, DirectoryIsAClearError) {
  absl::StatusOr<Matrix> m = ReadCsvMatrix(testing::TempDir());
  EXPECT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("directory"));
}

TEST(CsvReaderTest, ReadsAFile) {
  const std::string path = testing::TempDir() + "/samples.csv";
  std::ofstream(path) << "a,b,c\n1,2,3\n4,5,6\n";
  absl::StatusOr<Matrix> m = ReadCsvMatrix(path);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->rows(), 2u);
  EXPECT_EQ(m->cols(), 3u);
}

void ExpectQuickError(const std::string& path, const std::string& message) {
  ExpectQuickReadError([](const std::string& p) { return ReadCsvMatrix(p).status(); }, path,
                       message);
}

TEST(CsvReaderTest, BinaryFilesAreRejectedAtTheirFirstBytes) {
  ExpectQuickError("/dev/zero", "/dev/zero:1: byte 0 of the file is a NUL: a binary file");
  // A random first line may end before its first control character and then be a header
  // or not a number; either way the reader stops within the first lines.
  ExpectQuickError("/dev/urandom", "/dev/urandom:");
  ExpectQuickError(WriteSparseTestFile("huge.csv", "", uint64_t{64} << 30),
                   "huge.csv:1: byte 0 of the file is a NUL");
  ExpectQuickError(WriteSparseTestFile("numbers_then_hole.csv", "1,2\n3,4\n", uint64_t{64} << 30),
                   "numbers_then_hole.csv:3: byte 8 of the file is a NUL");
}

TEST(CsvReaderTest, ALongLineWithoutANewlineIsRejectedAtTheLimit) {
  FifoFeeder endless("ones.csv", "", std::string(4096, '1'));
  ExpectQuickError(endless.path(), "line 1 is over 1 MiB long with no newline");
}

TEST(CsvReaderTest, StreamsAFifoAndEndsAnEndlessOne) {
  FifoFeeder small("small.csv", "x,y\n1,2\n3,4\n");
  absl::StatusOr<Matrix> m = ReadCsvMatrix(small.path());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_THAT(std::vector<double>(m->data(), m->data() + 4), testing::ElementsAre(1, 2, 3, 4));

  FifoFeeder zeros("zeros.csv", "1,2\n", std::string(65536, '\0'));
  ExpectQuickError(zeros.path(), "zeros.csv:2: byte 4 of the file is a NUL");
}

TEST(CsvReaderTest, ReadsAProcFileWhoseSizeIsZero) {
  absl::StatusOr<Matrix> m = ReadCsvMatrix("/proc/sys/kernel/pid_max");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->rows(), 1u);
  EXPECT_GT((*m)(0, 0), 0.0);
}

TEST(CsvReaderTest, AFailedReadIsDataLoss) {
  EXPECT_EQ(ReadCsvMatrix("/proc/self/mem").status().code(), absl::StatusCode::kDataLoss);
}

TEST(CsvReaderTest, LinesAcrossReadsGiveTheSameNumbers) {
  // 3 columns of distinct numbers over several 64 KiB reads, rows cut across them.
  std::string text = "a,b,c\r\n";
  std::vector<double> expected;
  for (int i = 0; i < 20000; ++i) {
    const double row[] = {i * 0.125, -i * 1e-7, 1e300 / (i + 1)};
    absl::StrAppend(&text, absl::StrFormat("%.17g, %.17g,%.17g", row[0], row[1], row[2]),
                    i % 7 == 0 ? "\n\n" : "\r\n");
    expected.insert(expected.end(), row, row + 3);
  }
  ASSERT_GT(text.size(), 4u * 65536);
  absl::StatusOr<Matrix> m = ReadCsvMatrix(WriteTestFile("many.csv", text));
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->rows(), 20000u);
  ASSERT_EQ(m->cols(), 3u);
  // %.17g reads back as the same double.
  EXPECT_EQ(std::vector<double>(m->data(), m->data() + expected.size()), expected);
}

}  // namespace
}  // namespace parsweep
