// The Gaussian kernel's two ways to add up sum_i exp(-|x - s_i|^2 / (2 h^2)) for every
// width into a BlockSums (block_sums.h): one pass over the samples per width with
// std::exp (naive), or one pass for all widths with a vector exp (fused). Both cut the
// samples into fixed blocks of kSampleBlock from the first row given, and in each block
// shift by its smallest positive r^2 (m) before the exp, so a term never underflows unless
// it is below 2^-1074 of the block's largest; the block's sum then enters the exact
// accumulator as e^(-m a) * S. Internal to kernels/parzen_gaussian (the kernel picks one by
// its `algorithm` parameter); a header of its own so tests can run each instruction-set path
// of the fused pass.
//
// The exponent of a term is -(r^2 - m) / (2 h^2), computed as ((r^2 - m) * s1) * s2: for
// widths whose 2 h^2 is a normal double, s1 = -1 / (2 h^2) and s2 = 1 (one rounding of the
// product, as before blocks existed); for the others (h below about 1.5e-154, or above
// 9.5e153) s1 = -1 / h and s2 = 1 / (2 h), so that no factor underflows or overflows: the
// exponent is right for every normal h. The naive pass divides instead, -(r^2 - m) / (2 h^2),
// with the same two-factor form where 2 h^2 is not normal.
//
// Example:
//   BlockSums sums(points.rows(), widths.size());
//   AddFusedSums(samples.View(), points.View(), widths, sums);
#ifndef PARSWEEP_KERNELS_PARZEN_GAUSSIAN_FUSED_SUMS_H_
#define PARSWEEP_KERNELS_PARZEN_GAUSSIAN_FUSED_SUMS_H_

#include <vector>

#include "absl/types/span.h"
#include "kernels/cpu_features.h"
#include "kernels/exact_sums/block_sums.h"
#include "runtime/data/matrix.h"

namespace parsweep {
namespace parzen_gaussian_internal {

// The partial and its exact sums are shared with the radial kernels (kernels/exact_sums/).
using exact_sums::BlockSums;
using exact_sums::kSampleBlock;
using exact_sums::LongAccumulator;

// AddNaiveSums adds to `sums` (points.rows() x widths.size()) the terms of every row of
// `samples` at every row of `points`, one pass over the samples per width. Requires
// points.cols() == samples.cols(). Thread-safe.
void AddNaiveSums(ConstMatrixView samples, ConstMatrixView points, absl::Span<const double> widths,
                  BlockSums& sums);

// AddFusedSums adds the same terms in one pass over each block of samples for all widths:
// r^2 once per sample, then ExpNonPositive(((r^2 - m) s1_w) s2_w) a vector of widths at a
// time. It differs from AddNaiveSums only by the exp and the rounding of its argument (see
// parzen_gaussian_test.cc for the bound). Same requirements; thread-safe; allocates
// O(widths.size() + kSampleBlock). Every `isa` path (cpu_features.h) gives the same bits;
// Isa::kAvx512 on a CPU with AVX2 but not AVX-512 runs the AVX-512 path's eight-lane code on
// AVX2 instructions, so that tests check its logic on any AVX2 machine.
void AddFusedSums(ConstMatrixView samples, ConstMatrixView points, absl::Span<const double> widths,
                  BlockSums& sums, Isa isa = Isa::kBest);

// ShiftedExpPass is the fused pass's core, for values other than r^2 (the exponential
// kernel's r, kernels/radial/): for every width w, the sum in order over i of
// ExpNonPositive(((values[i] - shift) s1[w]) s2[w]), where shift <= every value and
// +infinity values (left out) add exactly +0. The same vector paths, chosen once, and the
// same bits on every one. Not thread-safe (it keeps its totals); one per thread or task.
//
// Example:
//   ShiftedExpPass pass(s1, s2);             // s1[w] = -1 / h_w, s2[w] = 1
//   absl::Span<const double> totals = pass.Run(r, count, nearest);
class ShiftedExpPass {
 public:
  ShiftedExpPass(absl::Span<const double> s1, absl::Span<const double> s2, Isa isa = Isa::kBest);

  // ShiftedExpPass::Run returns the widths' sums over values[0, size).
  absl::Span<const double> Run(const double* values, size_t size, double shift);

 private:
  using PassFunction = void (*)(const double*, size_t, double, const double*, const double*,
                                double*, size_t, size_t);
  PassFunction pass_;
  size_t widths_;
  size_t padded_;
  std::vector<double> s1_;
  std::vector<double> s2_;
  std::vector<double> totals_;
};

}  // namespace parzen_gaussian_internal
}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_PARZEN_GAUSSIAN_FUSED_SUMS_H_
