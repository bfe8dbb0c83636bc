// PowerSums: the fused pass of a compact radial kernel whose profile is a count and one
// power of r, k(r / h) = a + b (r / h)^p with p = 0 (tophat), 1 (linear) or 2
// (epanechnikov): for one block of distances and each of a task's sorted widths h, the
// number of samples with 0 < r < h and the sum of r^p over them. O(1) a sample whatever the
// number of widths: each sample is bucketed by the first width above it (WidthCells) and
// the buckets are summed in width order.
//
// Why integers. A width's sums must have the same bits whichever other widths share its
// task, or a sweep cut by widths would change its answer; floating-point sums grouped by
// the task's buckets would not. So each term r^p is cut, once, into two integers on a grid
// that the block alone fixes (its largest finite distance): y = r^p 2^S < 2^38, hi = y
// rounded to an integer, lo = (y - hi) 2^49 rounded. Sums of integers are exact in any
// grouping; a width's sum is rounded to a double once. Each term is off by at most half a
// quantum, Quantum() = 2^-(S + 49) <= 2^-86 (largest r)^p; Precise() says whether that is
// below 2^-60 of h^p (else the caller adds that width's terms one by one).
//
// Example:
//   PowerSums sums(/*power=*/2);
//   sums.Run(cells, r, count, zeros);     // A block of at most kMaxBlock distances.
//   if (sums.Precise(k, h)) total = sums.Count(k) - sums.Sum(k) / (h * h);
#ifndef PARSWEEP_KERNELS_RADIAL_POWER_SUMS_H_
#define PARSWEEP_KERNELS_RADIAL_POWER_SUMS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/radial/width_cells.h"

namespace parsweep {
namespace radial {

class PowerSums {
 public:
  // Most distances in a block: the packed counts (below) hold 13 bits.
  static constexpr size_t kMaxBlock = 4096;

  // `power`: 0, 1 or 2.
  explicit PowerSums(int power);

  // PowerSums::Run buckets a block's distances r[0..count), count <= kMaxBlock; `zeros` of
  // them are 0 (at the point, not counted). r may hold +infinity and NaN (beyond every
  // width). `isa` picks a path for tests (cpu_features.h); all give the same bits.
  void Run(const WidthCells& cells, const double* r, size_t count, uint64_t zeros,
           Isa isa = Isa::kBest);

  // For sorted width k (of the last Run): the samples with 0 < r < h_k, and the sum of r^p
  // over them (exact up to one quantum a sample, rounded once).
  uint64_t Count(size_t k) const { return counts_[k]; }
  double Sum(size_t k) const { return sums_[k]; }
  double Quantum() const { return quantum_; }
  // Precise: whether half a quantum is below 2^-60 of h^p, for 1e-12 <= h <= 1e12 (true for
  // p = 0: counts are exact).
  bool Precise(double h) const;

 private:
  int power_;
  double quantum_ = 0.0;
  // Per half cell (WidthCells: below, or at or above, the cell's width), then per bucket
  // (sorted width; bucket size() is beyond every width): the count << 51 plus the sum of
  // hi, and the sum of lo (two's complement).
  std::vector<uint64_t> half_term_;
  std::vector<uint64_t> half_low_;
  std::vector<uint64_t> packed_;
  std::vector<uint64_t> low_;
  // One chunk's samples within the largest width: cell, distance, packed term, lo.
  std::vector<uint64_t> cell_;
  std::vector<double> r_;
  std::vector<uint64_t> term_;
  std::vector<uint64_t> term_low_;
  std::vector<uint64_t> counts_;
  std::vector<double> sums_;
};

}  // namespace radial
}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_RADIAL_POWER_SUMS_H_
