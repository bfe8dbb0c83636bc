// The Gaussian kernel's two ways to add up sum_i exp(-|x - s_i|^2 / (2 h^2)) for every
// width: one pass over the samples per width with std::exp (naive), or one pass for all
// widths with a vector exp (fused). Internal to kernels/parzen_gaussian (the kernel picks
// one by its `algorithm` parameter); a header of its own so tests can run each
// instruction-set path of the fused pass.
//
// Example:
//   AddFusedSums(samples.View(), point, widths, absl::MakeSpan(sums));
#ifndef PARSWEEP_KERNELS_PARZEN_GAUSSIAN_FUSED_SUMS_H_
#define PARSWEEP_KERNELS_PARZEN_GAUSSIAN_FUSED_SUMS_H_

#include "absl/types/span.h"
#include "kernels/cpu_features.h"
#include "runtime/data/matrix.h"

namespace parsweep {
namespace parzen_gaussian_internal {

// AddNaiveSums and AddFusedSums for a block of points: sums[p * widths.size() + w] for
// every row p of `points` (points.cols() == samples.cols()); the fused pass computes its
// per-width scales once for all the points.
void AddNaiveSums(ConstMatrixView samples, ConstMatrixView points, absl::Span<const double> widths,
                  absl::Span<double> sums);
void AddFusedSums(ConstMatrixView samples, ConstMatrixView points, absl::Span<const double> widths,
                  absl::Span<double> sums, Isa isa = Isa::kBest);

// AddNaiveSums adds to sums[w] the sum over rows s of `samples`, in row order, of
// std::exp(-r^2 / max(2 h^2, DBL_MIN)) with r^2 = |point - s|^2 and h = widths[w]: one
// pass over the samples per width. Requires point.size() == samples.cols() and
// sums.size() == widths.size(). Thread-safe.
void AddNaiveSums(ConstMatrixView samples, absl::Span<const double> point,
                  absl::Span<const double> widths, absl::Span<double> sums);

// AddFusedSums adds the same sums, in the same row order, in one pass over the samples:
// r^2 once per sample, then ExpNonPositive(r^2 * a_w) with a_w = -1 / max(2 h^2, DBL_MIN)
// for all widths, a vector of widths at a time. It differs from AddNaiveSums only by the
// exp and the rounding of its argument (see parzen_gaussian_test.cc for the bound). Same
// requirements; thread-safe; allocates O(widths.size()). Both `isa` paths (cpu_features.h)
// give the same bits.
void AddFusedSums(ConstMatrixView samples, absl::Span<const double> point,
                  absl::Span<const double> widths, absl::Span<double> sums, Isa isa = Isa::kBest);

}  // namespace parzen_gaussian_internal
}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_PARZEN_GAUSSIAN_FUSED_SUMS_H_
