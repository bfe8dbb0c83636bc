#include "runtime/stats/bandwidth_selection.h"

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/data/gaussian.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

TEST(RuleOfThumbTest, MatchesTheFormulaOnAFixedSample) {
  // Coordinates with standard deviations 1 and 4 (n - 1 in the denominator): sigma is
  // their geometric mean, 2.
  const Matrix samples(4, 2, {-1, -4, 1, 4, -1, 4, 1, -4});
  // Column 0: values +-1, variance 4/3; column 1: +-4, variance 64/3.
  const double sigma = std::sqrt(std::sqrt(4.0 / 3) * std::sqrt(64.0 / 3));
  EXPECT_NEAR(RuleOfThumbBandwidth(samples, BandwidthMethod::kScott),
              std::pow(4.0, -1.0 / 6) * sigma, 1e-12);
  EXPECT_NEAR(RuleOfThumbBandwidth(samples, BandwidthMethod::kSilverman),
              std::pow(4.0 / 4, 1.0 / 6) * std::pow(4.0, -1.0 / 6) * sigma, 1e-12);
}

TEST(RuleOfThumbTest, ScalesWithTheDataAndShrinksWithN) {
  const Gaussian g = *Gaussian::Create({0}, {9});  // sigma 3
  const Matrix samples = g.Sample(100000, 5);
  // The sample standard deviation of 1e5 normals is within 1% of sigma (its relative
  // standard error is 1/sqrt(2n) = 0.22%).
  EXPECT_NEAR(RuleOfThumbBandwidth(samples, BandwidthMethod::kScott), 3 * std::pow(1e5, -0.2),
              0.01 * 3 * std::pow(1e5, -0.2));
  // Silverman's 1-D factor is (4/3)^(1/5) = 1.0592.
  EXPECT_NEAR(RuleOfThumbBandwidth(samples, BandwidthMethod::kSilverman) /
                  RuleOfThumbBandwidth(samples, BandwidthMethod::kScott),
              std::pow(4.0 / 3, 0.2), 1e-12);
}

TEST(ParseBandwidthMethodsTest, ParsesListsAndRejectsUnknownNames) {
  absl::StatusOr<std::vector<BandwidthMethod>> methods = ParseBandwidthMethods("scott,loo_cv");
  ASSERT_TRUE(methods.ok());
  EXPECT_THAT(*methods, testing::ElementsAre(BandwidthMethod::kScott, BandwidthMethod::kLooCv));
  EXPECT_THAT(ParseBandwidthMethods("aic").status().message(),
              HasSubstr("known methods: scott, silverman, loo_cv"));
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
    if (inside == 0) return -std::numeric_limits<double>::infinity();
    sum += std::log(inside / ((n - 1) * std::pow(h, d)));
  }
  return sum / n;
}

SweepSpec LooSpec(const std::string& executor) {
  SweepSpec spec;
  spec.mutable_kernel()->set_name("parzen_hypercube");
  // Up to 5: one sample of these 300 (at 3.59, -1.77) has no other within h/2 = 1.5.
  for (int i = 1; i <= 50; ++i) spec.add_widths(0.1 * i);
  GaussianSource& g = *spec.mutable_data()->mutable_gaussian();
  g.set_n(300);
  g.set_seed(8);
  for (double m : {0.0, 0.0}) g.add_mean(m);
  for (double c : {1.0, 0.0, 0.0, 1.0}) g.add_covariance(c);
  spec.mutable_executor()->set_name(executor);
  return spec;
}

TEST(LeaveOneOutTest, PicksTheWidthWithTheBestBruteForceScoreOnEveryExecutor) {
  for (const char* executor_name : {"serial", "threads"}) {
    SCOPED_TRACE(executor_name);
    const SweepSpec spec = LooSpec(executor_name);
    absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
    ASSERT_TRUE(sweep.ok()) << sweep.status();
    absl::StatusOr<std::unique_ptr<Executor>> executor =
        Registry<Executor>::Global().Create(spec.executor());
    ASSERT_TRUE(executor.ok());
    absl::StatusOr<Selection> selection =
        SelectBandwidth(BandwidthMethod::kLooCv, **sweep, **executor);
    ASSERT_TRUE(selection.ok()) << selection.status();

    double best = -std::numeric_limits<double>::infinity(), best_h = 0;
    for (double h : spec.widths()) {
      const double score = BruteForceLooScore((*sweep)->data().samples, h);
      if (score > best) {
        best = score;
        best_h = h;
      }
    }
    EXPECT_EQ(selection->method(), "loo_cv");
    EXPECT_EQ(selection->width(), best_h);
    EXPECT_NEAR(selection->score(), best, 1e-9 * std::abs(best));
  }
}

TEST(LeaveOneOutTest, NoUsableWidthIsAClearError) {
  SweepSpec spec = LooSpec("serial");
  spec.clear_widths();
  spec.add_widths(1e-6);  // No sample has a neighbour this close.
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  ASSERT_TRUE(sweep.ok());
  absl::StatusOr<std::unique_ptr<Executor>> executor =
      Registry<Executor>::Global().Create(spec.executor());
  ASSERT_TRUE(executor.ok());
  const absl::Status status =
      SelectBandwidth(BandwidthMethod::kLooCv, **sweep, **executor).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("add wider widths"));
}

TEST(RuleSelectionTest, NamesTheNearestSweepWidthAndTheRulesOwn) {
  const SweepSpec spec = LooSpec("serial");
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  ASSERT_TRUE(sweep.ok());
  absl::StatusOr<std::unique_ptr<Executor>> executor =
      Registry<Executor>::Global().Create(spec.executor());
  ASSERT_TRUE(executor.ok());
  absl::StatusOr<Selection> scott = SelectBandwidth(BandwidthMethod::kScott, **sweep, **executor);
  ASSERT_TRUE(scott.ok()) << scott.status();
  const double rule = (*sweep)->kernel().GaussianEquivalentWidth(
      RuleOfThumbBandwidth((*sweep)->data().samples, BandwidthMethod::kScott), (*sweep)->dims());
  EXPECT_DOUBLE_EQ(scott->rule_width(), rule);
  for (double w : spec.widths()) {
    EXPECT_LE(std::abs(scott->width() - rule), std::abs(w - rule) + 1e-15);
  }
}

}  // namespace
}  // namespace parsweep
