// End-to-end tests of --select and its leave-one-out flags (--loo_points, --loo_seed): the
// real //tools:sweep binary, its table and its JSON as a user sees them.
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "proto/sweep.pb.h"
#include "tests/sweep_tool_process.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

std::string WriteFile(const std::string& name, const std::string& contents) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name);
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

// The tool's report for `args` (with --format=json), parsed back into its message.
Report JsonReport(std::vector<std::string> args) {
  args.push_back("--format=json");
  const ToolOutcome outcome = RunSweepTool(args);
  EXPECT_TRUE(ExitedWith(outcome, 0)) << Describe(outcome);
  Report report;
  const auto parsed = google::protobuf::util::JsonStringToMessage(outcome.out, &report);
  EXPECT_TRUE(parsed.ok()) << parsed.ToString();
  return report;
}

// The report's selection by `method`; fails the test if there is none.
Selection SelectionBy(const Report& report, const std::string& method) {
  for (const Selection& s : report.selections()) {
    if (s.method() == method) return s;
  }
  ADD_FAILURE() << "no selection by " << method;
  return Selection();
}

void ExpectFailure(const std::vector<std::string>& args, const std::string& message) {
  const ToolOutcome outcome = RunSweepTool(args);
  EXPECT_TRUE(ExitedWith(outcome, 1)) << Describe(outcome);
  EXPECT_EQ(outcome.err, absl::StrCat("sweep: error: ", message, "\n"));
  EXPECT_EQ(outcome.out, "");
}

// Each rule's own width beside the sweep's nearest, and the Gaussian bandwidth it came
// from: in 2-D the hypercube's width is (144 (2 sqrt(pi))^2)^(1/6) = 3.4998 bandwidths.
TEST(SweepSelectTest, RulesShowTheirOwnWidthBesideTheNearestOfTheSweep) {
  const std::vector<std::string> args = {"--select=scott,silverman,nrd0", "--widths=0.1:3:30"};
  const ToolOutcome table = RunSweepTool(args);
  ASSERT_TRUE(ExitedWith(table, 0)) << Describe(table);
  const Report report = JsonReport(args);
  for (const char* method : {"scott", "silverman", "nrd0"}) {
    SCOPED_TRACE(method);
    const Selection s = SelectionBy(report, method);
    EXPECT_NEAR(s.rule_width() / s.gaussian_bandwidth(), std::pow(576 * M_PI, 1.0 / 6), 1e-12);
    EXPECT_NEAR(s.width(), s.rule_width(), 0.05 + 1e-12);  // Widths 0.1 apart.
    EXPECT_THAT(table.out, HasSubstr(absl::StrFormat(
                               "selected by %s: h = %.1f (the sweep's width nearest "
                               "the rule's %.6g, this kernel's equivalent of the "
                               "Gaussian bandwidth %.6g)",
                               method, s.width(), s.rule_width(), s.gaussian_bandwidth())));
  }
}

// Every sample held out by default; the table gives the score, its standard error and n.
TEST(SweepSelectTest, LooCvHoldsOutEverySampleAndReportsTheStandardError) {
  const std::vector<std::string> args = {"--select=loo_cv", "--n=3000", "--widths=0.1:3:30"};
  const Selection s = SelectionBy(JsonReport(args), "loo_cv");
  EXPECT_EQ(s.held_out(), 3000u);
  EXPECT_FALSE(s.has_loo_seed());
  EXPECT_GT(s.standard_error(), 0);
  EXPECT_EQ(s.width_scores_size(), 30);
  EXPECT_EQ(s.isolated_meaning(), "have no other sample in their window");
  const ToolOutcome table = RunSweepTool(args);
  ASSERT_TRUE(ExitedWith(table, 0)) << Describe(table);
  EXPECT_THAT(table.out, HasSubstr(absl::StrFormat(
                             "selected by loo_cv: h = %.1f (mean leave-one-out log-likelihood "
                             "%.6g, standard error %.2g, over all 3000 samples)",
                             s.width(), s.score(), s.standard_error())));
}

