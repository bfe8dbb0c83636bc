#include "runtime/plugin/plugin_options.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

const OptionList& Declared() {
  static const OptionList* options = new OptionList{
      EnumOption("start_method", {"fork", "spawn"}, "fork", "how workers start"),
      IntOption("max_retries", 2, 0, 100, "re-runs of a lost batch"),
      BoolOption("verbose", false, "say more"),
      DurationOption("timeout", absl::Seconds(10), "how long a batch may take"),
      StringOption("label", "", "a name"),
  };
  return *options;
}

absl::StatusOr<PluginOptions> Parse(const std::map<std::string, std::string>& params) {
  return PluginOptions::Parse("executor", "process", Declared(), params);
}

TEST(PluginOptionsTest, DefaultsFillWhatIsNotGiven) {
  absl::StatusOr<PluginOptions> options = Parse({});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->String("start_method"), "fork");
  EXPECT_EQ(options->Int("max_retries"), 2);
  EXPECT_FALSE(options->Bool("verbose"));
  EXPECT_EQ(options->Duration("timeout"), absl::Seconds(10));
  EXPECT_EQ(options->String("label"), "");
}

TEST(PluginOptionsTest, GivenValuesAreParsedByType) {
  absl::StatusOr<PluginOptions> options = Parse({{"start_method", "spawn"},
                                                 {"max_retries", "100"},
                                                 {"verbose", "true"},
                                                 {"timeout", "250ms"},
                                                 {"label", "x y"}});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->String("start_method"), "spawn");
  EXPECT_EQ(options->Int("max_retries"), 100);
  EXPECT_TRUE(options->Bool("verbose"));
  EXPECT_EQ(options->Duration("timeout"), absl::Milliseconds(250));
  EXPECT_EQ(options->String("label"), "x y");
}

TEST(PluginOptionsTest, AnUnknownOptionNamesItAndWhatThePluginTakes) {
  const absl::Status status = Parse({{"retries", "1"}}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("executor 'process' has no parameter 'retries'; it takes: start_method, "
                        "max_retries, verbose, timeout, label"));
  EXPECT_THAT(
      PluginOptions::Parse("kernel", "k", {}, std::map<std::string, std::string>{{"x", "1"}})
          .status()
          .message(),
      HasSubstr("kernel 'k' has no parameter 'x'; it takes none"));
}

TEST(PluginOptionsTest, ABadValueSaysWhatTheOptionTakes) {
  const std::vector<std::pair<std::map<std::string, std::string>, std::string>> cases = {
      {{{"start_method", "vfork"}}, "parameter start_method must be fork or spawn, not 'vfork'"},
      {{{"max_retries", "-1"}}, "max_retries must be an integer from 0 to 100, not '-1'"},
      {{{"max_retries", "101"}}, "max_retries must be an integer from 0 to 100"},
      {{{"max_retries", "two"}}, "max_retries must be an integer"},
      {{{"max_retries", ""}}, "max_retries must be an integer"},
      {{{"verbose", "maybe"}}, "verbose must be true or false, not 'maybe'"},
      {{{"timeout", "10"}}, "timeout must be a duration such as 10s or 250ms, not '10'"},
      {{{"timeout", "-1s"}}, "timeout must be a duration"},
      {{{"timeout", "inf"}}, "timeout must be a duration"},
  };
  for (const auto& [params, expected] : cases) {
    const absl::Status status = Parse(params).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << expected;
    EXPECT_THAT(status.message(), HasSubstr(expected));
  }
}

TEST(PluginOptionsTest, DescribeShowsTheTypeTheDefaultAndTheHelp) {
  EXPECT_EQ(DescribeOption(Declared()[0]),
            "start_method=fork|spawn (default fork): how workers start");
  EXPECT_EQ(DescribeOption(Declared()[1]),
            "max_retries=0..100 (default 2): re-runs of a lost batch");
  EXPECT_EQ(DescribeOption(Declared()[3]),
            "timeout=DURATION (default 10s): how long a batch may take");
  EXPECT_EQ(DescribeOption(Declared()[4]), "label=TEXT (default empty): a name");
}

TEST(PluginOptionsDeathTest, ReadingAnUndeclaredOrMistypedOptionIsAProgrammingError) {
  absl::StatusOr<PluginOptions> options = Parse({});
  ASSERT_TRUE(options.ok());
  EXPECT_DEATH(options->Int("nope"), "option 'nope' is not declared");
  EXPECT_DEATH(options->Int("verbose"), "option 'verbose' is not an integer");
}

}  // namespace
}  // namespace parsweep
