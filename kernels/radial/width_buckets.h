// WidthBuckets: which of a sorted list of widths a distance r falls under, in O(1): the
// index of the first width above r (std::upper_bound's answer), through a uniform grid
// over [0, largest width) that gives a start at or below the answer, and a short walk up
// from it. The compact radial kernels' fused pass buckets every sample by it, as the
// hypercube's band search does.
//
// Example:
//   WidthBuckets buckets(sorted_widths);      // Ascending.
//   size_t b = buckets.Of(r);                 // sorted_widths[b] is the first above r.
#ifndef PARSWEEP_KERNELS_RADIAL_WIDTH_BUCKETS_H_
#define PARSWEEP_KERNELS_RADIAL_WIDTH_BUCKETS_H_

#include <algorithm>
#include <cfloat>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/types/span.h"

namespace parsweep {
namespace radial {

class WidthBuckets {
 public:
  // `sorted`: ascending, positive, finite.
  explicit WidthBuckets(absl::Span<const double> sorted)
      : size_(sorted.size()), padded_(sorted.begin(), sorted.end()) {
    // Two +infinity entries after the widths: a step past the last width never passes.
    padded_.resize(size_ + 2, std::numeric_limits<double>::infinity());
    if (sorted.empty()) return;
    largest_ = sorted.back();
    const size_t cells = std::max<size_t>(64, 4 * sorted.size());
    scale_ = static_cast<double>(cells) / largest_;
    start_.resize(cells + 1);
    // A distance r in cell c has fl(r * scale) >= c, so r >= c (1 - 2 eps) / scale: every
    // width at or below that bound is at or below r, and the count of them is a safe start.
    size_t below = 0;
    for (size_t c = 0; c <= cells; ++c) {
      const double bound = static_cast<double>(c) / scale_ * (1.0 - 4.0 * DBL_EPSILON);
      while (below < size_ && sorted[below] <= bound) ++below;
      start_[c] = static_cast<uint32_t>(below);
    }
  }

  // WidthBuckets::Of is the number of widths at or below r, for a finite r >= 0: the first
  // width above r is sorted[Of(r)], and Of(r) == size() when none is. No branch on r
  // (distances beyond the largest width are common and unpredictable): r is clamped to the
  // largest width, whose cell's start is safe for every r in it or beyond.
  size_t Of(double r) const {
    if (start_.empty()) return 0;  // No widths.
    // A signed conversion: one instruction, where an unsigned one branches on 2^63.
    const int64_t last = static_cast<int64_t>(start_.size()) - 1;
    return Walk(start_[std::min(static_cast<int64_t>(std::min(r, largest_) * scale_), last)], r);
  }

  size_t size() const { return size_; }

 private:
  // Walk steps up from a safe start b to the first width above r: two steps without a
  // branch (a cell of 4 * size() holds more than two widths only if they crowd together),
  // then a loop that rarely runs.
  size_t Walk(size_t b, double r) const {
    b += padded_[b] <= r;
    b += padded_[b] <= r;
    while (padded_[b] <= r) ++b;
    return b;
  }

  size_t size_;
  std::vector<double> padded_;
  double largest_ = 0.0;
  double scale_ = 0.0;
  std::vector<uint32_t> start_;
};

}  // namespace radial
}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_RADIAL_WIDTH_BUCKETS_H_
