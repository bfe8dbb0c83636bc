// The statistics of a scaling study (tools/scaling/study.h): medians and percentiles, the
// bootstrap confidence interval of a statistic of medians (such as a ratio of medians), the
// least-squares Amdahl fit of the serial fraction, and the crossover size from which an
// executor beats serial. Pure functions of their inputs: the bootstrap draws from its own
// generator seeded by BootstrapOptions::seed, so the same inputs give the same intervals,
// bit for bit, on every run and in any order of calls.
//
// Example:
//   const BootstrapEstimate speedup =
//       RatioOfMedians(serial_seconds, threads2_seconds, BootstrapOptions());
//   // speedup.value = median(serial) / median(threads2); [speedup.lo, speedup.hi] its 95% CI.
//   const AmdahlFit fit = FitAmdahl(serial_median, {1, 2, 4}, {10.1, 5.6, 3.4});
#ifndef PARSWEEP_TOOLS_SCALING_STATS_H_
#define PARSWEEP_TOOLS_SCALING_STATS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace parsweep {

// Median of `values`: the middle one, or the mean of the two middle ones; 0 when empty.
double Median(std::vector<double> values);

// Quantile of `sorted` (ascending, not empty) at q in [0, 1], interpolating linearly between
// the order statistics at position q * (n - 1): numpy's default ("linear", Hyndman and Fan's
// type 7), so Quantile({1, 2, 3, 4}, 0.25) is 1.75.
double Quantile(const std::vector<double>& sorted, double q);

// BootstrapOptions: how a bootstrap interval is drawn.
struct BootstrapOptions {
  int resamples = 2000;      // Resamples drawn; at least 1.
  double confidence = 0.95;  // Central coverage of the percentile interval, in (0, 1).
  uint64_t seed = 1;         // Seeds std::mt19937_64; the same seed draws the same resamples.
};

// BootstrapEstimate is a statistic and its percentile interval [lo, hi].
struct BootstrapEstimate {
  double value = 0;
  double lo = 0;
  double hi = 0;
};

// MedianStatistic computes a statistic from one median per group (in the groups' order).
using MedianStatistic = std::function<double(const std::vector<double>& medians)>;

// BootstrapDistribution resamples each group with replacement (as many draws as it has
// values, independently of the other groups), takes each resampled group's median, and
// returns `statistic` of those medians, once per resample, in draw order. Each group must
// hold at least one value.
std::vector<double> BootstrapDistribution(const std::vector<std::vector<double>>& groups,
                                          const MedianStatistic& statistic,
                                          const BootstrapOptions& options);

// BootstrapOfMedians: `statistic` of the groups' medians, with the percentile interval of
// its BootstrapDistribution: the quantiles (1 - confidence) / 2 and (1 + confidence) / 2.
// Resamples whose statistic is not finite are left out of the interval.
BootstrapEstimate BootstrapOfMedians(const std::vector<std::vector<double>>& groups,
                                     const MedianStatistic& statistic,
                                     const BootstrapOptions& options);

// RatioOfMedians: median(numerator) / median(denominator), with its bootstrap interval
// (each side's runs resampled with replacement). Both must hold at least one value.
BootstrapEstimate RatioOfMedians(const std::vector<double>& numerator,
                                 const std::vector<double>& denominator,
                                 const BootstrapOptions& options);

// AmdahlFit: Amdahl's law T(p) = T1 (f + (1 - f) / p) fitted to measured times.
struct AmdahlFit {
  double serial_fraction = 0;  // f, in [0, 1]; 1 / f bounds the speedup.
  // sqrt(mean(((T(p) - model(p)) / model(p))^2)) over the points: how far the times stray
  // from the law (start-up and per-task costs, which Amdahl does not model, show here).
  double rms_relative_residual = 0;
  // The unconstrained least-squares f lay outside [0, 1] and was clamped: above 1, the
  // parallel runs were slower than serial; below 0, faster than 1/p.
  bool clamped = false;
};

// FitAmdahl fits f, with T1 = `t1` (serial's median), to the times `seconds[i]` on
// `workers[i]` workers by least squares on f in [0, 1]. With a_p = T1 (1 - 1/p) and
// b_p = T(p) - T1 / p the residual is b_p - f a_p, so the unconstrained minimum is
// f* = sum(a_p b_p) / sum(a_p^2), and since the squared error is a parabola in f the
// constrained minimum is f* clamped to [0, 1]. Points at p = 1 have a_p = 0 and do not
// move f. nullopt when no point has p > 1 (f is then undetermined) or t1 <= 0.
std::optional<AmdahlFit> FitAmdahl(double t1, const std::vector<int>& workers,
                                   const std::vector<double>& seconds);

// CrossoverIndex: the smallest i such that executor_medians[j] < serial_medians[j] for every
// j >= i (the sizes in ascending order, the same number of each); nullopt when the executor
// does not beat serial at the largest size.
std::optional<size_t> CrossoverIndex(const std::vector<double>& executor_medians,
                                     const std::vector<double>& serial_medians);

// Change is the verdict on a ratio of medians (new / baseline) and its interval.
enum class Change {
  kSlower,               // The whole interval lies above 1.
  kFaster,               // The whole interval lies below 1.
  kNoSignificantChange,  // The interval contains 1.
};
Change Verdict(const BootstrapEstimate& ratio);

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_SCALING_STATS_H_
