#include "tools/compare.h"

#include <cfloat>
#include <cmath>
#include <limits>
#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

ExecutorSpec Base() {
  ExecutorSpec base;
  base.set_split(SPLIT_SAMPLES);
  base.set_chunk(100);
  return base;
}

TEST(ParseExecutorListTest, ParsesNamesWorkersAndStartMethodsWithSerialFirst) {
  absl::StatusOr<std::vector<ExecutorChoice>> choices =
      ParseExecutorList("threads:2,process:4:spawn,serial,process:3", Base(), "");
  ASSERT_TRUE(choices.ok()) << choices.status();
  ASSERT_EQ(choices->size(), 4u);
  EXPECT_EQ((*choices)[0].label, "serial");
  EXPECT_EQ((*choices)[1].label, "threads:2");
  EXPECT_EQ((*choices)[1].spec.workers(), 2u);
  EXPECT_EQ((*choices)[2].spec.params().at("start_method"), "spawn");
  EXPECT_EQ((*choices)[3].spec.name(), "process");
  EXPECT_EQ((*choices)[3].spec.split(), SPLIT_SAMPLES);
  EXPECT_EQ((*choices)[3].spec.chunk(), 100u);
}

TEST(ParseExecutorListTest, AddsSerialWhenMissingAndAppliesTheDefaultStartMethod) {
  absl::StatusOr<std::vector<ExecutorChoice>> choices =
      ParseExecutorList("process:2", Base(), "spawn");
  ASSERT_TRUE(choices.ok());
  ASSERT_EQ(choices->size(), 2u);
  EXPECT_EQ((*choices)[0].label, "serial");
  EXPECT_EQ((*choices)[1].label, "process:2:spawn");
  EXPECT_FALSE((*choices)[0].spec.params().contains("start_method"));
}

