// parzen_ball: the worked example of docs/ADDING_A_KERNEL.md. A Parzen window that is a
// ball rather than a cube: a sample s counts at x when |x - s| <= h / 2 (Euclidean), and
// p = k / (n V_d (h/2)^d), V_d = pi^(d/2) / Gamma(d/2 + 1) the unit ball's volume. In one
// dimension the ball is the hypercube's interval, which the example's test checks.
#include <cmath>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/plugin/kernel.h"
#include "runtime/base/status_macros.h"

namespace parsweep {
namespace {

class ParzenBall : public Kernel {
 public:
  AccumulatorKind accumulator() const override { return AccumulatorKind::kCount; }

  absl::Status Accumulate(ConstMatrixView samples, absl::Span<const double> point,
                          absl::Span<const double> widths, Accumulators out) const override {
    for (size_t i = 0; i < samples.rows(); ++i) {
      const absl::Span<const double> s = samples.row(i);
      double squared = 0;
      for (size_t j = 0; j < s.size(); ++j) squared += (point[j] - s[j]) * (point[j] - s[j]);
      for (size_t w = 0; w < widths.size(); ++w) {
        // Compare squares: |x - s|^2 <= (h/2)^2, with h/2 exact.
        const double radius = 0.5 * widths[w];
        out.counts[w] += squared <= radius * radius;
      }
    }
    return absl::OkStatus();
  }

  double Density(double total, uint64_t n, size_t dims, double width) const override {
    const double d = static_cast<double>(dims);
    const double unit_ball = std::pow(M_PI, d / 2) / std::tgamma(d / 2 + 1);
    return total / (static_cast<double>(n) * unit_ball * std::pow(0.5 * width, d));
  }

  // As the hypercube's, whose window this is in one dimension: (R(K)/mu2(K)^2)^(1/5) of
  // the uniform over the Gaussian's.
  double GaussianEquivalentWidth(double gaussian_bandwidth) const override {
    return std::pow(144.0 * 2.0 * std::sqrt(M_PI), 0.2) * gaussian_bandwidth;
  }
};

absl::StatusOr<std::unique_ptr<Kernel>> CreateParzenBall(const KernelSpec& spec) {
  RETURN_IF_ERROR(RejectUnknownParams(Kernel::kKind, spec.name(), spec.params(), {}));
  return std::make_unique<ParzenBall>();
}

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_KERNEL(parzen_ball, parsweep::CreateParzenBall);
