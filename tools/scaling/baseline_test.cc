#include "tools/scaling/baseline.h"

#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tools/scaling/json.h"
#include "tools/scaling/study_testing.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

ScalingStudy Baseline() {
  ScalingStudy study;
  study.set_workload("kernel k, 100 widths");
  AddCell(study, "serial", 1, 1000, {1.00, 1.02, 0.98, 1.01, 0.99});
  AddCell(study, "threads", 2, 1000, {0.60, 0.61, 0.59, 0.62, 0.58});
  AddCell(study, "process", 2, 1000, {0.70, 0.71, 0.69, 0.72, 0.68});
  return study;
}

TEST(CompareWithBaselineTest, FlagsARegressionAndNotANoiseOnlyChange) {
  ScalingStudy now;
  now.set_workload("kernel k, 100 widths");
  // Serial: the same spread around the same median (noise only). threads:2: 30% slower.
  AddCell(now, "serial", 1, 1000, {1.01, 0.97, 1.03, 0.99, 1.00});
  AddCell(now, "threads", 2, 1000, {0.78, 0.80, 0.77, 0.79, 0.81});
  AddCell(now, "threads", 4, 1000, {0.5, 0.5});  // Not in the baseline.
  const absl::StatusOr<BaselineDiff> diff =
      CompareWithBaseline(Baseline(), now, BootstrapOptions());
  ASSERT_TRUE(diff.ok()) << diff.status();
  ASSERT_EQ(diff->changes.size(), 2u);
  EXPECT_EQ(diff->changes[0].cell.executor, "serial");
  EXPECT_EQ(diff->changes[0].verdict, Change::kNoSignificantChange);
  EXPECT_LE(diff->changes[0].ratio.lo, 1);
  EXPECT_GE(diff->changes[0].ratio.hi, 1);
  EXPECT_EQ(diff->changes[1].cell.executor, "threads");
  EXPECT_EQ(diff->changes[1].verdict, Change::kSlower);
  EXPECT_DOUBLE_EQ(diff->changes[1].ratio.value, 0.79 / 0.60);
  EXPECT_GT(diff->changes[1].ratio.lo, 1);
  ASSERT_EQ(diff->only_in_baseline.size(), 1u);
  EXPECT_EQ(diff->only_in_baseline[0].executor, "process");
  ASSERT_EQ(diff->only_in_study.size(), 1u);
  EXPECT_EQ(diff->only_in_study[0].workers, 4u);

  const std::string text = FormatBaselineDiff(*diff, "/tmp/old.json", BootstrapOptions());
  EXPECT_THAT(text, HasSubstr("Against the baseline /tmp/old.json"));
  EXPECT_THAT(text, ::testing::ContainsRegex("threads +2 +1,000 +600.000 +790.000  1.32x "
                                             "\\[1.2[0-9], 1.3[0-9]\\] +SLOWER \\(the interval "
                                             "excludes 1\\)"));
  EXPECT_THAT(text, ::testing::ContainsRegex("serial .* no significant change\n"));
  EXPECT_THAT(text, HasSubstr("1 of 2 cells slower (regressions), 0 faster, 1 no significant "
                              "change.\n"));
  EXPECT_THAT(text, HasSubstr("only in the baseline: process, 2 workers, 1,000 samples\n"));
  EXPECT_THAT(text, HasSubstr("only in this study: threads, 4 workers, 1,000 samples\n"));
}

TEST(CompareWithBaselineTest, AFasterCellIsSaidToBeFaster) {
  ScalingStudy now = Baseline();
  ScalingCell& threads = *now.mutable_cells(1);
  for (double& s : *threads.mutable_seconds()) s *= 0.5;
  const absl::StatusOr<BaselineDiff> diff =
      CompareWithBaseline(Baseline(), now, BootstrapOptions());
  ASSERT_TRUE(diff.ok());
  EXPECT_EQ(diff->changes[1].verdict, Change::kFaster);
  EXPECT_EQ(diff->changes[0].verdict, Change::kNoSignificantChange);  // Identical runs.
}

TEST(CompareWithBaselineTest, AnotherWorkloadIsRefused) {
  ScalingStudy now = Baseline();
  now.set_workload("kernel k, 12 widths");
  EXPECT_EQ(CompareWithBaseline(Baseline(), now, BootstrapOptions()).status().message(),
            "--baseline timed another workload, so its times cannot be compared: the baseline "
            "ran kernel k, 100 widths; this study runs kernel k, 12 widths");
}

TEST(StudyJsonTest, RoundTripsEveryFieldExactly) {
  ScalingStudy study = Baseline();
  study.mutable_cells(0)->add_seconds(0.1 + 0.2);  // Not the nearest double to 0.3.
  study.mutable_cells(0)->add_seconds(1.2345678901234567e-7);
  study.mutable_cells(1)->mutable_speedup()->set_lo(1.0 / 3);
  study.add_crossovers()->set_executor("threads");  // No size: none.
  Crossover& at = *study.add_crossovers();
  at.set_executor("process");
  at.set_size(18446744073709551615u);  // Beyond a double's integers.
  const absl::StatusOr<std::string> json = StudyToJson(study);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, HasSubstr("\"executor\": \"threads\""));
  const absl::StatusOr<ScalingStudy> back = StudyFromJson(*json, "study.json");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(study, *back))
      << back->DebugString();
  EXPECT_FALSE(back->crossovers(0).has_size());
}

TEST(StudyJsonTest, FilesThatAreNotStudiesAreRefusedByName) {
  const std::string dir = ::testing::TempDir();
  EXPECT_EQ(ReadStudyFile(dir + "/missing.json").status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(ReadStudyFile(dir + "/missing.json").status().message(), HasSubstr("missing.json"));
  const std::string text = dir + "/text.json";
  std::ofstream(text) << "not json";
  EXPECT_THAT(ReadStudyFile(text).status().message(),
              HasSubstr("text.json is not a scaling study's JSON (sweep --scaling_json)"));
  const std::string empty = dir + "/empty.json";
  std::ofstream(empty) << "{}";
  EXPECT_EQ(ReadStudyFile(empty).status().message(),
            empty + " holds a scaling study with no cells");
  const std::string good = dir + "/good.json";
  std::ofstream(good) << *StudyToJson(Baseline());
  const absl::StatusOr<ScalingStudy> read = ReadStudyFile(good);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->cells_size(), 3);
}

}  // namespace
}  // namespace parsweep
