// BlockSums: the partial result of a kernel that sums positive terms over the samples (the
// Gaussian, the radial kernels of kernels/radial/), for a block of points and widths over
// some of the samples, made so that merging partials in any order, over any cuts of the
// samples at multiples of kSampleBlock, gives the same bits.
//
// For each point it counts the samples at distance zero (the point's own sample in a
// held-out sweep, and exact copies of it), whose terms are exactly 1 (every kernel here
// has K(0) = 1 before normalisation) and are kept apart so that a held-out estimate can
// leave one out exactly. For each (point, width) a LongAccumulator holds the sum of the
// other terms, added one block of kSampleBlock samples at a time as e^t * S: the kernel
// sums the block's terms in sample order into S, shifted by e^-t where its terms could
// underflow (the Gaussian shifts by the block's nearest sample: t = -m / (2 h^2), and the
// largest shifted term is exactly 1, so S is in [1, kSampleBlock]; a compact kernel's terms
// are in [0, 1] and need no shift, t = 0). A block is fixed by the samples alone, so S is
// the same in every plan, and the accumulator's sum does not depend on the order of the
// blocks.
//
// Example:
//   BlockSums sums(points.rows(), widths.size());
//   sums.zeros(p) += samples_at_the_point;
//   sums.sum(p, w).Add(t, block_sum);
//   LongAccumulator total = sums.Total(p, w, /*leave_out=*/0);
#ifndef PARSWEEP_KERNELS_EXACT_SUMS_BLOCK_SUMS_H_
#define PARSWEEP_KERNELS_EXACT_SUMS_BLOCK_SUMS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "kernels/exact_sums/long_accumulator.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace exact_sums {

// kSampleBlock: samples per fixed block (the planner cuts only at multiples of it). 4096
// r^2 values fill 32 KiB, an L1 data cache; the per-block work (one long double exp per
// width) is then about 1% of the block's exps.
inline constexpr uint64_t kSampleBlock = 4096;

class BlockSums final : public Partial {
 public:
  BlockSums(size_t points, size_t widths)
      : widths_(widths), zeros_(points, 0), sums_(points * widths) {}

  size_t points() const { return zeros_.size(); }
  size_t widths() const { return widths_; }

  // BlockSums::zeros is how many samples lie at distance zero from point p.
  uint64_t& zeros(size_t p) { return zeros_[p]; }
  uint64_t zeros(size_t p) const { return zeros_[p]; }
  // BlockSums::sum is the accumulator of the other samples' terms at (p, w).
  LongAccumulator& sum(size_t p, size_t w) { return sums_[p * widths_ + w]; }
  const LongAccumulator& sum(size_t p, size_t w) const { return sums_[p * widths_ + w]; }

  // BlockSums::Total is the whole sum at (p, w), sum_i exp(-r_i^2 / (2 h^2)), less
  // `leave_out` of the terms at distance zero (requires leave_out <= zeros(p)): the sum with
  // the zero-distance count added in exactly.
  LongAccumulator Total(size_t p, size_t w, uint64_t leave_out) const;

  absl::Status Merge(const Partial& other) override;
  std::string Serialize() const override;
  absl::Status Parse(absl::string_view bytes) override;

 private:
  size_t widths_;
  std::vector<uint64_t> zeros_;
  std::vector<LongAccumulator> sums_;
};

// Normalisation: a kernel's constant c_d, K_h(x) = c_d h^-d k(|x| / h), as a double and as
// its log (each computed once, by the kernel's own formula).
struct Normalisation {
  double constant;
  double log_constant;
};

// DescribeBlockSums fills each result's `sum`, `density` and `log_density` from `total` (a
// BlockSums over all n samples), leaving out `leave_out` samples at distance zero per point
// (a held-out estimate) and normalising over the n - leave_out others: density = sum c_d
// h^-d / (n - leave_out). The density comes from the sum's mantissa and binary exponent, so
// that neither the sum nor c_d h^-d must be a double on its own (h^-d alone overflows for
// h = 1e-20 in 20-D); the log density is exact where the density underflows. Internal if
// `total` is not a BlockSums of results' shape, or a point has fewer zero-distance samples
// than `leave_out` (not one of the samples).
absl::Status DescribeBlockSums(const Partial& total, uint64_t n, size_t dims,
                               absl::Span<const double> widths, uint64_t leave_out,
                               const Normalisation& normalisation, WidthResults results);

}  // namespace exact_sums
}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_EXACT_SUMS_BLOCK_SUMS_H_
