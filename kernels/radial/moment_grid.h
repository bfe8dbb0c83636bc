// MomentGrid: for one block of samples, the sums over the samples with 0 < r < h of a
// profile's moments f_j(r) (radial_kernel.h's MomentTotals), for any width h, added in an
// order that depends on the samples alone, never on which other widths a task holds. So a
// sweep cut by widths gives the same bits as one task over all of them.
//
// How. Samples are sorted into cells of r that the block's own largest distance fixes:
// 32 cells per binade (the top five bits of r's mantissa), the highest holding that largest
// distance, kCells in all (the lowest also takes everything below it). Cells are summed in
// order of r, each in sample order, into prefix sums; a width's sums are the prefix below
// its cell plus, in sample order, the samples of its own cell that lie below it.
//
// Example:
//   MomentGrid<2> grid;
//   grid.Build(r, count, largest_width, [](double r, double* f) { f[0] += 1; f[1] += r * r; });
//   double sums[2];
//   grid.Sums(h, sums);   // h <= largest_width
#ifndef PARSWEEP_KERNELS_RADIAL_MOMENT_GRID_H_
#define PARSWEEP_KERNELS_RADIAL_MOMENT_GRID_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace parsweep {
namespace radial {

template <size_t K>
class MomentGrid {
 public:
  // 40 binades below the block's largest distance, 32 cells each.
  static constexpr int64_t kCellsPerBinade = 32;
  static constexpr int64_t kCells = 40 * kCellsPerBinade;

  // MomentGrid::Build takes the block's distances (r == 0: at the point, left out) and the
  // largest width that Sums will be asked for; add(r, f) adds a sample's f_j(r) to f[j].
  template <typename AddFn>
  void Build(const double* r, size_t count, double largest_width, AddFn add) {
    double largest = 0.0;
    for (size_t i = 0; i < count; ++i) largest = std::max(largest, r[i]);
    empty_ = largest == 0.0;
    if (empty_) return;
    top_ = Key(largest) - (kCells - 1);
    // Cells kCells to kCells + 7 take the samples left out (at the point, or not below the
    // largest width), in turn, so that neither the counting nor the sorting below branches
    // on r, and no count waits on the one before.
    starts_.assign(kCells + kSpare + 1, 0);
    cells_.resize(count);
    for (size_t i = 0; i < count; ++i) {
      // Both cells computed, one kept by arithmetic: GCC turns a ?: here into a branch.
      const int64_t used = (r[i] > 0.0) & (r[i] < largest_width);
      const int64_t real = CellOf(r[i]);
      const int64_t spare = kCells + static_cast<int64_t>(i % kSpare);
      cells_[i] = static_cast<uint32_t>(spare + (real - spare) * used);
      ++starts_[cells_[i] + 1];
    }
    for (int64_t c = 0; c < kCells + kSpare; ++c) starts_[c + 1] += starts_[c];
    next_ = starts_;
    sorted_.resize(count);
    for (size_t i = 0; i < count; ++i) sorted_[next_[cells_[i]]++] = r[i];
    prefix_.assign((kCells + 1) * K, 0.0);
    double running[K] = {};
    for (int64_t c = 0; c < kCells; ++c) {
      std::memcpy(&prefix_[c * K], running, sizeof(running));
      for (uint32_t i = starts_[c]; i < starts_[c + 1]; ++i) add(sorted_[i], running);
    }
    std::memcpy(&prefix_[kCells * K], running, sizeof(running));
  }

  // MomentGrid::Sums sets sums[j] to the sum of f_j(r) over the block's samples with
  // 0 < r < h, for h up to Build's largest_width.
  template <typename AddFn>
  void Sums(double h, AddFn add, double* sums) const {
    if (empty_) {
      std::fill(sums, sums + K, 0.0);
      return;
    }
    const int64_t key = Key(h) - top_;
    if (key >= kCells) {  // Above every cell: every sample counts.
      std::memcpy(sums, &prefix_[kCells * K], K * sizeof(double));
      return;
    }
    const int64_t cell = std::max<int64_t>(key, 0);
    std::memcpy(sums, &prefix_[cell * K], K * sizeof(double));
    for (uint32_t i = starts_[cell]; i < starts_[cell + 1]; ++i) {
      if (sorted_[i] < h) add(sorted_[i], sums);
    }
  }

 private:
  static constexpr int64_t kSpare = 8;

  // Key orders positive doubles as their values: their bits, cut to 5 mantissa bits.
  static int64_t Key(double r) {
    uint64_t bits;
    std::memcpy(&bits, &r, sizeof(bits));
    return static_cast<int64_t>(bits >> 47);
  }
  int64_t CellOf(double r) const { return std::clamp<int64_t>(Key(r) - top_, 0, kCells - 1); }

  bool empty_ = true;
  int64_t top_ = 0;
  std::vector<uint32_t> cells_;
  std::vector<uint32_t> starts_;
  std::vector<uint32_t> next_;
  std::vector<double> sorted_;
  std::vector<double> prefix_;
};

}  // namespace radial
}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_RADIAL_MOMENT_GRID_H_
