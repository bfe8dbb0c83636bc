// The hypercube kernel's two ways to count, for every width, the samples inside the window
// around a point: the tutorial's loop (one pass over the samples per width) and the fused
// pass (one pass for all widths). They give the same counts, bit for bit, for any input:
// NaN and infinite coordinates, duplicate and unsorted widths. Internal to
// kernels/parzen_hypercube (the kernel selects one by its `algorithm` parameter); a header
// of its own so tests can drive each instruction-set path of the fused pass.
//
// Example:
//   AddFusedCounts(samples.View(), point, widths, absl::MakeSpan(counts));
#ifndef PARSWEEP_KERNELS_PARZEN_HYPERCUBE_FUSED_COUNTS_H_
#define PARSWEEP_KERNELS_PARZEN_HYPERCUBE_FUSED_COUNTS_H_

#include <cstdint>

#include "absl/types/span.h"
#include "kernels/cpu_features.h"
#include "runtime/data/matrix.h"

namespace parsweep {
namespace parzen_hypercube_internal {

// AddNaiveCounts adds to counts[p * widths.size() + w], for every row p of `points`, the
// number of rows s of `samples` with |points_pj - s_j| <= 0.5 * widths[w] for every j, one
// pass over the samples per point and width. Requires points.cols() == samples.cols() and
// counts.size() == points.rows() * widths.size(). Thread-safe.
void AddNaiveCounts(ConstMatrixView samples, ConstMatrixView points,
                    absl::Span<const double> widths, absl::Span<uint64_t> counts);

// AddFusedCounts adds exactly what AddNaiveCounts adds, in one pass over the samples per
// point; the sorted half-widths and their bucket table are built once for all the points.
// Same requirements; thread-safe; allocates O(widths.size()) per call. `isa`
// (cpu_features.h): kBest has an AVX2 path for d = 2 only.
void AddFusedCounts(ConstMatrixView samples, ConstMatrixView points,
                    absl::Span<const double> widths, absl::Span<uint64_t> counts,
                    Isa isa = Isa::kBest);

// The same for one point: AddNaiveCounts adds to counts[w] the number of rows s of `samples` with
// |point_j - s_j| <= 0.5 * widths[w] for every j, one pass over the samples per width.
// Requires point.size() == samples.cols() and counts.size() == widths.size(). Thread-safe.
void AddNaiveCounts(ConstMatrixView samples, absl::Span<const double> point,
                    absl::Span<const double> widths, absl::Span<uint64_t> counts);

// AddFusedCounts for one point.
void AddFusedCounts(ConstMatrixView samples, absl::Span<const double> point,
                    absl::Span<const double> widths, absl::Span<uint64_t> counts,
                    Isa isa = Isa::kBest);

}  // namespace parzen_hypercube_internal
}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_PARZEN_HYPERCUBE_FUSED_COUNTS_H_
