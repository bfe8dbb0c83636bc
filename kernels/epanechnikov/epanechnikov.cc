// epanechnikov: scikit-learn's "epanechnikov" kernel,
//
//   K_h(x) = (d + 2) / (2 V_d h^d) (1 - |x|^2 / h^2) for |x| < h, else 0,
//
// the kernel of least asymptotic mean integrated squared error.
#include <cmath>
#include <cstddef>

#include "kernels/radial/radial_kernel.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace {

struct Epanechnikov {
  static constexpr bool kCompact = true;
  static double Value(double r, double h) { return 1.0 - (r * r) / (h * h); }
  // sum (1 - r^2 / h^2) = count - (sum r^2) / h^2.
  static constexpr int kPower = 2;
  static double CombinePower(double count, double sum, double h) { return count - sum / (h * h); }
  static double LogNormalisation(size_t d) {
    return -(radial::LogUnitBallVolume(d) + std::log(2.0 / (static_cast<double>(d) + 2.0)));
  }
};

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_KERNEL(epanechnikov, "(d + 2) / (2 V_d h^d) (1 - |x|^2 / h^2) on |x| < h",
                         parsweep::radial::CreateRadialKernel<parsweep::Epanechnikov>,
                         parsweep::KernelAlgorithmOption());
