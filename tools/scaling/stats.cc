#include "tools/scaling/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace parsweep {
namespace {

// A uniform index in [0, m), m >= 1, by rejection: std::uniform_int_distribution is not
// specified bit for bit across standard libraries, and the intervals must be reproducible.
size_t DrawIndex(std::mt19937_64& rng, size_t m) {
  const uint64_t range = static_cast<uint64_t>(m);
  // The largest multiple of `range` that fits, as a count of values: 2^64 - (2^64 mod range).
  const uint64_t excess = (std::numeric_limits<uint64_t>::max() % range + 1) % range;
  const uint64_t limit = std::numeric_limits<uint64_t>::max() - excess;  // Accept x <= limit.
  uint64_t x;
  do {
    x = rng();
  } while (x > limit);
  return static_cast<size_t>(x % range);
}

}  // namespace

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  if (values.size() % 2 == 1) return values[mid];
  const double upper = values[mid];
  const double lower = *std::max_element(values.begin(), values.begin() + mid);
  return 0.5 * (lower + upper);
}

double Quantile(const std::vector<double>& sorted, double q) {
  const double position = q * static_cast<double>(sorted.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  if (below + 1 >= sorted.size()) return sorted.back();
  const double fraction = position - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
}

std::vector<double> BootstrapDistribution(const std::vector<std::vector<double>>& groups,
                                          const MedianStatistic& statistic,
                                          const BootstrapOptions& options) {
  std::mt19937_64 rng(options.seed);
  std::vector<double> distribution;
  distribution.reserve(static_cast<size_t>(std::max(options.resamples, 0)));
  std::vector<double> medians(groups.size());
  std::vector<double> resample;
  for (int b = 0; b < options.resamples; ++b) {
    for (size_t g = 0; g < groups.size(); ++g) {
      const std::vector<double>& group = groups[g];
      resample.resize(group.size());
      for (double& value : resample) value = group[DrawIndex(rng, group.size())];
      medians[g] = Median(resample);
    }
    distribution.push_back(statistic(medians));
  }
  return distribution;
}

BootstrapEstimate BootstrapOfMedians(const std::vector<std::vector<double>>& groups,
                                     const MedianStatistic& statistic,
                                     const BootstrapOptions& options) {
  std::vector<double> medians;
  for (const std::vector<double>& group : groups) medians.push_back(Median(group));
  BootstrapEstimate estimate;
  estimate.value = statistic(medians);
  std::vector<double> distribution = BootstrapDistribution(groups, statistic, options);
  distribution.erase(std::remove_if(distribution.begin(), distribution.end(),
                                    [](double v) { return !std::isfinite(v); }),
                     distribution.end());
  if (distribution.empty()) {
    estimate.lo = estimate.hi = estimate.value;
    return estimate;
  }
  std::sort(distribution.begin(), distribution.end());
  const double tail = (1 - options.confidence) / 2;
  estimate.lo = Quantile(distribution, tail);
  estimate.hi = Quantile(distribution, 1 - tail);
  return estimate;
}

BootstrapEstimate RatioOfMedians(const std::vector<double>& numerator,
                                 const std::vector<double>& denominator,
                                 const BootstrapOptions& options) {
  return BootstrapOfMedians(
      {numerator, denominator},
      [](const std::vector<double>& medians) { return medians[0] / medians[1]; }, options);
}

std::optional<AmdahlFit> FitAmdahl(double t1, const std::vector<int>& workers,
                                   const std::vector<double>& seconds) {
  if (!(t1 > 0)) return std::nullopt;
  double ab = 0, aa = 0;
  for (size_t i = 0; i < workers.size() && i < seconds.size(); ++i) {
    const double inverse = 1.0 / workers[i];
    const double a = t1 * (1 - inverse);
    ab += a * (seconds[i] - t1 * inverse);
    aa += a * a;
  }
  if (aa == 0) return std::nullopt;
  AmdahlFit fit;
  const double unconstrained = ab / aa;
  fit.serial_fraction = std::clamp(unconstrained, 0.0, 1.0);
  fit.clamped = fit.serial_fraction != unconstrained;
  double squares = 0;
  for (size_t i = 0; i < workers.size() && i < seconds.size(); ++i) {
    const double model = t1 * (fit.serial_fraction + (1 - fit.serial_fraction) / workers[i]);
    squares += std::pow((seconds[i] - model) / model, 2);
  }
  fit.rms_relative_residual = std::sqrt(squares / static_cast<double>(workers.size()));
  return fit;
}

std::optional<size_t> CrossoverIndex(const std::vector<double>& executor_medians,
                                     const std::vector<double>& serial_medians) {
  std::optional<size_t> crossover;
  for (size_t i = executor_medians.size(); i-- > 0;) {
    if (!(executor_medians[i] < serial_medians[i])) break;
    crossover = i;
  }
  return crossover;
}

Change Verdict(const BootstrapEstimate& ratio) {
  if (ratio.lo > 1) return Change::kSlower;
  if (ratio.hi < 1) return Change::kFaster;
  return Change::kNoSignificantChange;
}

}  // namespace parsweep
