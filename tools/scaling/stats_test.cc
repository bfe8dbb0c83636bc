#include "tools/scaling/stats.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

TEST(MedianTest, OddEvenAndEmpty) {
  EXPECT_EQ(Median({3, 1, 4}), 3);
  EXPECT_EQ(Median({3, 1, 4, 1, 5, 9, 2, 6}), 3.5);  // numpy.median: 3.5
  EXPECT_EQ(Median({7}), 7);
  EXPECT_EQ(Median({}), 0);
}

TEST(QuantileTest, MatchesNumpysLinearInterpolation) {
  std::vector<double> v = {3, 1, 4, 1, 5, 9, 2, 6};
  std::sort(v.begin(), v.end());
  // numpy.quantile([3,1,4,1,5,9,2,6], [0, .1, .25, .5, .975, 1]) = 1, 1, 1.75, 3.5, 8.475, 9.
  EXPECT_DOUBLE_EQ(Quantile(v, 0), 1);
  EXPECT_DOUBLE_EQ(Quantile(v, 0.1), 1);
  EXPECT_DOUBLE_EQ(Quantile(v, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(Quantile(v, 0.5), 3.5);
  EXPECT_DOUBLE_EQ(Quantile(v, 0.975), 8.475);
  EXPECT_DOUBLE_EQ(Quantile(v, 1), 9);
}

double Fraction(const std::vector<double>& values, double x) {
  return static_cast<double>(std::count(values.begin(), values.end(), x)) /
         static_cast<double>(values.size());
}

TEST(BootstrapTest, ResamplesWithReplacementAtTheExactProbabilities) {
  // The median of 3 draws with replacement from {1, 2, 3} is 1 with probability
  // P(at least two 1s) = 3 (1/3)^2 (2/3) + (1/3)^3 = 7/27, 3 likewise, 2 with 13/27. The
  // constant group {1} leaves the ratio equal to that median.
  BootstrapOptions options;
  options.resamples = 20000;
  const std::vector<double> distribution = BootstrapDistribution(
      {{1, 2, 3}, {1}}, [](const std::vector<double>& m) { return m[0] / m[1]; }, options);
  ASSERT_EQ(distribution.size(), 20000u);
  const double se = std::sqrt((7.0 / 27) * (20.0 / 27) / 20000);  // About 0.0031.
  EXPECT_NEAR(Fraction(distribution, 1), 7.0 / 27, 4 * se);
  EXPECT_NEAR(Fraction(distribution, 3), 7.0 / 27, 4 * se);
  EXPECT_NEAR(Fraction(distribution, 2), 13.0 / 27, 4 * se);
}

TEST(BootstrapTest, PercentileIntervalOfAKnownDistribution) {
  // Median of 2 draws from {1, 3}: 1 (p = 1/4), 2 (1/2), 3 (1/4); the 2.5% and 97.5%
  // percentiles of 2000 such draws are 1 and 3, and the ratio's value is the median, 2.
  const BootstrapEstimate ratio = RatioOfMedians({1, 3}, {1}, BootstrapOptions());
  EXPECT_EQ(ratio.value, 2);
  EXPECT_EQ(ratio.lo, 1);
  EXPECT_EQ(ratio.hi, 3);
  // With 20% confidence the interval is the 40% and 60% percentiles of {1 x 1/4, 2 x 1/2,
  // 3 x 1/4}: 2 and 2, both well inside the run of 2s (which spans 25% to 75%).
  BootstrapOptions narrow_options;
  narrow_options.confidence = 0.2;
  const BootstrapEstimate narrow = RatioOfMedians({1, 3}, {1}, narrow_options);
  EXPECT_EQ(narrow.lo, 2);
  EXPECT_EQ(narrow.hi, 2);
}

TEST(BootstrapTest, ConstantRunsGiveAPointInterval) {
  const BootstrapEstimate ratio = RatioOfMedians({2, 2, 2}, {1, 1, 1, 1}, BootstrapOptions());
  EXPECT_EQ(ratio.value, 2);
  EXPECT_EQ(ratio.lo, 2);
  EXPECT_EQ(ratio.hi, 2);
}

TEST(BootstrapTest, TheSameSeedGivesTheSameIntervalAndAnotherSeedAnother) {
  const std::vector<double> a = {1.0, 1.3, 0.9, 1.1, 1.6, 1.2, 0.95};
  const std::vector<double> b = {2.1, 2.4, 1.9, 2.0, 2.6, 2.2, 2.05};
  const BootstrapEstimate first = RatioOfMedians(b, a, BootstrapOptions());
  const BootstrapEstimate again = RatioOfMedians(b, a, BootstrapOptions());
  EXPECT_EQ(first.lo, again.lo);
  EXPECT_EQ(first.hi, again.hi);
  BootstrapOptions other;
  other.seed = 2;
  const std::vector<double> d1 = BootstrapDistribution(
      {a}, [](const std::vector<double>& m) { return m[0]; }, BootstrapOptions());
  const std::vector<double> d2 = BootstrapDistribution(
      {a}, [](const std::vector<double>& m) { return m[0]; }, other);
  EXPECT_NE(d1, d2);
  EXPECT_LE(first.lo, first.value);
  EXPECT_GE(first.hi, first.value);
}

TEST(BootstrapTest, IntervalsCoverTheTrueRatioOfMediansMostOfTheTime) {
  // 200 synthetic experiments: 15 runs each of times with log-normal noise (sigma 0.1) around
  // medians 2 and 1, so the true ratio of medians is 2. A 95% percentile interval of medians
  // from 15 runs covers it in about 90-95% of experiments (the median's bootstrap is a little
  // narrow at small n); swapped or misplaced percentiles would cover far less often.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 0.1);
  BootstrapOptions options;
  options.resamples = 1000;
  int covered = 0;
  constexpr int kExperiments = 200;
  for (int e = 0; e < kExperiments; ++e) {
    std::vector<double> slow, fast;
    for (int r = 0; r < 15; ++r) {
      slow.push_back(2 * std::exp(noise(rng)));
      fast.push_back(std::exp(noise(rng)));
    }
    const BootstrapEstimate ratio = RatioOfMedians(slow, fast, options);
    covered += ratio.lo <= 2 && 2 <= ratio.hi;
  }
  EXPECT_GE(covered, 0.85 * kExperiments);
  EXPECT_LE(covered, 0.995 * kExperiments);
}

std::vector<double> AmdahlTimes(double t1, double f, const std::vector<int>& workers) {
  std::vector<double> times;
  for (int p : workers) times.push_back(t1 * (f + (1 - f) / p));
  return times;
}

TEST(FitAmdahlTest, RecoversAKnownSerialFractionExactly) {
  const std::vector<int> workers = {1, 2, 4, 8};
  for (double f : {0.0, 0.05, 0.2, 0.7, 1.0}) {
    const std::optional<AmdahlFit> fit = FitAmdahl(10, workers, AmdahlTimes(10, f, workers));
    ASSERT_TRUE(fit.has_value());
    EXPECT_NEAR(fit->serial_fraction, f, 1e-12) << f;
    EXPECT_NEAR(fit->rms_relative_residual, 0, 1e-12) << f;
    EXPECT_FALSE(fit->clamped);
  }
}

TEST(FitAmdahlTest, IsTheLeastSquaresMinimumOnNoisyTimes) {
  // Times from f = 0.3 with 5% noise: the closed form must match a brute-force search of
  // the squared error over f in [0, 1] (to the grid's step).
  const std::vector<int> workers = {1, 2, 3, 4, 6};
  std::vector<double> times = AmdahlTimes(4, 0.3, workers);
  const std::vector<double> noise = {1.03, 0.96, 1.05, 0.98, 1.04};
  for (size_t i = 0; i < times.size(); ++i) times[i] *= noise[i];
  const std::optional<AmdahlFit> fit = FitAmdahl(4, workers, times);
  ASSERT_TRUE(fit.has_value());
  double best_f = 0, best_error = INFINITY;
  for (int step = 0; step <= 100000; ++step) {
    const double f = step / 100000.0;
    double error = 0;
    for (size_t i = 0; i < workers.size(); ++i) {
      error += std::pow(times[i] - 4 * (f + (1 - f) / workers[i]), 2);
    }
    if (error < best_error) {
      best_error = error;
      best_f = f;
    }
  }
  EXPECT_NEAR(fit->serial_fraction, best_f, 1e-5);
  EXPECT_NEAR(fit->serial_fraction, 0.3, 0.05);
  EXPECT_GT(fit->rms_relative_residual, 0.01);
}

TEST(FitAmdahlTest, ClampsToTheUnitInterval) {
  // Slower in parallel than serially: f would be above 1.
  const std::optional<AmdahlFit> slower = FitAmdahl(1, {2, 4}, {1.5, 2.0});
  ASSERT_TRUE(slower.has_value());
  EXPECT_EQ(slower->serial_fraction, 1);
  EXPECT_TRUE(slower->clamped);
  // Faster than p times: f would be below 0.
  const std::optional<AmdahlFit> superlinear = FitAmdahl(1, {2, 4}, {0.4, 0.2});
  ASSERT_TRUE(superlinear.has_value());
  EXPECT_EQ(superlinear->serial_fraction, 0);
  EXPECT_TRUE(superlinear->clamped);
}

TEST(FitAmdahlTest, UndeterminedWithoutTwoOrMoreWorkers) {
  EXPECT_FALSE(FitAmdahl(1, {1}, {1.2}).has_value());
  EXPECT_FALSE(FitAmdahl(1, {}, {}).has_value());
  EXPECT_FALSE(FitAmdahl(0, {2}, {1}).has_value());
}

TEST(CrossoverIndexTest, TheSmallestSizeFromWhichEveryLargerOneBeatsSerial) {
  const std::vector<double> serial = {3, 3, 3, 3};
  EXPECT_EQ(CrossoverIndex({5, 4, 2, 1}, serial), 2u);
  EXPECT_EQ(CrossoverIndex({1, 4, 2, 1}, serial), 2u);  // An early win that does not last.
  EXPECT_EQ(CrossoverIndex({1, 1, 1, 1}, serial), 0u);
  EXPECT_EQ(CrossoverIndex({1, 1, 3, 1}, serial), 3u);  // A tie is not a win.
  EXPECT_EQ(CrossoverIndex({1, 1, 1, 4}, serial), std::nullopt);
  EXPECT_EQ(CrossoverIndex({}, {}), std::nullopt);
}

TEST(VerdictTest, OnlyAnIntervalThatExcludesOneIsAChange) {
  EXPECT_EQ(Verdict({1.2, 1.05, 1.4}), Change::kSlower);
  EXPECT_EQ(Verdict({0.8, 0.7, 0.95}), Change::kFaster);
  EXPECT_EQ(Verdict({1.1, 0.9, 1.3}), Change::kNoSignificantChange);
  EXPECT_EQ(Verdict({1.0, 1.0, 1.0}), Change::kNoSignificantChange);
}

}  // namespace
}  // namespace parsweep
