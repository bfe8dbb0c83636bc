#include "runtime/stats/leave_one_out.h"

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/data/data_file_testing.h"
#include "runtime/plugin/registry.h"
#include "runtime/stats/python_reference.h"
#include "runtime/stats/row_sample.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

constexpr double kInf = std::numeric_limits<double>::infinity();

// The widths of --widths=0.05:1.5:30 (numpy's linspace(0.05, 1.5, 30)).
std::vector<double> Widths() {
  std::vector<double> widths;
  for (int i = 0; i < 30; ++i) widths.push_back(0.05 + i * ((1.5 - 0.05) / 29));
  return widths;
}

SweepSpec SpecFor(const std::string& kernel, const std::string& data,
                  const std::vector<double>& widths, const std::string& executor = "serial") {
  SweepSpec spec;
  spec.mutable_kernel()->set_name(kernel);
  for (double w : widths) spec.add_widths(w);
  spec.mutable_data()->mutable_file()->set_path(data);
  spec.mutable_executor()->set_name(executor);
  return spec;
}

// A sweep and its executor, made from a spec.
struct SweepAndExecutor {
  std::unique_ptr<Sweep> sweep;
  std::unique_ptr<Executor> executor;
};

SweepAndExecutor Make(const SweepSpec& spec) {
  SweepAndExecutor run;
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  EXPECT_TRUE(sweep.ok()) << sweep.status();
  absl::StatusOr<std::unique_ptr<Executor>> executor =
      Registry<Executor>::Global().Create(spec.executor());
  EXPECT_TRUE(executor.ok()) << executor.status();
  if (sweep.ok()) run.sweep = std::move(*sweep);
  if (executor.ok()) run.executor = std::move(*executor);
  return run;
}

// Every width's score, standard error and isolated count as numpy's brute force has them.
// Scores agree to rounding (the sums run in other orders; numpy's log may differ from the
// C library's in the last bit).
void ExpectScoresMatch(const std::vector<Selection::WidthScore>& scores,
                       const std::vector<LooReference>& reference) {
  ASSERT_EQ(scores.size(), reference.size());
  for (size_t w = 0; w < scores.size(); ++w) {
    SCOPED_TRACE(absl::StrCat("h = ", reference[w].width));
    EXPECT_EQ(scores[w].width(), reference[w].width);
    EXPECT_EQ(scores[w].isolated(), reference[w].isolated);
    if (reference[w].score == -kInf) {
      EXPECT_EQ(scores[w].score(), -kInf);
      EXPECT_FALSE(scores[w].has_standard_error());
    } else {
      EXPECT_NEAR(scores[w].score(), reference[w].score, 1e-12 * std::abs(reference[w].score));
      EXPECT_NEAR(scores[w].standard_error(), reference[w].standard_error,
                  1e-9 * reference[w].standard_error);
    }
  }
}

// The best finite reference score (the smallest width among equal ones).
LooReference Best(const std::vector<LooReference>& reference) {
  LooReference best{0, -kInf, 0, 0};
  for (const LooReference& r : reference) {
    if (r.score > best.score) best = r;
  }
  return best;
}

// More than the 2,000 samples LOO-CV used to score (spread evenly through the data, which
// picked h = 0.7 here, score -1.41658, instead of the full data's 1.2, -1.42057): every
// sample is held out, and the choice is numpy's brute force over all of them.
TEST(LeaveOneOutTest, HoldsOutEverySampleOfSortedDataBeyondTwoThousand) {
  const std::string data = TestFilePath("sorted2500.npy");
  ASSERT_TRUE(RunReference({"normal", data, "2500", "3", "sorted"}).ok());
  SweepAndExecutor run = Make(SpecFor("parzen_hypercube", data, Widths()));
  ASSERT_NE(run.sweep, nullptr);
  absl::StatusOr<Selection> selection = SelectByLeaveOneOut(*run.sweep, *run.executor, {});
  ASSERT_TRUE(selection.ok()) << selection.status();
  absl::StatusOr<std::vector<LooReference>> reference =
      ReferenceLoo(data, "parzen_hypercube", Widths());
  ASSERT_TRUE(reference.ok()) << reference.status();

  const LooReference best = Best(*reference);
  EXPECT_EQ(selection->held_out(), 2500u);
  EXPECT_FALSE(selection->has_loo_seed());
  EXPECT_EQ(selection->width(), best.width);
  EXPECT_NEAR(selection->score(), best.score, 1e-12 * std::abs(best.score));
  EXPECT_NEAR(selection->standard_error(), best.standard_error, 1e-9 * best.standard_error);
  ExpectScoresMatch({selection->width_scores().begin(), selection->width_scores().end()},
                    *reference);
}

