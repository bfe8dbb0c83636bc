// linear: scikit-learn's "linear" kernel (a cone),
//
//   K_h(x) = (d + 1) / (V_d h^d) (1 - |x| / h) for |x| < h, else 0.
#include <cmath>
#include <cstddef>

#include "kernels/radial/radial_kernel.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace {

struct Linear {
  static constexpr bool kCompact = true;
  static double Value(double r, double h) { return 1.0 - r / h; }
  // sum (1 - r / h) = count - (sum r) / h.
  static constexpr bool kExactMoments = false;
  static constexpr size_t kMoments = 2;
  static void AddMoments(double r, double* sums) {
    sums[0] += 1.0;
    sums[1] += r;
  }
  static double Combine(const double* sums, double h) { return sums[0] - sums[1] / h; }
  static double LogNormalisation(size_t d) {
    return -(radial::LogUnitBallVolume(d) - std::log(static_cast<double>(d) + 1.0));
  }
};

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_KERNEL(linear, "(d + 1) / (V_d h^d) (1 - |x| / h) on |x| < h",
                         parsweep::radial::CreateRadialKernel<parsweep::Linear>,
                         parsweep::KernelAlgorithmOption());
