#include "runtime/data/csv_reader.h"

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

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

}  // namespace
}  // namespace parsweep