// 1,000 normal quantiles and one sample at 40: at every width of 0.05..1.5 the outlier has
// no other sample in its window, and at the narrow ones so have samples in the tails.
TEST(LeaveOneOutTest, CountsIsolatedSamplesPerWidthInTheKernelsWords) {
  const std::string data = TestFilePath("quantiles_40.npy");
  ASSERT_TRUE(RunReference({"quantiles", data, "1000", "40"}).ok());
  absl::StatusOr<std::vector<LooReference>> reference =
      ReferenceLoo(data, "parzen_hypercube", Widths());
  ASSERT_TRUE(reference.ok()) << reference.status();
  SweepAndExecutor run = Make(SpecFor("parzen_hypercube", data, Widths()));
  ASSERT_NE(run.sweep, nullptr);

  absl::StatusOr<LooScores> scores = ScoreLeaveOneOut(*run.sweep, *run.executor, {});
  ASSERT_TRUE(scores.ok()) << scores.status();
  EXPECT_EQ(scores->held_out, 1001u);
  ExpectScoresMatch(scores->widths, *reference);
  EXPECT_EQ(scores->widths.front().isolated(), 31u);  // h = 0.05 (numpy's count).
  EXPECT_EQ(scores->widths.back().isolated(), 1u);    // h = 1.5: the outlier alone.

  const absl::Status status = SelectByLeaveOneOut(*run.sweep, *run.executor, {}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "leave-one-out cross-validation: every width scores -infinity; at the widest, "
            "h = 1.5, 1 of the 1001 held-out samples have no other sample in their window; "
            "add wider widths");
}

// The same data with a width wide enough for the outlier (at 40, its nearest sample at
// 3.29: h >= 73.4): that width is chosen, and the others' -infinity and counts are kept.
TEST(LeaveOneOutTest, ChoosesTheOnlyFiniteWidthAndKeepsTheOthersCounts) {
  const std::string data = TestFilePath("quantiles_40b.npy");
  ASSERT_TRUE(RunReference({"quantiles", data, "1000", "40"}).ok());
  const std::vector<double> widths = {0.05, 0.5, 1.5, 80};
  absl::StatusOr<std::vector<LooReference>> reference =
      ReferenceLoo(data, "parzen_hypercube", widths);
  ASSERT_TRUE(reference.ok()) << reference.status();
  SweepAndExecutor run = Make(SpecFor("parzen_hypercube", data, widths));
  ASSERT_NE(run.sweep, nullptr);
  absl::StatusOr<Selection> selection = SelectByLeaveOneOut(*run.sweep, *run.executor, {});
  ASSERT_TRUE(selection.ok()) << selection.status();
  EXPECT_EQ(selection->width(), 80);
  EXPECT_EQ(selection->isolated_meaning(), "have no other sample in their window");
  ExpectScoresMatch({selection->width_scores().begin(), selection->width_scores().end()},
                    *reference);
}

