// parzen_gaussian: the Parzen-window estimator with a Gaussian window,
//
//   p(x) = 1/n sum_i (2 pi)^(-d/2) h^(-d) exp(-|x - s_i|^2 / (2 h^2)).
//
// Its expectation for samples from N(mu, Sigma) is the convolution of two Gaussians,
// N(x; mu, Sigma + h^2 I).
//
// The partial (BlockSums, block_sums.h) holds, per point, the samples at distance
// zero and, per point and width, an exact accumulator of the other terms
// exp(-|x - s_i|^2 / (2 h^2)), added in fixed blocks of samples shifted by the block's
// nearest sample: the sum never underflows where the density is representable, its log is
// right far below that (log_density), it merges in any order with the same bits (so every
// plan gives the same result), and a held-out estimate leaves the point's own sample out
// exactly. docs/NUMERICS.md states the error bounds.
//
// Parameter `algorithm`:
//   fused (default)  one pass over each block of samples: r^2 = |x - s|^2 once per sample,
//                    then exp(-(r^2 - m) / (2 h^2)) for every width at once, with a
//                    branch-free polynomial exp (vector_exp.h) on vectors of widths: 2 per
//                    SSE2 vector, 4 per AVX2 vector where the CPU has AVX2 (checked at run
//                    time; the same operations, so the same bits, either way).
//   naive            one pass over the samples per width, std::exp.
// Both add a block's terms in sample order. They differ only in exp (each within
// 1 DBL_EPSILON relative of the true value) and in the rounding of its argument;
// parzen_gaussian_test.cc derives the tolerance. The loops are in fused_sums.cc.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "kernels/exact_sums/block_sums.h"
#include "kernels/exact_sums/long_accumulator.h"
#include "kernels/parzen_gaussian/fused_sums.h"
#include "runtime/base/math_constants.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace {

using parzen_gaussian_internal::AddFusedSums;
using parzen_gaussian_internal::AddNaiveSums;
using parzen_gaussian_internal::BlockSums;
using parzen_gaussian_internal::kSampleBlock;
using parzen_gaussian_internal::LongAccumulator;

// GaussianNormalisation is c_d = (2 pi)^(-d/2).
exact_sums::Normalisation GaussianNormalisation(size_t dims) {
  const double d = static_cast<double>(dims);
  return {std::pow(2.0 * kPi, -0.5 * d), -0.5 * d * std::log(2.0 * kPi)};
}

class ParzenGaussian : public Kernel {
 public:
  explicit ParzenGaussian(KernelAlgorithm algorithm) : algorithm_(algorithm) {}

  std::unique_ptr<Partial> NewPartial(size_t points, size_t widths) const override {
    return std::make_unique<BlockSums>(points, widths);
  }

  // Exact sums: any order of merging gives the same bits.
  bool MergesInAnyOrder() const override { return true; }

  uint64_t SampleBlock() const override { return kSampleBlock; }

  // For --split=auto: an exp per evaluation, about 1.6 ns (6.3e8 a second at one point), the
  // time of streaming 23 bytes at 14.8 GB/s; 16 as the vector exp gets faster. A partial
  // holds a LongAccumulator of 48 bytes per result.
  KernelCost Cost() const override {
    KernelCost cost;
    cost.one_pass_for_all_widths = algorithm_ == KernelAlgorithm::kFused;
    cost.evaluation_bytes = 16;
    cost.partial_bytes_per_result = 48;
    return cost;
  }

  absl::Status Accumulate(ConstMatrixView samples, ConstMatrixView points,
                          absl::Span<const double> widths, Partial& partial) const override {
    auto& sums = static_cast<BlockSums&>(partial);
    if (algorithm_ == KernelAlgorithm::kNaive) {
      AddNaiveSums(samples, points, widths, sums);
    } else {
      AddFusedSums(samples, points, widths, sums);
    }
    return absl::OkStatus();
  }

  absl::Status Estimate(const Partial& total, uint64_t n, size_t dims,
                        absl::Span<const double> widths, WidthResults results) const override {
    return Describe(total, n, dims, widths, /*leave_out=*/0, results);
  }

  // The point's own sample is one of its zero-distance samples: leave one of those out.
  absl::Status EstimateHeldOut(const Partial& total, uint64_t n, size_t dims,
                               absl::Span<const double> widths,
                               WidthResults results) const override {
    return Describe(total, n, dims, widths, /*leave_out=*/1, results);
  }

  std::string IsolatedSampleText() const override {
    return "have a leave-one-out log density of -infinity (their nearest other sample is so "
           "far, for this width, that the log of its term overflows)";
  }

  // E[p] = E[N(x - S; 0, h^2 I)] = N(x; mu, Sigma + h^2 I) for S ~ N(mu, Sigma).
  std::optional<double> ExpectedDensity(const Gaussian& source, absl::Span<const double> point,
                                        double width) const override {
    const size_t d = source.dims();
    std::vector<double> covariance = source.covariance();
    for (size_t j = 0; j < d; ++j) covariance[j * d + j] += width * width;
    absl::StatusOr<Gaussian> convolved = Gaussian::Create(source.mean(), std::move(covariance));
    if (!convolved.ok()) return std::nullopt;
    return convolved->Density(point);
  }

  std::string ExpectedDensityNote() const override {
    return "N(x; mu, Sigma + h^2 I), the source's density convolved with the kernel N(0, h^2 I)";
  }

 private:
  absl::Status Describe(const Partial& total, uint64_t n, size_t dims,
                        absl::Span<const double> widths, uint64_t leave_out,
                        WidthResults results) const {
    return exact_sums::DescribeBlockSums(total, n, dims, widths, leave_out,
                                         GaussianNormalisation(dims), results);
  }

  const KernelAlgorithm algorithm_;
};

absl::StatusOr<std::unique_ptr<Kernel>> CreateParzenGaussian(const KernelSpec&,
                                                             const PluginOptions& options) {
  return std::make_unique<ParzenGaussian>(ReadKernelAlgorithm(options));
}

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_KERNEL(
    parzen_gaussian, "a Gaussian window of standard deviation h: p = (1/n) sum N(x - s; 0, h^2 I)",
    parsweep::CreateParzenGaussian, parsweep::KernelAlgorithmOption());
