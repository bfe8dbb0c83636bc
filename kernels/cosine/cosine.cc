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
#include <array>
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
  // cos(pi u / 2) = sum_j a_j u^(2j), a_j = (-1)^j (pi / 2)^(2j) / (2j)!, for u in [0, 1)
  // to 12 terms (the 13th is below 1e-19): the fused pass sums r^(2j) and divides by
  // h^(2j) once per width. The terms a_j u^(2j) add up in absolute value to at most
  // cosh(pi / 2) = 2.51 times the count, which bounds the cancellation.
  static constexpr size_t kMoments = 12;
  static void AddMoments(double r, double* sums) {
    const double r2 = r * r;
    double power = 1.0;
    for (size_t j = 0; j < kMoments; ++j) {
      sums[j] += power;
      power *= r2;
    }
  }
  static double Combine(const double* sums, double h) {
    static const std::array<double, kMoments> kTaylor = [] {
      std::array<double, kMoments> a{};
      double term = 1.0;
      for (size_t j = 0; j < kMoments; ++j) {
        a[j] = term;
        term *= -(0.25 * kPi * kPi) / ((2.0 * j + 1.0) * (2.0 * j + 2.0));
      }
      return a;
    }();
    const double inverse = 1.0 / (h * h);
    double scale = 1.0;
    double total = 0.0;
    for (size_t j = 0; j < kMoments; ++j) {
      total += kTaylor[j] * (sums[j] * scale);
      scale *= inverse;
    }
    return total;
  }
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
