// GaussianSums: the Gaussian kernel's partial result for a block of points and widths over
// some of the samples, made so that merging partials in any order, over any cuts of the
// samples at multiples of kSampleBlock, gives the same bits.
//
// For each point it counts the samples at distance zero (r^2 == 0: the point's own sample
// in a held-out sweep, and exact copies of it), whose terms are exactly 1 and are kept
// apart so that a held-out estimate can leave one out exactly. For each (point, width) a
// LongAccumulator holds the sum of the other terms exp(-r^2 / (2 h^2)), added one block of
// kSampleBlock samples at a time as e^(-m / (2 h^2)) * S: m the block's smallest positive
// r^2, S the block's terms shifted by it, exp(-(r^2 - m) / (2 h^2)), summed in sample order
// (the largest is exactly 1, so S is in [1, kSampleBlock] and never underflows). A block
// is fixed by the samples alone, so S is the same in every plan, and the accumulator's sum
// does not depend on the order of the blocks.
//
// Example:
//   GaussianSums sums(points.rows(), widths.size());
//   AddFusedSums(samples, points, widths, sums);
//   double log_total = sums.LogTotal(p, w, /*leave_out=*/0);
#ifndef PARSWEEP_KERNELS_PARZEN_GAUSSIAN_GAUSSIAN_SUMS_H_
#define PARSWEEP_KERNELS_PARZEN_GAUSSIAN_GAUSSIAN_SUMS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "kernels/parzen_gaussian/long_accumulator.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace parzen_gaussian_internal {

// kSampleBlock: samples per fixed block (the planner cuts only at multiples of it). 4096
// r^2 values fill 32 KiB, an L1 data cache; the per-block work (one long double exp per
// width) is then about 1% of the block's exps.
inline constexpr uint64_t kSampleBlock = 4096;

class GaussianSums final : public Partial {
 public:
  GaussianSums(size_t points, size_t widths)
      : widths_(widths), zeros_(points, 0), sums_(points * widths) {}

  size_t points() const { return zeros_.size(); }
  size_t widths() const { return widths_; }

  // GaussianSums::zeros is how many samples lie at distance zero from point p.
  uint64_t& zeros(size_t p) { return zeros_[p]; }
  uint64_t zeros(size_t p) const { return zeros_[p]; }
  // GaussianSums::sum is the accumulator of the other samples' terms at (p, w).
  LongAccumulator& sum(size_t p, size_t w) { return sums_[p * widths_ + w]; }
  const LongAccumulator& sum(size_t p, size_t w) const { return sums_[p * widths_ + w]; }

  // GaussianSums::Total is the whole sum at (p, w), sum_i exp(-r_i^2 / (2 h^2)), less
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

}  // namespace parzen_gaussian_internal
}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_PARZEN_GAUSSIAN_GAUSSIAN_SUMS_H_
