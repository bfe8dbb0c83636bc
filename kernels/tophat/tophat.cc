// tophat: the uniform kernel on the ball of radius h, scikit-learn's "tophat":
//
//   K_h(x) = 1 / (V_d h^d) for |x| < h, else 0;  V_d the unit ball's volume.
//
// The Euclidean counterpart of the tutorial's hypercube window.
#include <cstddef>

#include "kernels/radial/radial_kernel.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace {

struct Tophat {
  static constexpr bool kCompact = true;
  static double Value(double, double) { return 1.0; }
  // The fused pass counts (exact: the same bits as adding the terms).
  static constexpr int kPower = 0;
  static double CombinePower(double count, double, double) { return count; }
  static double LogNormalisation(size_t d) { return -radial::LogUnitBallVolume(d); }
};

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_KERNEL(tophat, "uniform on the ball |x| < h: p = k / (n V_d h^d)",
                         parsweep::radial::CreateRadialKernel<parsweep::Tophat>,
                         parsweep::KernelAlgorithmOption());