TEST(ParseExecutorListTest, RejectsMalformedEntries) {
  for (const char* bad : {"process:0", "process:x", "process:2:fork:9", ":2"}) {
    EXPECT_EQ(ParseExecutorList(bad, Base(), "").status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(ParseExecutorListTest, RejectsEmptyAndRepeatedEntries) {
  EXPECT_EQ(ParseExecutorList("serial,,threads:2", Base(), "").status().message(),
            "--compare='serial,,threads:2': entry 2 is empty");
  EXPECT_EQ(ParseExecutorList(",", Base(), "").status().message(),
            "--compare=',': entry 1 is empty");
  EXPECT_EQ(ParseExecutorList("process:2,process:2", Base(), "").status().message(),
            "--compare='process:2,process:2' lists 'process:2' twice");
  EXPECT_EQ(ParseExecutorList("serial,threads:2,serial", Base(), "").status().message(),
            "--compare='serial,threads:2,serial' lists 'serial' twice");
}

TEST(ParseExecutorListTest, AShortFormNoEntryTakesIsAnError) {
  ExecutorSpec base = Base();
  (*base.mutable_params())["max_retries"] = "1";
  EXPECT_EQ(ParseExecutorList("serial,threads:2", base, "").status().message(),
            "--max_retries applies to none of the executors of --compare='serial,threads:2'");
  absl::StatusOr<std::vector<ExecutorChoice>> choices =
      ParseExecutorList("threads:2,process:2", base, "");
  ASSERT_TRUE(choices.ok()) << choices.status();
  EXPECT_EQ((*choices)[2].spec.params().at("max_retries"), "1");
}

TEST(CheckRepeatTest, FromOneToTheMaximum) {
  EXPECT_TRUE(CheckRepeat(1).ok());
  EXPECT_TRUE(CheckRepeat(kMaxRepeat).ok());
  EXPECT_EQ(CheckRepeat(0).message(), "--repeat=0: must be from 1 to 1000");
  EXPECT_EQ(CheckRepeat(-3).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckRepeat(kMaxRepeat + 1).code(), absl::StatusCode::kInvalidArgument);
}

Report CountReport(std::vector<double> counts) {
  Report report;
  report.set_samples(100);
  for (size_t i = 0; i < counts.size(); ++i) {
    WidthResult& r = *report.add_results();
    r.set_width(0.1 * (i + 1));
    r.set_count(counts[i]);
    r.set_density(counts[i]);
  }
  return report;
}

TEST(AgreementTest, CountsMustBeIdentical) {
  bool agrees;
  EXPECT_EQ(AgreementWith(CountReport({1, 2, 3}), CountReport({1, 2, 3}), &agrees), "identical");
  EXPECT_TRUE(agrees);
  EXPECT_THAT(AgreementWith(CountReport({1, 2, 3}), CountReport({1, 2, 4}), &agrees),
              HasSubstr("DIFFERENT: count 4"));
  EXPECT_FALSE(agrees);
  EXPECT_THAT(AgreementWith(CountReport({1, 2, 3}), CountReport({1, 2}), &agrees),
              HasSubstr("DIFFERENT"));
  EXPECT_FALSE(agrees);
}

TEST(AgreementTest, SumsMayDifferByTheRoundingOfAReorderedSum) {
  Report a, b, c;
  for (Report* r : {&a, &b, &c}) {
    r->set_samples(1000);
    r->add_results()->set_width(1.0);
  }
  a.mutable_results(0)->set_density(0.5);
  b.mutable_results(0)->set_density(0.5 * (1 + 100 * DBL_EPSILON));
  c.mutable_results(0)->set_density(0.5 * (1 + 1e-9));
  bool agrees;
  EXPECT_THAT(AgreementWith(a, b, &agrees), HasSubstr("equal within rounding"));
  EXPECT_TRUE(agrees);
  EXPECT_THAT(AgreementWith(a, c, &agrees), HasSubstr("DIFFERENT"));
  EXPECT_FALSE(agrees);
}

// Densities that underflow to 0 agree only if their logs do: a log differing by 1e-9 is a
// density differing by 1e-9, relative (they were "identical").
TEST(AgreementTest, LogDensitiesAreComparedWhereDensitiesUnderflow) {
  Report a, b, c, d;
  for (Report* r : {&a, &b, &c, &d}) {
    r->set_samples(1000);
    WidthResult& result = *r->add_results();
    result.set_width(0.01);
    result.set_density(0);
    result.set_log_density(-1000);
  }
  b.mutable_results(0)->set_log_density(std::nextafter(-1000.0, 0.0));  // 1.1e-13 relative.
  c.mutable_results(0)->set_log_density(-1000 + 1e-9);
  d.mutable_results(0)->set_log_density(-std::numeric_limits<double>::infinity());
  bool agrees;
  EXPECT_EQ(AgreementWith(a, a, &agrees), "identical");
  EXPECT_TRUE(agrees);
  EXPECT_THAT(AgreementWith(a, b, &agrees), HasSubstr("equal within rounding"));
  EXPECT_TRUE(agrees);
  EXPECT_THAT(AgreementWith(a, c, &agrees),
              HasSubstr("DIFFERENT: densities differ by up to 1.0e-09"));
  EXPECT_FALSE(agrees);
  EXPECT_THAT(AgreementWith(a, d, &agrees), HasSubstr("DIFFERENT"));
  EXPECT_FALSE(agrees);
  EXPECT_EQ(AgreementWith(d, d, &agrees), "identical");
  EXPECT_TRUE(agrees);
}

TEST(CompareExecutorsTest, TimesEveryExecutorAndChecksItsResults) {
  SweepSpec spec;
  spec.mutable_kernel()->set_name("parzen_hypercube");
  for (int i = 1; i <= 20; ++i) spec.add_widths(i / 10.0);
  GaussianSource& g = *spec.mutable_data()->mutable_gaussian();
  g.set_n(2000);
  g.set_seed(3);
  g.add_mean(0);
  g.add_covariance(1);
  spec.mutable_executor()->set_split(SPLIT_AUTO);
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  ASSERT_TRUE(sweep.ok());
  absl::StatusOr<std::vector<ExecutorChoice>> choices =
      ParseExecutorList("serial,threads:2", spec.executor(), "");
  ASSERT_TRUE(choices.ok());
  absl::StatusOr<Comparison> comparison = CompareExecutors(**sweep, *choices, 3);
  ASSERT_TRUE(comparison.ok()) << comparison.status();
  ASSERT_EQ(comparison->timings.size(), 2u);
  for (const ExecutorTiming& t : comparison->timings) {
    EXPECT_EQ(t.seconds.size(), 3u);
    EXPECT_LE(t.min(), t.median());
    EXPECT_LE(t.median(), t.max());
    EXPECT_TRUE(t.agrees) << t.agreement;
  }
  EXPECT_EQ(comparison->timings[1].workers, 2);
  const std::string table = FormatComparison(*comparison);
  EXPECT_THAT(table, HasSubstr("threads:2"));
  EXPECT_THAT(table, HasSubstr("Every executor gave serial's results."));
  // Each executor's own plan: 2,000 samples are too few to share out, even on two threads.
  for (const ExecutorTiming& t : comparison->timings) EXPECT_TRUE(t.plan.automatic());
  EXPECT_THAT(table, HasSubstr("\nplans:\nserial             1 task (auto: one worker)\n"
                               "threads:2          1 task (auto: a small sweep"));
}

TEST(CompareExecutorsTest, NamesTheExecutorThatFailed) {
  SweepSpec spec;
  spec.mutable_kernel()->set_name("parzen_hypercube");
  spec.add_widths(1.0);
  GaussianSource& g = *spec.mutable_data()->mutable_gaussian();
  g.set_n(10);
  g.add_mean(0);
  g.add_covariance(1);
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  ASSERT_TRUE(sweep.ok());
  absl::StatusOr<std::vector<ExecutorChoice>> choices =
      ParseExecutorList("nosuch:2", spec.executor(), "");
  ASSERT_TRUE(choices.ok());
  absl::StatusOr<Comparison> comparison = CompareExecutors(**sweep, *choices, 1);
  EXPECT_THAT(comparison.status().message(), HasSubstr("nosuch:2: unknown executor"));
}

}  // namespace
}  // namespace parsweep
