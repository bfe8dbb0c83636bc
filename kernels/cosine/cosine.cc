// cosine: scikit-learn's "cosine" kernel,
//
//   K_h(x) = c_d h^-d cos(pi |x| / (2 h)) for |x| < h, else 0,
//
// with 1 / c_d = S_d J_(d-1), S_d the unit sphere's area and J_m the integral of
// r^m cos(a r) over [0, 1], a = pi / 2, summed from cos's Taylor series term by term:
// J_m = sum_k (-1)^k a^(2k) / ((2k)! (m + 2k + 1)), whose terms shrink fast and alternate
// mildly (the largest is below twice the sum), so the sum is right to a few ulps in every
// dimension. (Integration by parts gives a recursion instead, but it multiplies rounding
// errors by m (m - 1) / a^2 a step.) scikit-learn 1.2 normalises with a finite sum that
// equals J_(d-1) for odd d only: in even dimensions its cosine densities do not integrate
// to 1 (in 2-D they are 0.363 times the right ones). parsweep normalises correctly in every
// dimension; tests/radial_kernels_sklearn_test.py checks it against scikit-learn's sums.
#include <cmath>
#include <cstddef>

#include "kernels/radial/radial_kernel.h"
#include "runtime/base/math_constants.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace {

struct Cosine {
  static constexpr bool kCompact = true;
  static double Value(double r, double h) { return std::cos(0.5 * kPi * r / h); }
  static double LogNormalisation(size_t dims) {
    const double a2 = 0.25 * kPi * kPi;
    const double m = static_cast<double>(dims) - 1.0;
    double integral = 0.0;
    double power = 1.0;  // (-1)^k a^(2k) / (2k)!
    for (int k = 0; k < 40 && power != 0.0; ++k) {
      integral += power / (m + 2.0 * k + 1.0);
      power *= -a2 / ((2.0 * k + 1.0) * (2.0 * k + 2.0));
    }
    return -(std::log(integral) + radial::LogUnitSphereArea(dims));
  }
};

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_KERNEL(cosine, "c_d h^-d cos(pi |x| / (2 h)) on |x| < h",
                         parsweep::radial::CreateRadialKernel<parsweep::Cosine>,
                         parsweep::KernelAlgorithmOption());