// --loo_points=K: K samples, the same for the same seed, others for another seed.
TEST(SweepSelectTest, LooPointsHoldsOutKSamplesReproduciblyForASeed) {
  const std::vector<std::string> args = {"--select=loo_cv", "--widths=0.1:3:30",
                                         "--loo_points=400"};
  const Selection first = SelectionBy(JsonReport(args), "loo_cv");
  EXPECT_EQ(first.held_out(), 400u);
  EXPECT_EQ(first.loo_seed(), 1u);  // The default seed.
  EXPECT_GT(first.standard_error(), 0);
  const Selection again = SelectionBy(JsonReport(args), "loo_cv");
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  std::vector<std::string> seeded = args;
  seeded.push_back("--loo_seed=1");
  EXPECT_EQ(SelectionBy(JsonReport(seeded), "loo_cv").SerializeAsString(),
            first.SerializeAsString());
  seeded.back() = "--loo_seed=2";
  const Selection other = SelectionBy(JsonReport(seeded), "loo_cv");
  EXPECT_EQ(other.loo_seed(), 2u);
  EXPECT_NE(other.score(), first.score());

  const ToolOutcome table = RunSweepTool(seeded);
  ASSERT_TRUE(ExitedWith(table, 0)) << Describe(table);
  EXPECT_THAT(table.out, HasSubstr(absl::StrFormat(
                             "standard error %.2g, over 400 of the 10000 samples, drawn with "
                             "--loo_seed=2)",
                             other.standard_error())));
}

// Samples 0, 0.1, ..., 1 and one at 40: the outlier is alone in its window at every
// width below 78, and the narrowest widths leave every sample alone.
std::string OutlierData() {
  std::string csv;
  for (int i = 0; i <= 10; ++i) absl::StrAppend(&csv, 0.1 * i, "\n");
  return WriteFile("outlier.csv", csv + "40\n");
}

TEST(SweepSelectTest, LooCvSaysHowManySamplesAreAloneAtEachWidth) {
  const std::string data = OutlierData();
  const ToolOutcome table =
      RunSweepTool({"--data=" + data, "--point=0", "--widths=0.01,0.25,0.5,80", "--select=loo_cv"});
  ASSERT_TRUE(ExitedWith(table, 0)) << Describe(table);
  EXPECT_THAT(table.out, HasSubstr("selected by loo_cv: h = 80.0 "));
  EXPECT_THAT(table.out, HasSubstr("\n  score -infinity at 3 widths: h = 0.01 (12 of the 12 "
                                   "held-out samples have no other sample in their window), "
                                   "h = 0.25 (1), h = 0.5 (1)\n"));
  ExpectFailure({"--data=" + data, "--point=0", "--widths=0.01,0.25,0.5", "--select=loo_cv"},
                "leave-one-out cross-validation: every width scores -infinity; at the widest, "
                "h = 0.5, 1 of the 12 held-out samples have no other sample in their window; "
                "add wider widths");
}

TEST(SweepSelectTest, RefusesLooFlagsThatCannotApply) {
  ExpectFailure({"--select=loo_cv", "--loo_points=1"},
                "--loo_points=1: leave-one-out cross-validation needs at least 2 held-out samples");
  ExpectFailure({"--select=loo_cv", "--loo_points=0"},
                "--loo_points=0: leave-one-out cross-validation needs at least 2 held-out samples");
  ExpectFailure({"--select=loo_cv", "--n=100", "--loo_points=101"},
                "--loo_points=101: there are only 100 samples (--loo_points=100, or no "
                "--loo_points, holds out every one)");
  ExpectFailure({"--select=scott", "--loo_points=10"},
                "--loo_points sets which samples --select=loo_cv holds out; add loo_cv to "
                "--select");
  ExpectFailure({"--loo_seed=3"},
                "--loo_seed sets which samples --select=loo_cv holds out; add loo_cv to --select");
  ExpectFailure({"--select=loo_cv", "--loo_seed=3"},
                "--loo_seed seeds the draw of --loo_points samples; without --loo_points every "
                "sample is held out");
  ExpectFailure({"--select=aic"}, "--select='aic': known methods: scott, silverman, nrd0, loo_cv");
}

}  // namespace
}  // namespace parsweep
