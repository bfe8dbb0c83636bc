// parzen_ball: the worked example of docs/ADDING_A_KERNEL.md. A Parzen window that is a
// ball rather than a cube: a sample s counts at x when |x - s| <= h / 2 (Euclidean), and
// p = k / (n V_d (h/2)^d), V_d = pi^(d/2) / Gamma(d/2 + 1) the unit ball's volume. In one
// dimension the ball is the hypercube's interval, which the example's test checks.
#include <cmath>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kernels/slot_kernel.h"
#include "runtime/base/math_constants.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace {

// A count per point and width: SlotKernel<uint64_t> provides the partial, its merge and the
// estimates; the kernel says what it counts and how a count becomes a density.
class ParzenBall : public SlotKernel<uint64_t> {
 public:
  absl::Status AccumulateSlots(ConstMatrixView samples, ConstMatrixView points,
                               absl::Span<const double> widths, Slots& out) const override {
    for (size_t p = 0; p < points.rows(); ++p) {
      const absl::Span<const double> x = points.row(p);
      const absl::Span<uint64_t> counts = out.point(p);
      for (size_t i = 0; i < samples.rows(); ++i) {
        const absl::Span<const double> s = samples.row(i);
        double squared = 0;
        for (size_t j = 0; j < s.size(); ++j) squared += (x[j] - s[j]) * (x[j] - s[j]);
        for (size_t w = 0; w < widths.size(); ++w) {
          // Compare squares: |x - s|^2 <= (h/2)^2, with h/2 exact.
          const double radius = 0.5 * widths[w];
          counts[w] += squared <= radius * radius;
        }
      }
    }
    return absl::OkStatus();
  }

  double Density(double total, uint64_t n, size_t dims, double width) const override {
    const double d = static_cast<double>(dims);
    const double unit_ball = std::pow(kPi, d / 2) / std::tgamma(d / 2 + 1);
    return total / (static_cast<double>(n) * unit_ball * std::pow(0.5 * width, d));
  }

  // As the hypercube's, whose window this is in one dimension: (R(K)/mu2(K)^2)^(1/5) of
  // the uniform over the Gaussian's.
  double GaussianEquivalentWidth(double gaussian_bandwidth, size_t) const override {
    return std::pow(144.0 * 2.0 * std::sqrt(kPi), 0.2) * gaussian_bandwidth;
  }
};

absl::StatusOr<std::unique_ptr<Kernel>> CreateParzenBall(const KernelSpec&, const PluginOptions&) {
  return std::make_unique<ParzenBall>();
}

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_KERNEL(parzen_ball, "a Euclidean ball of diameter h: p = k / (n V_d (h/2)^d)",
                         parsweep::CreateParzenBall);
