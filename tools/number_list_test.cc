#include "tools/number_list.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(NumberListTest, ParsesCommaSeparatedNumbers) {
  absl::StatusOr<std::vector<double>> values = ParseNumberList(" 1, 2.5,-3e2", "--mean");
  ASSERT_TRUE(values.ok()) << values.status();
  EXPECT_THAT(*values, ElementsAre(1, 2.5, -300));
}

TEST(NumberListTest, RejectsEmptyNonNumericAndNonFiniteEntries) {
  EXPECT_THAT(ParseNumberList("", "--mean").status().message(), HasSubstr("--mean: empty list"));
  EXPECT_THAT(ParseNumberList("1,,2", "--mean").status().message(), HasSubstr("empty entry"));
  EXPECT_THAT(ParseNumberList("1,x", "--mean").status().message(),
              HasSubstr("'x' is not a number"));
  EXPECT_THAT(ParseNumberList("nan", "--mean").status().message(), HasSubstr("not finite"));
  EXPECT_THAT(ParseNumberList("-inf", "--mean").status().message(), HasSubstr("not finite"));
}

TEST(WidthsTest, ParsesAList) {
  absl::StatusOr<std::vector<double>> widths = ParseWidths("0.1,0.5,1");
  ASSERT_TRUE(widths.ok());
  EXPECT_THAT(*widths, ElementsAre(0.1, 0.5, 1));
}

TEST(WidthsTest, ParsesARangeLikeLinspace) {
  absl::StatusOr<std::vector<double>> widths = ParseWidths("1.0:1.2:100");
  ASSERT_TRUE(widths.ok()) << widths.status();
  ASSERT_EQ(widths->size(), 100u);
  EXPECT_EQ(widths->front(), 1.0);
  EXPECT_EQ(widths->back(), 1.2);
  EXPECT_NEAR((*widths)[50], 1.0 + 50 * 0.2 / 99, 1e-15);
  EXPECT_THAT(*ParseWidths("0.5:2:1"), ElementsAre(0.5));
}

TEST(WidthsTest, RejectsBadWidthsWithTheInput) {
  const char* const bad[] = {"0",   "-1",      "0.1,-0.2", "nan",   "inf",    "abc",    "",
                             "1:2", "1:2:3:4", "1:2:0",    "1:2:x", "1:2:-3", "-1:1:3", "1:2:1e99"};
  for (const char* text : bad) {
    absl::StatusOr<std::vector<double>> widths = ParseWidths(text);
    EXPECT_EQ(widths.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(widths.status().message(), HasSubstr("--widths")) << text;
  }
}

TEST(LinspaceTest, EndsExactlyAtStop) {
  const std::vector<double> v = Linspace(0.1, 1.2, 12);
  EXPECT_EQ(v.back(), 1.2);
  EXPECT_EQ(v.front(), 0.1);
}

}  // namespace
}  // namespace parsweep
