// biweight: the worked example of a radial kernel in docs/ADDING_A_KERNEL.md, the biweight
// (quartic) kernel,
//
//   K_h(x) = (d + 2) (d + 4) / (8 V_d h^d) (1 - |x|^2 / h^2)^2 for |x| < h, else 0,
//
// V_d the unit ball's volume. Its normalisation is derived in the doc; biweight_test.cc
// checks that a sample's density integrates to 1 in several dimensions.
#include <cmath>
#include <cstddef>

#include "kernels/radial/radial_kernel.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace {

struct Biweight {
  static constexpr bool kCompact = true;
  static double Value(double r, double h) {
    const double v = 1.0 - (r * r) / (h * h);
    return v * v;
  }
  static double LogNormalisation(size_t dims) {
    const double d = static_cast<double>(dims);
    return std::log((d + 2.0) * (d + 4.0) / 8.0) - radial::LogUnitBallVolume(dims);
  }
};

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_KERNEL(biweight, "(d + 2) (d + 4) / (8 V_d h^d) (1 - |x|^2 / h^2)^2 on |x| < h",
                         parsweep::radial::CreateRadialKernel<parsweep::Biweight>,
                         parsweep::KernelAlgorithmOption());
