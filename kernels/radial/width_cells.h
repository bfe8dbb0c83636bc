// WidthCells: how many of a task's sorted widths lie at or below a distance r (the index of
// the first width above r, std::upper_bound's answer), exactly, with one table load and one
// comparison. The compact radial kernels' fused pass buckets every sample by it.
//
// How. A distance's cell is its top bits, the exponent and B bits of the mantissa: a
// monotone function of r computed with a shift, no table and no rounding. B is the fewest
// bits that put no two distinct widths into one cell, so a cell holds at most one width
// (with its duplicates), and r >= that width decides between the cell's two answers.
// Widths that even the finest cells the table may hold cannot part (closer than 2^-kMaxBits
// relative, or than kMaxCells cells over their range allow) fall back to a binary search
// for the samples in their cell. (The power pass, power_sums.h, gives it squared
// distances and the widths' squared thresholds: the same order.)
//
// Example:
//   WidthCells cells(sorted_widths);   // Ascending, positive.
//   size_t b = cells.Of(r);            // sorted_widths[b] is the first width above r.
#ifndef PARSWEEP_KERNELS_RADIAL_WIDTH_CELLS_H_
#define PARSWEEP_KERNELS_RADIAL_WIDTH_CELLS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "absl/base/optimization.h"
#include "absl/types/span.h"

namespace parsweep {
namespace radial {

class WidthCells {
 public:
  // A cell's two answers: `index[0]` for r below `boundary`, `index[1]` at or above it.
  // A cell without a width has boundary = +infinity; a cell that holds two distinct widths
  // (kMaxBits could not part them) has boundary = NaN and kSearch in both.
  struct Cell {
    double boundary;
    uint32_t index[2];
  };
  static constexpr uint32_t kSearch = std::numeric_limits<uint32_t>::max();
  // Mantissa bits of the finest cells, and the most cells a table may hold (16 bytes each).
  static constexpr int kMaxBits = 20;
  static constexpr int64_t kMaxCells = int64_t{1} << 14;

  // `sorted`: ascending and positive; the last ones may be +infinity; may be empty.
  explicit WidthCells(absl::Span<const double> sorted)
      : size_(sorted.size()), sorted_(sorted.begin(), sorted.end()) {
    largest_ = sorted.empty() ? -std::numeric_limits<double>::infinity() : sorted.back();
    // The distinct widths below the largest: the largest itself is told apart by r < largest.
    std::vector<double> bounds;
    for (size_t i = 0; i < size_; ++i) {
      if (sorted[i] < largest_ && (bounds.empty() || sorted[i] != bounds.back())) {
        bounds.push_back(sorted[i]);
      }
    }
    int bits = 0;
    if (!bounds.empty()) {
      for (int b = 0; b <= kMaxBits; ++b) {
        const int shift = 52 - b;
        if ((Key(bounds.back(), shift) - Key(bounds.front(), shift)) >= kMaxCells) break;
        bits = b;
        bool parted = true;
        for (size_t i = 1; i < bounds.size() && parted; ++i) {
          parted = Key(bounds[i], shift) != Key(bounds[i - 1], shift);
        }
        if (parted) break;
      }
    }
    shift_ = 52 - bits;
    key_lo_ = bounds.empty() ? 0 : Key(bounds.front(), shift_);
    cells_ = bounds.empty() ? 1 : Key(bounds.back(), shift_) - key_lo_ + 1;
    table_.assign(cells_, Cell{std::numeric_limits<double>::infinity(), {0, 0}});
    // Walk the cells and the widths together: `below` counts the widths under the cell.
    size_t below = 0;
    for (int64_t c = 0; c < cells_; ++c) {
      Cell& cell = table_[c];
      size_t end = below;
      while (end < size_ && sorted[end] < largest_ && Key(sorted[end], shift_) - key_lo_ == c) {
        ++end;
      }
      if (end == below) {
        cell.index[0] = cell.index[1] = static_cast<uint32_t>(below);
      } else if (sorted[end - 1] != sorted[below]) {
        cell.boundary = std::numeric_limits<double>::quiet_NaN();
        cell.index[0] = cell.index[1] = kSearch;
      } else {
        cell.boundary = sorted[below];
        cell.index[0] = static_cast<uint32_t>(below);
        cell.index[1] = static_cast<uint32_t>(end);
      }
      below = end;
    }
    // Half cells in order (2 c: below cell c's width, 2 c + 1: at or above it) answer
    // non-decreasing indices; a search cell's halves, which hold nothing, count as their
    // predecessor's. half_ends_[k] is the first half whose answer is above k.
    std::vector<uint32_t> answers(2 * cells_);
    uint32_t answer = 0;
    for (int64_t half = 0; half < 2 * cells_; ++half) {
      const uint32_t index = table_[half / 2].index[half % 2];
      if (index != kSearch) answer = index;
      answers[half] = answer;
    }
    half_ends_.resize(size_);
    size_t half = 0;
    for (size_t k = 0; k < size_; ++k) {
      while (half < answers.size() && answers[half] <= k) ++half;
      half_ends_[k] = static_cast<uint32_t>(half);
    }
  }

  // WidthCells::Of is the number of widths at or below r for r >= 0, and size() for NaN.
  size_t Of(double r) const {
    if (!(r < largest_)) return size_;
    const Cell& cell = table_[CellOf(r)];
    const uint32_t k = cell.index[r >= cell.boundary];
    if (ABSL_PREDICT_FALSE(k == kSearch)) return Search(r);
    return k;
  }

  // Search is Of(r) by binary search, for the cells marked kSearch.
  size_t Search(double r) const {
    return std::upper_bound(sorted_.begin(), sorted_.end(), r) - sorted_.begin();
  }

  // CellOf is r's cell, for 0 <= r < largest(): (bits of r >> shift()) - key_lo(), clamped
  // to [0, cells() - 1] (a distance below the smallest width shares its cell and lies below
  // its boundary; one above the last boundary lies above it).
  int64_t CellOf(double r) const {
    return std::clamp<int64_t>(Key(r, shift_) - key_lo_, 0, cells_ - 1);
  }

  // HalfEnd is the first half cell (2 c + (r >= cell c's width)) whose samples lie above
  // the k-th width: summing the halves in order up to there gives the samples below it.
  size_t HalfEnd(size_t k) const { return half_ends_[k]; }

  size_t size() const { return size_; }
  double largest() const { return largest_; }
  int shift() const { return shift_; }
  int64_t key_lo() const { return key_lo_; }
  int64_t cells() const { return cells_; }
  const Cell* table() const { return table_.data(); }

 private:
  static int64_t Key(double r, int shift) {
    uint64_t bits;
    std::memcpy(&bits, &r, sizeof(bits));
    return static_cast<int64_t>(bits >> shift);
  }

  size_t size_;
  std::vector<double> sorted_;
  double largest_;
  int shift_ = 52;
  int64_t key_lo_ = 0;
  int64_t cells_ = 1;
  std::vector<Cell> table_;
  std::vector<uint32_t> half_ends_;
};

}  // namespace radial
}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_RADIAL_WIDTH_CELLS_H_
