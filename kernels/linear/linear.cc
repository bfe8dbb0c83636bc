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
  static constexpr int kPower = 1;
  static double CombinePower(double count, double sum, double h) { return count - sum / h; }
  static double LogNormalisation(size_t d) {
    return -(radial::LogUnitBallVolume(d) - std::log(static_cast<double>(d) + 1.0));
  }
};

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_KERNEL(linear, "(d + 1) / (V_d h^d) (1 - |x| / h) on |x| < h",
                         parsweep::radial::CreateRadialKernel<parsweep::Linear>,
                         parsweep::KernelAlgorithmOption());
