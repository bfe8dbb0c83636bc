// RadialKernel<Profile>: the whole kernel for a radial profile (radial_profile.h): its
// partial (BlockSums, kernels/exact_sums/: exact sums in fixed blocks of samples, so every
// plan gives the same bits), a naive pass per width and a fused pass for all widths, the
// density and its log, the held-out estimate and the Gaussian-equivalent width. A radial
// kernel's folder holds its Profile and one registration line:
//
// Example:
//   PARSWEEP_REGISTER_KERNEL(epanechnikov, "...", radial::CreateRadialKernel<Epanechnikov>,
//                            KernelAlgorithmOption());
//
// The passes. Both compute each sample's distance r = |x - s| (or, in the power pass, only
// its square) once per point and block and add each width's terms in a fixed order:
//   fused (default)  one pass over each block for every width. A compact profile that is
//                    a count and a power of r buckets each sample by the first width above
//                    it and sums integers (PowerSums: O(1) a sample, exact in any
//                    grouping); one with other moments sums them through a grid of r
//                    (MomentTotals); one with neither adds k(r / h) for the widths with
//                    h > r, found by a cell table (WidthCells).
//   naive            one pass over the samples per width (the tutorial's loop).
// A non-compact profile (exponential, log k(r / h) = s_h r) shifts each block by its nearest
// sample m, as the Gaussian does: terms k(r / h) / k(m / h) = exp((r - m) s_h) <= 1, so
// nothing underflows where the density is a double, and the log density stays right far
// below that. Its fused pass is the Gaussian's vector exp (ShiftedExpPass) over r, so it
// differs from the naive pass (std::exp of -(r - m) / h) in the last bits, as the
// Gaussian's passes do: radial_kernel_test.cc bounds the difference.
#ifndef PARSWEEP_KERNELS_RADIAL_RADIAL_KERNEL_H_
#define PARSWEEP_KERNELS_RADIAL_RADIAL_KERNEL_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "kernels/exact_sums/block_sums.h"
#include "kernels/exact_sums/long_accumulator.h"
#include "kernels/parzen_gaussian/fused_sums.h"
#include "kernels/radial/distances.h"
#include "kernels/radial/moment_grid.h"
#include "kernels/radial/power_sums.h"
#include "kernels/radial/radial_profile.h"
#include "kernels/radial/width_cells.h"
#include "runtime/data/gaussian.h"
#include "runtime/data/matrix.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace radial {

using exact_sums::BlockSums;
using exact_sums::kSampleBlock;
using exact_sums::LongAccumulator;
using parzen_gaussian_internal::ShiftedExpPass;

// NearestPositive is the smallest positive distance, +infinity if there is none.
inline double NearestPositive(const double* distances, size_t count) {
  double nearest = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < count; ++i) {
    if (distances[i] > 0.0 && distances[i] < nearest) nearest = distances[i];
  }
  return nearest;
}

// ProfileMoments<Profile>: a profile's optional moments (radial_profile.h): kMoments (0 when
// it declares none).
template <typename Profile, typename = void>
struct ProfileMoments {
  static constexpr size_t kMoments = 0;
};
template <typename Profile>
struct ProfileMoments<Profile, std::void_t<decltype(Profile::kMoments)>> {
  static constexpr size_t kMoments = Profile::kMoments;
};

// ProfilePower<Profile>: whether a profile is a count and one power of r (kPower,
// radial_profile.h), summed by PowerSums.
template <typename Profile, typename = void>
struct ProfilePower {
  static constexpr bool kHas = false;
};
template <typename Profile>
struct ProfilePower<Profile, std::void_t<decltype(Profile::kPower)>> {
  static constexpr bool kHas = true;
};

template <typename Profile>
class RadialKernel : public Kernel {
 public:
  explicit RadialKernel(KernelAlgorithm algorithm) : algorithm_(algorithm) {}

  std::unique_ptr<Partial> NewPartial(size_t points, size_t widths) const override {
    return std::make_unique<BlockSums>(points, widths);
  }

  bool MergesInAnyOrder() const override { return true; }  // Exact sums.
  uint64_t SampleBlock() const override { return kSampleBlock; }

  // A square root per sample and a division (and for some profiles a cos or an exp) per
  // evaluation; a 48-byte accumulator per result.
  KernelCost Cost() const override {
    KernelCost cost;
    cost.one_pass_for_all_widths = algorithm_ == KernelAlgorithm::kFused;
    cost.evaluation_bytes = Profile::kCompact ? 4 : 16;
    cost.partial_bytes_per_result = 48;
    return cost;
  }

