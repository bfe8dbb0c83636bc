// WidthCells against std::upper_bound, and PowerSums against brute force: counts exactly,
// sums within their stated quantum, the same bits on every instruction-set path and
// whichever other widths share the task.
#include "kernels/radial/power_sums.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/cpu_features.h"
#include "kernels/radial/width_cells.h"
#include "runtime/data/matrix.h"

namespace parsweep {
namespace radial {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Width lists that exercise the table: evenly spaced, log-spaced over many binades, with
// duplicates, closer than the finest cells (search cells), one width, all equal, and one
// beyond the square root of the largest double.
std::vector<std::vector<double>> WidthLists() {
  std::vector<std::vector<double>> lists;
  std::vector<double> even;
  for (int i = 0; i < 100; ++i) even.push_back(0.1 + 1.1 * i / 99.0);
  lists.push_back(even);
  std::vector<double> logs;
  for (int i = 0; i < 60; ++i) logs.push_back(std::pow(10.0, -6.0 + 0.2 * i));
  lists.push_back(logs);
  lists.push_back({0.5, 0.5, 0.7, 0.7, 0.7, 2.0, 2.0});
  const double close = 0.3;
  lists.push_back({close, std::nextafter(close, 1.0),
                   std::nextafter(std::nextafter(close, 1.0), 1.0), 0.31, 0.9,
                   std::nextafter(0.9, 0.0), 0.9});
  lists.push_back({0.25});
  lists.push_back({1.5, 1.5, 1.5});
  // A width whose square overflows: its squared threshold is +infinity.
  lists.push_back({0.5, 2.0, 1e155});
  return lists;
}

// Distances: zeros, every width and its neighbours, random values around them, huge, +inf
// and NaN.
std::vector<double> Distances(const std::vector<double>& widths, uint32_t seed) {
  std::vector<double> r = {0.0,   0.0,
                           kInf,  std::numeric_limits<double>::quiet_NaN(),
                           1e300, std::numeric_limits<double>::denorm_min()};
  for (double w : widths) {
    r.push_back(w);
    r.push_back(std::nextafter(w, 0.0));
    r.push_back(std::nextafter(w, kInf));
  }
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double top = widths.back() * 1.3;
  while (r.size() < PowerSums::kMaxBlock) r.push_back(top * unit(rng) * unit(rng));
  std::shuffle(r.begin(), r.end(), rng);
  return r;
}

TEST(WidthCellsTest, OfIsTheUpperBound) {
  for (std::vector<double> widths : WidthLists()) {
    std::sort(widths.begin(), widths.end());
    const WidthCells cells(widths);
    for (double r : Distances(widths, 1)) {
      const size_t expected =
          std::isnan(r) ? widths.size()
                        : std::upper_bound(widths.begin(), widths.end(), r) - widths.begin();
      ASSERT_EQ(cells.Of(r), expected) << "r = " << r << ", first width " << widths[0];
    }
  }
}

TEST(WidthCellsTest, NoWidths) {
  const WidthCells cells(std::vector<double>{});
  EXPECT_EQ(cells.Of(0.0), 0u);
  EXPECT_EQ(cells.Of(1.0), 0u);
}

// Samples around the origin in `dims` dimensions at the distances Distances() lists (along
// the first axis, so each lands on its distance or next to it), then random ones.
struct Block {
  std::vector<double> data;
  std::vector<double> point;
  size_t dims;
  ConstMatrixView View() const { return {data.data(), data.size() / dims, dims}; }
};
Block MakeBlock(const std::vector<double>& widths, size_t dims, uint32_t seed) {
  Block block{{}, std::vector<double>(dims, 0.0), dims};
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, widths.back());
  for (double r : Distances(widths, seed)) {
    if (block.data.size() / dims >= PowerSums::kMaxBlock / 2) break;
    block.data.push_back(r);
    for (size_t j = 1; j < dims; ++j) block.data.push_back(0.0);
  }
  while (block.data.size() / dims < PowerSums::kMaxBlock - 1) {  // Not a multiple of 4.
    for (size_t j = 0; j < dims; ++j) block.data.push_back(normal(rng));
  }
  return block;
}

// The sorted widths' squared thresholds, as RadialKernel builds them.
std::vector<double> Thresholds(const std::vector<double>& sorted) {
  std::vector<double> thresholds;
  for (double h : sorted) thresholds.push_back(PowerSums::SquaredThreshold(h));
  return thresholds;
}

TEST(PowerSumsTest, SquaredThresholdIsTheLeastSquareWhoseRootReachesTheWidth) {
  std::vector<double> widths = {1e-300,
                                std::numeric_limits<double>::denorm_min(),
                                1e-160,
                                0.1,
                                1.0,
                                std::sqrt(2.0),
                                3e100,
                                1e154,
                                1.3407807929942596e154};
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> unit(0.0, 2.0);
  for (int i = 0; i < 2000; ++i) widths.push_back(unit(rng));
  for (double h : widths) {
    const double t = PowerSums::SquaredThreshold(h);
    ASSERT_GE(std::sqrt(t), h) << h;
    if (t > 0) {
      ASSERT_LT(std::sqrt(std::nextafter(t, 0.0)), h) << h;
    }
  }
  EXPECT_EQ(PowerSums::SquaredThreshold(1e155), kInf);
  EXPECT_EQ(PowerSums::SquaredThreshold(std::numeric_limits<double>::max()), kInf);
}

// Brute force over the block, each distance computed as the passes compute it: samples with
// 0 < r < h, and the sum of r^p (r^2 as q) over them in long double.
struct Expected {
  uint64_t count = 0;
  long double sum = 0;
  uint64_t zeros = 0;  // Samples at r = 0.
};
Expected BruteForce(const Block& block, double h, int power) {
  Expected e;
  const ConstMatrixView view = block.View();
  for (size_t i = 0; i < view.rows(); ++i) {
    double q = 0.0;
    for (size_t j = 0; j < view.cols(); ++j) {
      q += (block.point[j] - view.row(i)[j]) * (block.point[j] - view.row(i)[j]);
    }
    const double r = std::sqrt(q);
    e.zeros += r == 0;
    if (r > 0 && r < h) {
      ++e.count;
      e.sum += power == 0 ? 0.0L : power == 1 ? r : q;
    }
  }
  return e;
}

TEST(PowerSumsTest, CountsExactlyAndSumsWithinTheQuantum) {
  for (std::vector<double> widths : WidthLists()) {
    std::sort(widths.begin(), widths.end());
    const WidthCells cells(Thresholds(widths));
    for (size_t dims : {1, 2, 3}) {
      const Block block = MakeBlock(widths, dims, 2);
      for (int power : {0, 1, 2}) {
        PowerSums sums(power);
        const uint64_t zeros = sums.Run(cells, block.View(), block.point.data());
        // At the point, or with q underflowing to 0 (denorm_min squared).
        EXPECT_EQ(zeros, BruteForce(block, kInf, 0).zeros);
        for (size_t k = 0; k < widths.size(); ++k) {
          const Expected e = BruteForce(block, widths[k], power);
          ASSERT_EQ(sums.Count(k), e.count) << "power " << power << " h " << widths[k];
          if (!sums.Precise(widths[k])) continue;
          // Half a quantum a term and one rounding of the total (the long double's own
          // rounding, with its 64-bit mantissa, is far below).
          const double bound =
              e.count * sums.Quantum() / 2 + std::abs(static_cast<double>(e.sum)) * 0x1p-52;
          EXPECT_NEAR(sums.Sum(k), static_cast<double>(e.sum), bound)
              << "power " << power << " h " << widths[k];
        }
      }
    }
  }
}

// The block's grid: a quantum far below 2^-60 h^p for ordinary widths, and a width far
// below the block's largest distance is not precise (its caller adds terms one by one).
TEST(PowerSumsTest, PreciseFollowsTheGrid) {
  const std::vector<double> widths = {1e-9, 0.5, 1.0};
  const WidthCells cells(Thresholds(widths));
  const std::vector<double> samples = {0.25, 0.75, 3.0, kInf};
  const double origin = 0.0;
  PowerSums sums(2);
  EXPECT_EQ(sums.Run(cells, ConstMatrixView(samples.data(), 4, 1), &origin), 0u);
  // Largest finite r^2 = 9 < 2^4: S = 34, quantum 2^-83.
  EXPECT_EQ(sums.Quantum(), std::ldexp(1.0, -83));
  EXPECT_TRUE(sums.Precise(0.5));
  EXPECT_FALSE(sums.Precise(1e-9));
  EXPECT_EQ(sums.Count(2), 2u);
  EXPECT_EQ(sums.Sum(2), 0.25 * 0.25 + 0.75 * 0.75);
  PowerSums counts(0);
  counts.Run(cells, ConstMatrixView(samples.data(), 4, 1), &origin);
  EXPECT_TRUE(counts.Precise(1e-300));
}

TEST(PowerSumsTest, EveryPathGivesTheSameBits) {
  for (std::vector<double> widths : WidthLists()) {
    std::sort(widths.begin(), widths.end());
    const WidthCells cells(Thresholds(widths));
    const Block block = MakeBlock(widths, 2, 3);
    const ConstMatrixView none(nullptr, 0, 0);
    for (int power : {0, 1, 2}) {
      PowerSums portable(power);
      portable.Run(cells, block.View(), block.point.data(), none, Isa::kPortable);
      for (Isa isa : {Isa::kAvx2, Isa::kBest}) {
        if (!IsaRuns(isa)) {
          GTEST_LOG_(INFO) << "this CPU does not run an instruction-set path: skipped";
          continue;
        }
        PowerSums other(power);
        other.Run(cells, block.View(), block.point.data(), block.View(), isa);
        for (size_t k = 0; k < widths.size(); ++k) {
          ASSERT_EQ(other.Count(k), portable.Count(k));
          ASSERT_EQ(other.Sum(k), portable.Sum(k));
        }
      }
    }
  }
}

// A width's count and sum do not depend on the other widths of the task: all of them, every
// other one, and each alone.
TEST(PowerSumsTest, AWidthsSumsDoNotDependOnTheOtherWidths) {
  const std::vector<double> widths = WidthLists()[0];
  const Block block = MakeBlock(widths, 2, 4);
  for (int power : {0, 1, 2}) {
    const WidthCells all_cells(Thresholds(widths));
    PowerSums all(power);
    all.Run(all_cells, block.View(), block.point.data());
    std::vector<double> half;
    for (size_t k = 1; k < widths.size(); k += 2) half.push_back(widths[k]);
    const WidthCells half_cells(Thresholds(half));
    PowerSums some(power);
    some.Run(half_cells, block.View(), block.point.data());
    for (size_t k = 1; k < widths.size(); k += 2) {
      ASSERT_EQ(some.Count(k / 2), all.Count(k));
      ASSERT_EQ(some.Sum(k / 2), all.Sum(k));
      const WidthCells one_cell(Thresholds({widths[k]}));
      PowerSums one(power);
      one.Run(one_cell, block.View(), block.point.data());
      ASSERT_EQ(one.Count(0), all.Count(k));
      ASSERT_EQ(one.Sum(0), all.Sum(k));
    }
  }
}

}  // namespace
}  // namespace radial
}  // namespace parsweep
