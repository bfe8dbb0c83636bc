#include "tools/flag_checks.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

ABSL_FLAG(std::optional<std::string>, widths, std::nullopt, "an optional string");
ABSL_FLAG(std::string, plot, "", "a string");
ABSL_FLAG(int, repeat, 5, "a number");
ABSL_FLAG(bool, list, false, "a boolean");

namespace parsweep {
namespace {

using ::testing::ElementsAre;

absl::Status Check(std::vector<std::string> args) {
  args.insert(args.begin(), "sweep");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  return CheckCommandLine(static_cast<int>(argv.size()), argv.data());
}

TEST(CheckCommandLineTest, AcceptsValuesInEitherFormAndBooleans) {
  EXPECT_TRUE(Check({}).ok());
  EXPECT_TRUE(Check({"--widths=0.1", "--plot", "x.svg", "-repeat=3", "--list"}).ok());
  EXPECT_TRUE(Check({"--nolist", "--repeat", "-1"}).ok());
  // Unknown flags and positional arguments are Abseil's to report; after "--" all is
  // positional.
  EXPECT_TRUE(Check({"--unknown=", "extra", "--", "--plot="}).ok());
}

TEST(CheckCommandLineTest, AnEmptyValueIsAnErrorNamingTheFlag) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--widths="}, {"-widths="}, {"--widths", ""}, {"--plot=  "}, {"--list", "--repeat="}}) {
    const absl::Status status = Check(args);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << args[0];
    EXPECT_THAT(std::string(status.message()),
                ::testing::MatchesRegex("--(widths|plot|repeat) has an empty value; give a value, "
                                        "or leave the flag out for its default"));
  }
}

TEST(CheckCommandLineTest, AFlagGivenTwiceIsAnError) {
  EXPECT_EQ(Check({"--repeat=5", "--widths=1", "--repeat", "6"}).message(),
            "--repeat is given twice (--repeat=5 and --repeat); give it once");
  EXPECT_EQ(Check({"--list", "--nolist"}).message(),
            "--list is given twice (--list and --nolist); give it once");
}

TEST(SplitFlagListTest, EntriesStrippedAndChecked) {
  EXPECT_THAT(*SplitFlagList("--select", " scott, loo_cv "), ElementsAre("scott", "loo_cv"));
  EXPECT_EQ(SplitFlagList("--select", " ").status().message(), "--select is an empty list");
  EXPECT_EQ(SplitFlagList("--select", "scott,,loo_cv").status().message(),
            "--select='scott,,loo_cv': entry 2 is empty");
  EXPECT_EQ(SplitFlagList("--compare", "serial,").status().message(),
            "--compare='serial,': entry 2 is empty");
  EXPECT_EQ(SplitFlagList("--select", "scott, scott").status().message(),
            "--select='scott, scott' lists 'scott' twice");
}

}  // namespace
}  // namespace parsweep
