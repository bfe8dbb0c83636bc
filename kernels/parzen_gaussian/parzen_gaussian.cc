// parzen_gaussian: the Parzen-window estimator with a Gaussian window,
//
//   p(x) = 1/n sum_i (2 pi)^(-d/2) h^(-d) exp(-|x - s_i|^2 / (2 h^2)).
//
// The partial (a SlotKernel<double>: one sum per point and width) is
// sum_i exp(-|x - s_i|^2 / (2 h^2)); Density multiplies the total by (2 pi)^(-d/2) h^(-d) / n. Its
// expectation for samples from N(mu, Sigma) is the convolution of two Gaussians, N(x; mu, Sigma +
// h^2 I).
//
// Parameter `algorithm`:
//   fused (default)  one pass over the samples: r^2 = |x - s|^2 once per sample, then
//                    exp(r^2 * a_w) for every width at once, a_w = -1 / (2 h_w^2)
//                    precomputed, with a branch-free polynomial exp (vector_exp.h) on
//                    vectors of widths: 2 per SSE2 vector, 4 per AVX2 vector where the
//                    CPU has AVX2 (checked at run time; the same operations, so the same
//                    bits, either way).
//   naive            one pass over the samples per width, std::exp(-r^2 / (2 h^2)).
// Both add the terms of a width in sample order. They differ only in exp (each within
// 1 DBL_EPSILON relative of the true value) and in the rounding of its argument
// (r^2 * a_w against r^2 / (2 h^2)); parzen_gaussian_test.cc derives the tolerance.
//
// A width so small that 2 h^2 underflows is treated as if 2 h^2 were DBL_MIN, so that a
// sample exactly at x still contributes exp(0) = 1 instead of NaN. The loops are in
// fused_sums.cc.
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "kernels/parzen_gaussian/fused_sums.h"
#include "kernels/slot_kernel.h"
#include "runtime/base/math_constants.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace {

using parzen_gaussian_internal::AddFusedSums;
using parzen_gaussian_internal::AddNaiveSums;

class ParzenGaussian : public SlotKernel<double> {
 public:
  explicit ParzenGaussian(KernelAlgorithm algorithm) : algorithm_(algorithm) {}

  absl::Status AccumulateSlots(ConstMatrixView samples, ConstMatrixView points,
                               absl::Span<const double> widths, Slots& out) const override {
    if (algorithm_ == KernelAlgorithm::kNaive) {
      AddNaiveSums(samples, points, widths, out.values());
    } else {
      AddFusedSums(samples, points, widths, out.values());
    }
    return absl::OkStatus();
  }

  double Density(double total, uint64_t n, size_t dims, double width) const override {
    const double d = static_cast<double>(dims);
    return total / static_cast<double>(n) * std::pow(2.0 * kPi, -0.5 * d) * std::pow(width, -d);
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