// --loo_points=K: K distinct rows drawn with the seed, the scores those rows give (numpy on
// the same rows), the same again for the same seed, other rows for another.
TEST(LeaveOneOutTest, HoldsOutKRowsDrawnWithTheSeed) {
  const std::string data = TestFilePath("normal2500.npy");
  ASSERT_TRUE(RunReference({"normal", data, "2500", "3"}).ok());
  SweepAndExecutor run = Make(SpecFor("parzen_hypercube", data, Widths()));
  ASSERT_NE(run.sweep, nullptr);
  const LooOptions options{300, 7};
  absl::StatusOr<LooScores> scores = ScoreLeaveOneOut(*run.sweep, *run.executor, options);
  ASSERT_TRUE(scores.ok()) << scores.status();
  EXPECT_EQ(scores->held_out, 300u);
  EXPECT_EQ(scores->rows, ChooseRows(2500, 300, 7));
  absl::StatusOr<std::vector<LooReference>> reference =
      ReferenceLoo(data, "parzen_hypercube", Widths(), scores->rows);
  ASSERT_TRUE(reference.ok()) << reference.status();
  ExpectScoresMatch(scores->widths, *reference);

  absl::StatusOr<Selection> selection = SelectByLeaveOneOut(*run.sweep, *run.executor, options);
  ASSERT_TRUE(selection.ok()) << selection.status();
  const LooReference best = Best(*reference);
  EXPECT_EQ(selection->held_out(), 300u);
  EXPECT_EQ(selection->loo_seed(), 7u);
  EXPECT_EQ(selection->width(), best.width);
  EXPECT_NEAR(selection->standard_error(), best.standard_error, 1e-9 * best.standard_error);
  absl::StatusOr<Selection> again = SelectByLeaveOneOut(*run.sweep, *run.executor, options);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->SerializeAsString(), selection->SerializeAsString());
  absl::StatusOr<Selection> other = SelectByLeaveOneOut(*run.sweep, *run.executor, {300, 8});
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->width_scores(0).score(), selection->width_scores(0).score());
}

TEST(LeaveOneOutTest, KOfNIsEverySampleAndOtherKAreRefused) {
  const std::string data = TestFilePath("normal50.npy");
  ASSERT_TRUE(RunReference({"normal", data, "50", "3"}).ok());
  SweepAndExecutor run = Make(SpecFor("parzen_hypercube", data, {1, 2}));
  ASSERT_NE(run.sweep, nullptr);
  absl::StatusOr<LooScores> all = ScoreLeaveOneOut(*run.sweep, *run.executor, {50, 9});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_TRUE(all->rows.empty());
  EXPECT_EQ(all->held_out, 50u);
  EXPECT_EQ(ScoreLeaveOneOut(*run.sweep, *run.executor, {1, 9}).status().message(),
            "--loo_points=1: leave-one-out cross-validation needs at least 2 held-out samples");
  EXPECT_EQ(ScoreLeaveOneOut(*run.sweep, *run.executor, {51, 9}).status().message(),
            "--loo_points=51: there are only 50 samples (--loo_points=50, or no --loo_points, "
            "holds out every one)");
  EXPECT_EQ(CheckLooPoints(0, 50).message(),
            "--loo_points=0: leave-one-out cross-validation needs at least 2 held-out samples");
  EXPECT_TRUE(CheckLooPoints(2, 50).ok());
  EXPECT_TRUE(CheckLooPoints(50, 50).ok());
}

// Leave-one-out log-likelihood of the hypercube estimator by brute force.
double BruteForceLooScore(const Matrix& s, double h) {
  const size_t n = s.rows(), d = s.cols();
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    int inside = 0;
    for (size_t k = 0; k < n; ++k) {
      if (k == i) continue;
      bool in = true;
      for (size_t j = 0; j < d; ++j) in = in && std::abs(s(i, j) - s(k, j)) <= 0.5 * h;
      inside += in;
    }
    if (inside == 0) return -kInf;
    sum += std::log(inside / ((n - 1) * std::pow(h, d)));
  }
  return sum / n;
}

