// exponential: scikit-learn's "exponential" kernel (the Laplace kernel in 1-D),
//
//   K_h(x) = h^-d exp(-|x| / h) / (S_d Gamma(d)),  S_d the unit sphere's area.
//
// Its terms never reach zero: blocks are shifted by their nearest sample (radial_kernel.h),
// so the log density stays right where the terms underflow.
#include <cmath>
#include <cstddef>

#include "kernels/radial/radial_kernel.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace {

struct Exponential {
  static constexpr bool kCompact = false;
  static double LogValue(double r, double h) { return -r / h; }
  static double Slope(double h) { return -1.0 / h; }
  static double LogNormalisation(size_t d) {
    return -(radial::LogUnitSphereArea(d) + std::lgamma(static_cast<double>(d)));
  }
};

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_KERNEL(exponential, "h^-d exp(-|x| / h) / (S_d Gamma(d))",
                         parsweep::radial::CreateRadialKernel<parsweep::Exponential>,
                         parsweep::KernelAlgorithmOption());
