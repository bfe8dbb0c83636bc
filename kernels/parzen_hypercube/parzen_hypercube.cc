// parzen_hypercube: the tutorial's Parzen-window estimator with a hypercube window.
//
// A sample s is inside the window of width h around x when max_j |x_j - s_j| <= h / 2 (a
// sample on the boundary is inside, as in the tutorial, which excludes only > 1/2). With k
// samples inside, the density is p = k / (n h^d). The tutorial divides by h instead of h^d;
// the report shows that value separately as the tutorial's normalisation.
//
// The test compares |x_j - s_j| with 0.5 * h, which is exact (scaling by a power of two),
// rather than |x_j - s_j| / h with 0.5, whose rounded quotient can move a sample across the
// boundary.
//
// Parameter `algorithm`:
//   fused (default)  one pass over the samples for all widths (fused_counts.cc).
//   naive            the tutorial's loop: one pass over the samples per width.
//
// Why fused counts equal naive counts bit for bit, for any input. Naive counts s for width
// h when d_j <= H for every j, where d_j = |x_j - s_j| and H = 0.5 * h (both rounded the
// same way in both algorithms: the same operations on the same operands).
//  1. Fused takes c = max_j d_j once per sample. A maximum of doubles is one of its
//     operands, not a rounded value, so for NaN-free d: (d_j <= H for all j) <=> c <= H.
//     A NaN d_j fails naive's comparison for every width; fused makes c NaN then, and a
//     NaN c also fails c <= H for every H. (An infinite d_j may become a NaN c: both fail.)
//  2. Sort the half-widths, H_0 <= ... <= H_{m-1}, keeping each one's slot. With
//     k(c) = the first index with H_k >= c (m if none, or c NaN), c <= H_i <=> i >= k(c),
//     because the H are sorted. So slot of H_i gets the number of samples with
//     k(c) <= i: the prefix sum up to i of the histogram of k(c). Equal half-widths get
//     equal counts, and the input order of the widths never matters.
//  3. k(c) itself: c <= H_0 gives 0 and c > H_{m-1} (or NaN) gives m by comparison; in
//     between, a bucket table gives the lower bound exactly (see SortedHalves).
// The direct path for small blocks compares c <= H for each width: the same test as 1.
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "kernels/parzen_hypercube/fused_counts.h"
#include "kernels/slot_kernel.h"
#include "runtime/base/math_constants.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace {

using parzen_hypercube_internal::AddFusedCounts;
using parzen_hypercube_internal::AddNaiveCounts;

// WindowVolume is h^d: h in 1-D and h * h in 2-D, each correctly rounded, else std::pow.
// glibc's pow is within 0.52 ulp, so pow(h, 2) is not always the nearest double to h^2
// (measured: it differs from h * h for 0.08% of widths, and is then the farther one), and a
// call costs about 4 of the tutorial sweep's 25 microseconds.
inline double WindowVolume(double h, size_t dims) {
  if (dims == 1) return h;
  if (dims == 2) return h * h;
  return std::pow(h, static_cast<double>(dims));
}

class ParzenHypercube : public SlotKernel<uint64_t> {
 public:
  explicit ParzenHypercube(KernelAlgorithm algorithm) : algorithm_(algorithm) {}

  absl::Status AccumulateSlots(ConstMatrixView samples, ConstMatrixView points,
                               absl::Span<const double> widths, Slots& out) const override {
    if (algorithm_ == KernelAlgorithm::kNaive) {
      AddNaiveCounts(samples, points, widths, out.values());
    } else {
      AddFusedCounts(samples, points, widths, out.values());
    }
    return absl::OkStatus();
  }

  // For --split=auto: a comparison and a count per evaluation cost nothing beside reading
  // the sample (the fused pass's per-width work is a prefix sum per point).
  KernelCost Cost() const override {
    KernelCost cost;
    cost.one_pass_for_all_widths = algorithm_ == KernelAlgorithm::kFused;
    cost.evaluation_bytes = 0;
    return cost;
  }

  // Besides the count and the density, the tutorial's normalisation k / (n h), which
  // divides by h instead of h^d, so a reader can match the tutorial's table.
  void Describe(uint64_t total, uint64_t n, size_t dims, double width,
                WidthResult& result) const override {
    SlotKernel::Describe(total, n, dims, width, result);
    result.set_tutorial_density(static_cast<double>(total) / (static_cast<double>(n) * width));
  }

  double Density(double total, uint64_t n, size_t dims, double width) const override {
    return total / (static_cast<double>(n) * WindowVolume(width, dims));
  }

  // Scott's and Silverman's rules give a Gaussian kernel's bandwidth; the window width
  // with the same asymptotic bias-variance balance in d dimensions is
  // (R(K) mu2(G)^2 / (R(G) mu2(K)^2))^(1/(d+4)) for the product kernels K (the unit cube:
  // R = 1, mu2 = 1/12 per coordinate) and G (the standard Gaussian: R = (2 sqrt(pi))^-d,
  // mu2 = 1): (144 (2 sqrt(pi))^d)^(1/(d+4)), 3.4801 in 1-D, rising to 2 sqrt(pi) = 3.5449
  // as d grows. docs/NUMERICS.md derives it.
  double GaussianEquivalentWidth(double gaussian_bandwidth, size_t dims) const override {
    const double d = static_cast<double>(dims);
    return std::pow(144.0 * std::pow(2.0 * std::sqrt(kPi), d), 1.0 / (d + 4.0)) *
           gaussian_bandwidth;
  }

  // A held-out estimate of 0 means k = 0 among the other samples.
  std::string IsolatedSampleText() const override { return "have no other sample in their window"; }

  // E[k / (n h^d)] = P(sample in the window) / h^d.
  std::optional<double> ExpectedDensity(const Gaussian& source, absl::Span<const double> point,
                                        double width) const override {
    std::vector<double> lo(point.begin(), point.end());
    std::vector<double> hi(point.begin(), point.end());
    for (size_t j = 0; j < point.size(); ++j) {
      lo[j] -= 0.5 * width;
      hi[j] += 0.5 * width;
    }
    const std::optional<double> probability = source.BoxProbability(lo, hi);
    if (!probability) return std::nullopt;
    return *probability / WindowVolume(width, point.size());
  }

  std::string ExpectedDensityNote() const override {
    return "P(sample in the cube of side h centred at x) / h^d, a multivariate normal "
           "rectangle probability";
  }

 private:
  const KernelAlgorithm algorithm_;
};

absl::StatusOr<std::unique_ptr<Kernel>> CreateParzenHypercube(const KernelSpec&,
                                                              const PluginOptions& options) {
  return std::make_unique<ParzenHypercube>(ReadKernelAlgorithm(options));
}

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_KERNEL(parzen_hypercube,
                         "the tutorial's hypercube window of side h: p = k / (n h^d)",
                         parsweep::CreateParzenHypercube, parsweep::KernelAlgorithmOption());
