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
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/kernel.h"
#include "runtime/status_macros.h"

namespace parsweep {
namespace {

class ParzenHypercube : public Kernel {
 public:
  AccumulatorKind accumulator() const override { return AccumulatorKind::kCount; }

  // The tutorial's loop: for each width, count the samples inside its window.
  absl::Status Accumulate(ConstMatrixView samples, absl::Span<const double> point,
                          absl::Span<const double> widths, Accumulators out) const override {
    const size_t d = samples.cols();
    for (size_t w = 0; w < widths.size(); ++w) {
      const double half = 0.5 * widths[w];
      uint64_t inside = 0;
      for (size_t i = 0; i < samples.rows(); ++i) {
        const double* s = samples.data() + i * d;
        bool in = true;
        for (size_t j = 0; j < d; ++j) in &= std::abs(point[j] - s[j]) <= half;
        inside += in;
      }
      out.counts[w] += inside;
    }
    return absl::OkStatus();
  }

  double Density(double total, uint64_t n, size_t dims, double width) const override {
    return total / (static_cast<double>(n) * std::pow(width, static_cast<double>(dims)));
  }

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
    return *probability / std::pow(width, static_cast<double>(point.size()));
  }
};

absl::StatusOr<std::unique_ptr<Kernel>> CreateParzenHypercube(const KernelSpec& spec) {
  RETURN_IF_ERROR(RejectUnknownParams(Kernel::kKind, spec.name(), spec.params(), {}));
  return std::make_unique<ParzenHypercube>();
}

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_KERNEL(parzen_hypercube, parsweep::CreateParzenHypercube);
