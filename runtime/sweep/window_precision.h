// WindowPrecisionWarning: whether the data's magnitude leaves the window test enough bits.
//
// A kernel compares distances |x_j - s_j| with the width h (the hypercube's window test
// |x_j - s_j| <= h/2, the Gaussian's exp(-|x - s|^2 / 2h^2)). Near a coordinate of magnitude
// M, doubles are ulp(M) apart, so the data cannot tell distances apart more finely than
// that: the test keeps log2(h / ulp(M)) significant bits. With mean 1e16, ulp = 2 and
// h = 0.1 keeps none: every sample within 1 of the point rounds onto it or away from it,
// and the density printed is wrong with nothing to show it.
//
// The sweep warns rather than refuses: the counts are exact for the doubles it was given
// (x - s is exact for nearby doubles), so data that really are that coarse (integers near
// 1e16, say) are counted right, and between 0 and 10 bits the estimate is blurred at the
// window's edge rather than meaningless. Refusing would stop those sweeps with no way
// around; a warning in the report (stderr and the Report's `warnings`, so JSON carries it)
// says what to do: center the data, or use wider windows.
//
// A kernel whose widths are whole numbers counting something (WidthParameter::integral:
// knn's k) compares no width with a distance, so a sweep does not ask for this warning.
//
// Cost: one pass over the n x d samples and the points, reading each coordinate once
// (a max of absolute values, which the compiler vectorizes), no allocation; then O(1). A
// sweep skips the pass over the samples where their loader found M as it produced them
// (generated data: Dataset::largest_magnitude).
//
// Example:
//   if (std::optional<std::string> warning =
//           WindowPrecisionWarning(samples.View(), points.View(), widths)) {
//     warnings.push_back(*warning);
//   }
#ifndef PARSWEEP_RUNTIME_SWEEP_WINDOW_PRECISION_H_
#define PARSWEEP_RUNTIME_SWEEP_WINDOW_PRECISION_H_

#include <optional>
#include <string>

#include "absl/types/span.h"
#include "runtime/data/matrix.h"

namespace parsweep {

// The fewest significant bits the window test may keep without a warning.
inline constexpr int kMinWindowTestBits = 10;

// LargestMagnitude is max |v| over every value of `values` (0 when empty); NaN is skipped.
double LargestMagnitude(ConstMatrixView values);

// WindowPrecisionWarning returns a message for the user when, for the smallest of `widths`,
// log2(h / ulp(M)) < kMinWindowTestBits, where M is the largest magnitude of any coordinate
// of `samples` and `points`; nullopt otherwise (and for no widths).
std::optional<std::string> WindowPrecisionWarning(ConstMatrixView samples, ConstMatrixView points,
                                                  absl::Span<const double> widths);
// The same, for M already known (a Dataset's largest_magnitude, found as it was loaded).
std::optional<std::string> WindowPrecisionWarning(double largest_magnitude,
                                                  absl::Span<const double> widths);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SWEEP_WINDOW_PRECISION_H_
