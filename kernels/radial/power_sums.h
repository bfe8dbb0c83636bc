// PowerSums: the fused pass of a compact radial kernel whose profile is a count and one
// power of r, k(r / h) = a + b (r / h)^p with p = 0 (tophat), 1 (linear) or 2
// (epanechnikov): for one block of samples around a point and each of a task's sorted
// widths h, the number of samples with 0 < r < h and the sum of r^p over them. O(1) a
// sample whatever the number of widths: each sample is bucketed by the first width above
// it (WidthCells) and the buckets are summed in width order.
//
// No square root. A sample's distance is r = fl(sqrt(q)), q the sum of its squared
// differences in coordinate order (as every pass computes it), and since the rounded root
// is monotone, r < h exactly when q < SquaredThreshold(h), the least q whose root rounds to
// h or above. So samples are bucketed by q against the widths' thresholds, and r^2 is
// summed as q (p = 2: within an ulp of fl(r)^2, and closer to the true square); only p = 1
// takes roots, of the samples within the widths.
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
//   std::vector<double> thresholds;              // From the sorted widths:
//   for (double h : sorted) thresholds.push_back(PowerSums::SquaredThreshold(h));
//   const WidthCells cells(thresholds);
//   PowerSums sums(/*power=*/2);
//   uint64_t zeros = sums.Run(cells, block, point);   // At most kMaxBlock samples.
//   if (sums.Precise(h)) total = sums.Count(k) - sums.Sum(k) / (h * h);
#ifndef PARSWEEP_KERNELS_RADIAL_POWER_SUMS_H_
#define PARSWEEP_KERNELS_RADIAL_POWER_SUMS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/radial/width_cells.h"
#include "runtime/data/matrix.h"

namespace parsweep {
namespace radial {

class PowerSums {
 public:
  // Most samples in a block: the packed counts (below) hold 13 bits.
  static constexpr size_t kMaxBlock = 4096;

  // `power`: 0, 1 or 2.
  explicit PowerSums(int power);

  // SquaredThreshold is the least q >= 0 with fl(sqrt(q)) >= h, for h > 0 (+infinity when
  // no finite q has one: h above sqrt of the largest double).
  static double SquaredThreshold(double h);

  // PowerSums::Run buckets the samples of `block` (rows <= kMaxBlock) around `point`;
  // `cells` holds the thresholds of the task's sorted widths (SquaredThreshold). Returns
  // how many samples are at distance 0 (not counted). Samples with NaN or infinite
  // coordinates are beyond every width. `next`: samples to prefetch, the next block where
  // they come from memory (else empty). `isa` picks a path for tests (cpu_features.h); all
  // give the same bits.
  uint64_t Run(const WidthCells& cells, ConstMatrixView block, const double* point,
               ConstMatrixView next = ConstMatrixView(nullptr, 0, 0), Isa isa = Isa::kBest);

  // For sorted width k (of the last Run): the samples with 0 < r < h_k, and the sum of r^p
  // over them (exact up to half a quantum a sample, rounded once).
  uint64_t Count(size_t k) const { return counts_[k]; }
  double Sum(size_t k) const { return sums_[k]; }
  double Quantum() const { return quantum_; }
  // Precise: whether half a quantum is below 2^-60 of h^p, for kMomentWidthMin <= h <=
  // kMomentWidthMax (radial_profile.h; true for p = 0: counts are exact).
  bool Precise(double h) const;

 private:
  int power_;
  double quantum_ = 0.0;
  // Per half cell (WidthCells: below, or at or above, the cell's threshold), two words:
  // the count << 51 plus the sum of hi, and the sum of lo (two's complement); then the
  // same per bucket (sorted width; bucket size() is beyond every width), for samples in
  // cells that are searched.
  std::vector<uint64_t> half_sums_;
  std::vector<uint64_t> packed_;
  std::vector<uint64_t> low_;
  // The block's samples within the largest width: cell (then half cell), q, and two words,
  // the packed term and lo.
  std::vector<uint64_t> cell_;
  std::vector<double> q_;
  std::vector<uint64_t> pair_;
  std::vector<uint64_t> counts_;
  std::vector<double> sums_;
};

}  // namespace radial
}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_RADIAL_POWER_SUMS_H_
