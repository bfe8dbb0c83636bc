#include "runtime/stats/sample_statistics.h"

#include <cmath>

namespace parsweep {

double PairwiseSum(absl::Span<const double> values) {
  return PairwiseSum(values.size(), [&values](size_t i) { return values[i]; });
}

double SampleStandardDeviation(absl::Span<const double> values) {
  const size_t n = values.size();
  const double mean = PairwiseSum(values) / static_cast<double>(n);
  // numpy forms (x - mean) and its square as arrays, then sums them: the same roundings.
  const double squares = PairwiseSum(n, [&](size_t i) {
    const double deviation = values[i] - mean;
    return deviation * deviation;
  });
  return std::sqrt(squares / static_cast<double>(n - 1));
}

double EffectiveSampleSize(uint64_t n) {
  const double weight = 1.0 / static_cast<double>(n);
  const double square = weight * weight;
  return 1.0 / PairwiseSum(n, [square](size_t) { return square; });
}

double SampleQuantile(absl::Span<const double> sorted, double p) {
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const size_t i = static_cast<size_t>(std::floor(h));
  const double fraction = h - static_cast<double>(i);
  if (fraction == 0 || sorted[i + 1] == sorted[i]) return sorted[i];
  return (1 - fraction) * sorted[i] + fraction * sorted[i + 1];
}

}  // namespace parsweep