TEST(LeaveOneOutTest, PicksTheWidthWithTheBestBruteForceScoreOnEveryExecutor) {
  for (const char* executor_name : {"serial", "threads", "process"}) {
    SCOPED_TRACE(executor_name);
    SweepSpec spec;
    spec.mutable_kernel()->set_name("parzen_hypercube");
    // Up to 5: one sample of these 300 (at 3.59, -1.77) has no other within h/2 = 1.5.
    for (int i = 1; i <= 50; ++i) spec.add_widths(0.1 * i);
    GaussianSource& g = *spec.mutable_data()->mutable_gaussian();
    g.set_n(300);
    g.set_seed(8);
    for (double m : {0.0, 0.0}) g.add_mean(m);
    for (double c : {1.0, 0.0, 0.0, 1.0}) g.add_covariance(c);
    spec.mutable_executor()->set_name(executor_name);
    if (std::string(executor_name) == "process") {
      // Spawned workers: fork refuses a multi-threaded process, and under ThreadSanitizer
      // (its own thread) every test process is one.
      (*spec.mutable_executor()->mutable_params())["start_method"] = "spawn";
    }
    SweepAndExecutor run = Make(spec);
    ASSERT_NE(run.sweep, nullptr);
    absl::StatusOr<Selection> selection = SelectByLeaveOneOut(*run.sweep, *run.executor, {});
    ASSERT_TRUE(selection.ok()) << selection.status();

    double best = -kInf, best_h = 0;
    for (double h : spec.widths()) {
      const double score = BruteForceLooScore(run.sweep->data().samples, h);
      if (score > best) {
        best = score;
        best_h = h;
      }
    }
    EXPECT_EQ(selection->width(), best_h);
    EXPECT_NEAR(selection->score(), best, 1e-9 * std::abs(best));
  }
}

// The Gaussian kernel's held-out log density must stay finite where the other samples add
// less than the rounding of the sample's own term: an outlier 6 beyond the largest of 1,000
// normal quantiles. numpy's log-sum-exp puts the best width at 0.65; with the outlier at 40,
// at 1.5 (the widest). Before the kernel summed in log space its held-out density was
// (sum - 1) / ..., which is 0 for the outlier below h ~ 1.4: those widths scored -infinity
// and loo_cv picked a wider one (0.7), or refused (outlier at 40).
TEST(LeaveOneOutTest, GaussianOutlierMatchesLogSumExpReference) {
  struct Case {
    std::string outlier;
    double best_width;
  };
  for (const Case& c : {Case{"max+6", 0.65}, Case{"40", 1.5}}) {
    SCOPED_TRACE(c.outlier);
    const std::string data = TestFilePath(absl::StrCat("gaussian_outlier_", c.outlier, ".npy"));
    ASSERT_TRUE(RunReference({"quantiles", data, "1000", c.outlier}).ok());
    absl::StatusOr<std::vector<LooReference>> reference =
        ReferenceLoo(data, "parzen_gaussian", Widths());
    ASSERT_TRUE(reference.ok()) << reference.status();
    EXPECT_NEAR(Best(*reference).width, c.best_width, 1e-12);
    SweepAndExecutor run = Make(SpecFor("parzen_gaussian", data, Widths()));
    ASSERT_NE(run.sweep, nullptr);
    absl::StatusOr<Selection> selection = SelectByLeaveOneOut(*run.sweep, *run.executor, {});
    ASSERT_TRUE(selection.ok()) << selection.status();
    EXPECT_EQ(selection->width(), Best(*reference).width);
    for (int w = 0; w < selection->width_scores_size(); ++w) {
      SCOPED_TRACE(absl::StrCat("h = ", (*reference)[w].width));
      EXPECT_EQ(selection->width_scores(w).isolated(), 0u);
      EXPECT_NEAR(selection->width_scores(w).score(), (*reference)[w].score,
                  1e-9 * std::abs((*reference)[w].score));
    }
  }
}

}  // namespace
}  // namespace parsweep
