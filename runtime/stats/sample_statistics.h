// The summary statistics behind the bandwidth rules, computed as the reference
// implementations compute them, so that parsweep's rules give their very numbers: the sum
// and the standard deviation as numpy does (pairwise summation), scipy.stats.gaussian_kde's
// effective sample size, and R's default sample quantile (type 7).
//
// numpy sums a float64 array pairwise, one buffer of 8192 values at a time: within a
// buffer, blocks of at most 128 values are added with eight interleaved accumulators,
// longer runs are split in two (the first part a multiple of 8 long) and the halves' sums
// added; the buffers' sums are added in order. Its rounding error grows as log n within a
// buffer, and following its grouping exactly makes x.std(ddof=1) come out bit for bit
// (checked against numpy 1.24 by runtime/stats/sample_statistics_test.cc).
//
// Example:
//   const double sd = SampleStandardDeviation(column);        // numpy's x.std(ddof=1)
//   const double q1 = SampleQuantile(sorted, 0.25);           // R's quantile(x, 0.25)
#ifndef PARSWEEP_RUNTIME_STATS_SAMPLE_STATISTICS_H_
#define PARSWEEP_RUNTIME_STATS_SAMPLE_STATISTICS_H_

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"

namespace parsweep {

namespace sample_statistics_internal {

// numpy's pairwise sum of one buffer: value(begin), ..., value(begin + count - 1).
template <typename ValueAt>
double PairwiseBlock(size_t begin, size_t count, const ValueAt& value) {
  if (count < 8) {
    double sum = 0.0;
    for (size_t i = 0; i < count; ++i) sum += value(begin + i);
    return sum;
  }
  if (count <= 128) {
    double r[8];
    for (size_t j = 0; j < 8; ++j) r[j] = value(begin + j);
    size_t i = 8;
    for (; i < count - count % 8; i += 8) {
      for (size_t j = 0; j < 8; ++j) r[j] += value(begin + i + j);
    }
    double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < count; ++i) sum += value(begin + i);
    return sum;
  }
  size_t half = count / 2;
  half -= half % 8;
  return PairwiseBlock(begin, half, value) + PairwiseBlock(begin + half, count - half, value);
}

}  // namespace sample_statistics_internal

// numpy's ufunc buffer: a reduction over more values adds up one buffer at a time.
inline constexpr size_t kNumpyBufferSize = 8192;

// PairwiseSum is numpy's sum of value(0), ..., value(count - 1), in its grouping: each
// buffer of 8192 values pairwise (see the file comment), the buffers' sums in order.
// `value` is called once for each index.
template <typename ValueAt>
double PairwiseSum(size_t count, const ValueAt& value) {
  double sum = 0.0;
  for (size_t begin = 0; begin < count; begin += kNumpyBufferSize) {
    const size_t size = count - begin < kNumpyBufferSize ? count - begin : kNumpyBufferSize;
    sum += sample_statistics_internal::PairwiseBlock(begin, size, value);
  }
  return sum;
}

// PairwiseSum of the values themselves: numpy's np.sum(values).
double PairwiseSum(absl::Span<const double> values);

// SampleStandardDeviation is numpy's values.std(ddof=1): the square root of the sum of
// squared deviations from the mean over n - 1, both sums pairwise. Requires two values.
double SampleStandardDeviation(absl::Span<const double> values);

// EffectiveSampleSize is scipy.stats.gaussian_kde's n_eff for n equally weighted samples,
// 1 / sum_i w_i^2 with w_i = 1/n rounded and the sum pairwise: n up to a few ulps (for
// n = 10000 it is 9999.999999999998). scipy's bandwidth factors are powers of it.
double EffectiveSampleSize(uint64_t n);

// SampleQuantile is R's quantile(x, p) of the default type 7 (numpy's default "linear"
// percentile), given the values sorted: with h = (n - 1) p and i = floor(h), x[i] when
// x[i + 1] equals it or h is whole, else (1 - (h - i)) x[i] + (h - i) x[i + 1] as R writes
// it (numpy's x[i] + (h - i) (x[i + 1] - x[i]) can differ in the last bit). Requires a
// value and 0 <= p <= 1.
double SampleQuantile(absl::Span<const double> sorted, double p);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_STATS_SAMPLE_STATISTICS_H_
