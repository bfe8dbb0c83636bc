#include "runtime/data/csv_parser.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Outcome is what parsing gave, comparable across ways of cutting the input.
struct Outcome {
  absl::Status status;
  size_t rows = 0;
  size_t cols = 0;
  std::vector<double> values;
  bool operator==(const Outcome& other) const {
    return status == other.status && rows == other.rows && cols == other.cols &&
           values == other.values;
  }
};

std::ostream& operator<<(std::ostream& out, const Outcome& outcome) {
  return out << outcome.status << " " << outcome.rows << "x" << outcome.cols;
}

// Parse feeds `pieces` in turn and finishes.
Outcome Parse(const std::vector<std::string>& pieces, CsvLimits limits = CsvLimits()) {
  CsvParser parser("f.csv", limits);
  Outcome outcome;
  for (const std::string& piece : pieces) {
    outcome.status = parser.Feed(piece);
    if (!outcome.status.ok()) return outcome;
  }
  absl::StatusOr<Matrix> m = parser.Finish();
  outcome.status = m.status();
  if (m.ok()) {
    outcome.rows = m->rows();
    outcome.cols = m->cols();
    outcome.values.assign(m->data(), m->data() + m->rows() * m->cols());
  }
  return outcome;
}

// Every way of cutting `text` in two, and byte by byte, gives what one piece gives.
void ExpectCutsAgree(const std::string& text, CsvLimits limits = CsvLimits()) {
  const Outcome whole = Parse({text}, limits);
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    EXPECT_EQ(Parse({text.substr(0, cut), text.substr(cut)}, limits), whole)
        << "cut at " << cut << " of '" << text << "'";
  }
  std::vector<std::string> bytes;
  for (char c : text) bytes.push_back(std::string(1, c));
  EXPECT_EQ(Parse(bytes, limits), whole) << "byte by byte: '" << text << "'";
}

TEST(CsvParserTest, HowTheBytesAreCutDoesNotMatter) {
  using namespace std::string_literals;  // "...\0..."s keeps its NULs.
  const CsvLimits small{16, 6};
  for (const std::string& text : {
           "x,y\r\n1,2\r\n\r\n3.5, -4e-1\n5,6"s,
           "1,2\n3\n"s,
           "1,2\n3,abc\n"s,
           "1,2\n3,4\0,5\n"s,
           "1,2\n123456789012345678,1\n"s,
           "1,2\n12345678901234\0\n"s,
           "1,2\n1234567890123456\0\n"s,
           "1,2\n3,4\n5,6\n7,8\n"s,
           "\x1b[31m"s,
           ""s,
       }) {
    ExpectCutsAgree(text, small);
    ExpectCutsAgree(text);
  }
}

TEST(CsvParserTest, ANulIsABinaryFileAtOnce) {
  CsvParser parser("zero.csv");
  const absl::Status status = parser.Feed(std::string(4096, '\0'));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("zero.csv:1: byte 0 of the file is a NUL: a binary file, not a CSV file "
                        "of numbers"));
  EXPECT_EQ(parser.Feed("1,2\n"), status) << "the error sticks";
  EXPECT_EQ(parser.Finish().status(), status);
}

TEST(CsvParserTest, OtherControlCharactersAreBinaryToo) {
  CsvParser parser("f.csv");
  EXPECT_TRUE(parser.Feed("1,2\n3,4\n").ok());
  EXPECT_THAT(parser.Feed("5,\x7f\x01").message(),
              HasSubstr("f.csv:3: byte 11 of the file is 0x01, a control character: a binary"));
  // Tabs, carriage returns, vertical tabs and form feeds are whitespace.
  EXPECT_EQ(Parse({"1,\t2\r\n\v3,4\f\n"}).values, std::vector<double>({1, 2, 3, 4}));
}

TEST(CsvParserTest, ALineOverTheLimitIsRejectedBeforeItsNewline) {
  CsvParser parser("long.csv");
  EXPECT_TRUE(parser.Feed("1,2\n").ok());
  EXPECT_TRUE(parser.Feed(std::string(kMaxCsvLineBytes, '1')).ok());
  const absl::Status status = parser.Feed("1");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("long.csv:2: line 2 is over 1 MiB long with no newline: not a CSV file "
                        "of numbers"));
  // A line of exactly the limit is fine.
  EXPECT_TRUE(Parse({"1,2\n", std::string(15, '3') + ",4\n"}, CsvLimits{17, 100}).status.ok());
  EXPECT_THAT(Parse({"1,2\n", std::string(16, '3') + ",4\n"}, CsvLimits{17, 100}).status.message(),
              HasSubstr("line 2 is over 17 bytes long"));
}

TEST(CsvParserTest, MoreValuesThanTheLimitIsAnError) {
  const Outcome outcome = Parse({"1,2\n3,4\n5,6\n"}, CsvLimits{100, 5});
  EXPECT_EQ(outcome.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(outcome.status.message(),
              HasSubstr("f.csv:3: more than 5 values, the most a dataset may hold"));
  EXPECT_EQ(Parse({"1,2\n3,4\n5,6\n"}, CsvLimits{100, 6}).values,
            std::vector<double>({1, 2, 3, 4, 5, 6}));
}

TEST(CsvParserTest, QuotesFieldsEscapedAndShort) {
  EXPECT_THAT(Parse({"1,2\n3,\x80\xff\n"}).status.message(),
              HasSubstr("f.csv:2: field 2 is not a number: '\\x80\\xff'"));
  EXPECT_THAT(Parse({"1," + std::string(50, 'a') + "\n"}).status.message(),
              HasSubstr("field 2 is not a number: '" + std::string(40, 'a') + "'... (50 bytes)"));
}

TEST(CsvParserTest, KeepsTheRowsInOrder) {
  const Outcome outcome = Parse({"a,b\n1,2\n", "3.5, -4e-1\n\n5", ",6"});
  ASSERT_TRUE(outcome.status.ok()) << outcome.status;
  EXPECT_EQ(outcome.rows, 3u);
  EXPECT_EQ(outcome.cols, 2u);
  EXPECT_THAT(outcome.values, ElementsAre(1, 2, 3.5, -0.4, 5, 6));
}

}  // namespace
}  // namespace parsweep