  absl::Status Accumulate(ConstMatrixView samples, ConstMatrixView points,
                          absl::Span<const double> widths, Partial& partial) const override {
    auto& sums = static_cast<BlockSums&>(partial);
    std::vector<double> distances(std::min<uint64_t>(samples.rows(), kSampleBlock));
    // The widths by increasing value, for the compact fused pass.
    std::vector<size_t> order(widths.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return widths[a] < widths[b]; });
    std::vector<double> sorted(widths.size());
    for (size_t k = 0; k < order.size(); ++k) sorted[k] = widths[order[k]];
    std::vector<double> totals(widths.size());
    // A non-compact profile's fused pass is the Gaussian's vector exp over r
    // (ShiftedExpPass): exp(((r - m) s1) s2), s1 s2 = s_h = Profile::Slope(h), a vector of
    // widths at a time. Each width's factors depend on it alone (SlopeFactors), so its bits
    // do not depend on the task's other widths.
    std::vector<double> s1(widths.size());
    std::vector<double> s2(widths.size());
    for (size_t w = 0; w < widths.size(); ++w) SlopeFactors(widths[w], s1[w], s2[w]);
    // A power profile's fused pass (PowerSums) buckets each sample's q = r^2 by the widths'
    // squared thresholds; a profile without moments buckets r by the widths.
    const bool power_pass = ProfilePower<Profile>::kHas && algorithm_ == KernelAlgorithm::kFused;
    std::vector<double> thresholds;
    if (power_pass) {
      for (double h : sorted) thresholds.push_back(PowerSums::SquaredThreshold(h));
    }
    const WidthCells cells(power_pass ? thresholds : sorted);
    PowerSums power_sums(PowerOf());  // Its buffers, kept between blocks.
    std::optional<ShiftedExpPass> exp_pass;
    if (!Profile::kCompact && algorithm_ == KernelAlgorithm::kFused) exp_pass.emplace(s1, s2);
    // A count alone (the tophat's power 0) is exact whatever the grouping: the blocks' counts
    // are added up for the point and entered into the exact sums once.
    const bool counts_only = power_pass && PowerOf() == 0;
    std::vector<uint64_t> counts(counts_only ? widths.size() : 0);
    for (size_t p = 0; p < points.rows(); ++p) {
      const double* point = points.row(p).data();
      std::fill(counts.begin(), counts.end(), 0);
      for (size_t begin = 0; begin < samples.rows(); begin += kSampleBlock) {
        const size_t end = std::min<uint64_t>(begin + kSampleBlock, samples.rows());
        const size_t count = end - begin;
        const ConstMatrixView block(samples.row(begin).data(), count, samples.cols());
        if (power_pass) {
          // The next block, to prefetch where the samples come from memory (beyond any
          // core's L2: 4 MiB).
          const size_t next_rows =
              samples.rows() * samples.cols() * sizeof(double) >= (size_t{4} << 20)
                  ? std::min<uint64_t>(kSampleBlock, samples.rows() - end)
                  : 0;
          const ConstMatrixView next(samples.data() + end * samples.cols(), next_rows,
                                     samples.cols());
          sums.zeros(p) += power_sums.Run(cells, block, point, next);
          if (counts_only) {
            for (size_t k = 0; k < sorted.size(); ++k) counts[order[k]] += power_sums.Count(k);
            continue;
          }
          PowerTotals(block, point, order, sorted, power_sums, distances, totals);
          for (size_t w = 0; w < widths.size(); ++w) sums.sum(p, w).Add(0.0, totals[w]);
          continue;
        }
        const uint64_t zeros = BlockDistances(block, point, distances.data());
        sums.zeros(p) += zeros;
        // Only a non-compact profile shifts by the nearest sample.
        const double nearest = Profile::kCompact ? 0.0 : NearestPositive(distances.data(), count);
        if (nearest == std::numeric_limits<double>::infinity()) continue;
        if (exp_pass) {
          for (size_t i = 0; i < count; ++i) {
            if (distances[i] == 0.0) distances[i] = std::numeric_limits<double>::infinity();
          }
          const absl::Span<const double> sums_of_block =
              exp_pass->Run(distances.data(), count, nearest);
          for (size_t w = 0; w < widths.size(); ++w) {
            sums.sum(p, w).Add((nearest * s1[w]) * s2[w], sums_of_block[w]);
          }
          continue;
        }
        std::fill(totals.begin(), totals.end(), 0.0);
        if (algorithm_ == KernelAlgorithm::kNaive) {
          for (size_t w = 0; w < widths.size(); ++w) {
            totals[w] = BlockTotal(distances.data(), count, nearest, widths[w]);
          }
        } else {
          FusedTotals(distances.data(), count, order, sorted, cells, totals);
        }
        for (size_t w = 0; w < widths.size(); ++w) {
          sums.sum(p, w).Add(Shift(nearest, widths[w]), totals[w]);
        }
      }
      for (size_t w = 0; w < counts.size(); ++w) {
        sums.sum(p, w).Add(0.0, static_cast<double>(counts[w]));  // Below 2^53: exact.
      }
    }
    return absl::OkStatus();
  }

  absl::Status Estimate(const Partial& total, uint64_t n, size_t dims,
                        absl::Span<const double> widths, WidthResults results) const override {
    return Describe(total, n, dims, widths, /*leave_out=*/0, results);
  }

  absl::Status EstimateHeldOut(const Partial& total, uint64_t n, size_t dims,
                               absl::Span<const double> widths,
                               WidthResults results) const override {
    return Describe(total, n, dims, widths, /*leave_out=*/1, results);
  }

  std::string IsolatedSampleText() const override {
    return Profile::kCompact ? "have no other sample within distance h"
                             : "have a leave-one-out log density of -infinity";
  }

  double GaussianEquivalentWidth(double gaussian_bandwidth, size_t dims) const override {
    return GaussianEquivalentFactor(MomentsOf(&UnitProfile, Profile::kCompact, dims), dims) *
           gaussian_bandwidth;
  }

  // E[c_d h^-d k(|x - S| / h)] for S ~ N(mu, sigma^2 I); nullopt for other covariances.
  std::optional<double> ExpectedDensity(const Gaussian& source, absl::Span<const double> point,
                                        double width) const override {
    const size_t d = source.dims();
    const std::vector<double>& covariance = source.covariance();
    const double variance = covariance[0];
    double offset = 0.0;
    for (size_t i = 0; i < d; ++i) {
      for (size_t j = 0; j < d; ++j) {
        if (covariance[i * d + j] != (i == j ? variance : 0.0)) return std::nullopt;
      }
      offset += (point[i] - source.mean()[i]) * (point[i] - source.mean()[i]);
    }
    const std::optional<double> mean = IsotropicExpectation(
        &UnitProfile, Profile::kCompact, d, std::sqrt(offset), std::sqrt(variance), width);
    if (!mean) return std::nullopt;
    return *mean *
           std::exp(Profile::LogNormalisation(d) - static_cast<double>(d) * std::log(width));
  }

  std::string ExpectedDensityNote() const override {
    return "E[K_h(x - S)] for S from the source, by quadrature over |x - S| (noncentral "
           "chi-square); isotropic covariances only";
  }

 private:
  // SlopeFactors splits a non-compact profile's s_h (log k(r / h) = s_h r) into s1 s2 with
  // both finite: s1 = s_h, s2 = 1 where s_h is finite; for the tiny widths where it is not
  // (h subnormal, s_h = -1 / h), s1 = s_(h 2^600) and s2 = 2^600, exact powers of two.
  // Compact profiles: 0, 1 (unused).
  static void SlopeFactors(double width, double& s1, double& s2) {
    s1 = 0.0;
    s2 = 1.0;
    if constexpr (!Profile::kCompact) {
      s1 = Profile::Slope(width);
      if (!std::isfinite(s1)) {
        constexpr double kScale = 0x1p600;
        s1 = Profile::Slope(width * kScale);
        s2 = kScale;
      }
    }
  }

  // UnitProfile is k(u), u = r / h, with k(0) = 1.
  static double UnitProfile(double u) {
    if (u == 0.0) return 1.0;
    if constexpr (Profile::kCompact) {
      return u < 1.0 ? Profile::Value(u, 1.0) : 0.0;
    } else {
      return std::exp(Profile::LogValue(u, 1.0));
    }
  }

  // Shift is the block's t: 0 for a compact profile (its terms are at most 1), log k(m / h)
  // otherwise.
  static double Shift(double nearest, double width) {
    if constexpr (Profile::kCompact) {
      return 0.0;
    } else {
      return Profile::LogValue(nearest, width);
    }
  }

  // Term is sample i's term for `width`, shifted by the block's `shift` = Shift(nearest,
  // width); 0 for the samples at distance 0 (counted apart) and outside a compact support.
  static double Term(double r, double width, double shift) {
    if constexpr (Profile::kCompact) {
      return r > 0.0 && r < width ? Profile::Value(r, width) : 0.0;
    } else {
      return r > 0.0 ? std::exp(Profile::LogValue(r, width) - shift) : 0.0;
    }
  }

  // BlockTotal: one width's terms over the block, in sample order (the naive pass).
  static double BlockTotal(const double* distances, size_t count, double nearest, double width) {
    const double shift = Shift(nearest, width);
    double total = 0.0;
    for (size_t i = 0; i < count; ++i) total += Term(distances[i], width, shift);
    return total;
  }

  // PowerOf is the profile's kPower, or 0 for a profile without one (then unused).
  static int PowerOf() {
    if constexpr (ProfilePower<Profile>::kHas) {
      return Profile::kPower;
    } else {
      return 0;
    }
  }

  // PowerTotals: a power profile's block totals from PowerSums (after its Run), each
  // width's count and sum combined; where the block's grid is too coarse for a width, or
  // the width is extreme (power_sums.h), its terms are added one by one: a choice made by
  // the width and the block alone. The distances are computed only then.
  static void PowerTotals(ConstMatrixView block, const double* point,
                          const std::vector<size_t>& order, const std::vector<double>& sorted,
                          const PowerSums& power_sums, std::vector<double>& distances,
                          std::vector<double>& totals) {
    if constexpr (ProfilePower<Profile>::kHas) {
      bool have_distances = false;
      for (size_t k = 0; k < sorted.size(); ++k) {
        if (power_sums.Precise(sorted[k])) {
          totals[order[k]] = Profile::CombinePower(static_cast<double>(power_sums.Count(k)),
                                                   power_sums.Sum(k), sorted[k]);
          continue;
        }
        if (!have_distances) BlockDistances(block, point, distances.data());
        have_distances = true;
        totals[order[k]] = BlockTotal(distances.data(), block.rows(), 0.0, sorted[k]);
      }
    }
  }

  // FusedTotals: the fused pass of a compact profile without a power (a power profile runs
  // PowerTotals, a non-compact one ShiftedExpPass): MomentTotals where the profile has
  // moments, otherwise each sample's term for every width above its r, in sample order per
  // width.
  static void FusedTotals(const double* distances, size_t count, const std::vector<size_t>& order,
                          const std::vector<double>& sorted, const WidthCells& cells,
                          std::vector<double>& totals) {
    if constexpr (ProfileMoments<Profile>::kMoments > 0) {
      MomentTotals(distances, count, order, sorted, totals);
    } else if constexpr (Profile::kCompact) {
      for (size_t i = 0; i < count; ++i) {
        const double r = distances[i];
        if (r == 0.0) continue;
        // The first width above r; every later one covers the sample too.
        for (size_t k = cells.Of(r); k < sorted.size(); ++k) {
          totals[order[k]] += Profile::Value(r, sorted[k]);
        }
      }
    }
  }

  // MomentTotals: a compact profile written as k(r / h) = sum_j f_j(r) g_j(h)
  // (Profile::AddMoments adds a sample's f_j(r), Profile::Combine applies the g_j(h)) costs
  // O(1) a sample and O(moments) a width, whatever the number of widths. The moments'
  // sums must not depend on which widths a task holds, or a sweep cut by widths would
  // change the bits: they are summed through a MomentGrid, whose cells the block's samples
  // alone fix. Their rounding differs from adding the terms one by one:
  // radial_kernel_test.cc bounds the difference.
  static void MomentTotals(const double* distances, size_t count, const std::vector<size_t>& order,
                           const std::vector<double>& sorted, std::vector<double>& totals) {
    constexpr size_t kMoments = ProfileMoments<Profile>::kMoments;
    thread_local MomentGrid<kMoments> grid;  // Its buffers, kept between blocks.
    const auto add = [](double r, double* sums) { Profile::AddMoments(r, sums); };
    grid.Build(distances, count, sorted.back(), add);
    double sums[kMoments];
    for (size_t k = 0; k < sorted.size(); ++k) {
      // Outside [kMomentWidthMin, kMomentWidthMax], h^(2j) or r^(2j) would leave the
      // normal doubles: such a width's terms are added one by one (a choice made by the
      // width alone, so it keeps a sweep's splits exact).
      if (sorted[k] < kMomentWidthMin || sorted[k] > kMomentWidthMax) {
        totals[order[k]] = BlockTotal(distances, count, 0.0, sorted[k]);
        continue;
      }
      grid.Sums(sorted[k], add, sums);
      totals[order[k]] = Profile::Combine(sums, sorted[k]);
    }
  }

  // Describe fills each result's sum, density and log density from the partial, leaving
  // out `leave_out` samples at distance zero (a held-out estimate) and normalising over
  // n - leave_out samples: c_d h^-d / (n - leave_out).
  static absl::Status Describe(const Partial& total, uint64_t n, size_t dims,
                               absl::Span<const double> widths, uint64_t leave_out,
                               WidthResults results) {
    const double log_c = Profile::LogNormalisation(dims);
    return exact_sums::DescribeBlockSums(total, n, dims, widths, leave_out,
                                         {std::exp(log_c), log_c}, results);
  }

  KernelAlgorithm algorithm_;
};

// CreateRadialKernel is the factory to register a radial kernel with.
template <typename Profile>
absl::StatusOr<std::unique_ptr<Kernel>> CreateRadialKernel(const KernelSpec&,
                                                           const PluginOptions& options) {
  return std::unique_ptr<Kernel>(
      std::make_unique<RadialKernel<Profile>>(ReadKernelAlgorithm(options)));
}

}  // namespace radial
}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_RADIAL_RADIAL_KERNEL_H_
