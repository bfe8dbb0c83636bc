#include "kernels/radial/radial_profile.h"

#include <cmath>

#include "runtime/base/math_constants.h"
#include "runtime/data/adaptive_quadrature.h"

namespace parsweep {
namespace radial {

double LogUnitBallVolume(size_t dims) {
  const double d = static_cast<double>(dims);
  return 0.5 * d * std::log(kPi) - std::lgamma(0.5 * d + 1.0);
}

double LogUnitSphereArea(size_t dims) {
  return std::log(static_cast<double>(dims)) + LogUnitBallVolume(dims);
}

namespace {

// The integral of r^power f(r) over [0, 1] (compact) or [0, infinity), the latter mapped by
// r = t / (1 - t), dr = dt / (1 - t)^2 onto [0, 1).
double RayIntegral(const std::function<double(double)>& f, bool compact, double power) {
  QuadratureOptions options;
  options.relative_tolerance = 1e-13;
  options.max_intervals = 400;
  const auto integrand = [&](double t) -> QuadratureValue {
    if (compact) return {std::pow(t, power) * f(t), 0.0};
    if (t >= 1.0) return {0.0, 0.0};
    const double r = t / (1.0 - t);
    return {std::pow(r, power) * f(r) / ((1.0 - t) * (1.0 - t)), 0.0};
  };
  return IntegrateAdaptively(integrand, 0.0, 1.0, options).value;
}

}  // namespace

RadialMoments MomentsOf(const std::function<double(double)>& profile, bool compact, size_t dims) {
  const double d = static_cast<double>(dims);
  const double area = std::exp(LogUnitSphereArea(dims));
  const double mass = area * RayIntegral(profile, compact, d - 1);
  const double c = 1.0 / mass;
  RadialMoments moments;
  moments.mass = mass;
  // x_1^2 averages |x|^2 / d over each sphere.
  moments.second_moment = c * area * RayIntegral(profile, compact, d + 1) / d;
  const auto squared = [&](double r) { return profile(r) * profile(r); };
  moments.square_integral = c * c * area * RayIntegral(squared, compact, d - 1);
  return moments;
}

double GaussianEquivalentFactor(const RadialMoments& moments, size_t dims) {
  const double d = static_cast<double>(dims);
  // The Gaussian: R(G) = (4 pi)^(-d/2), mu_2(G) = 1.
  const double ratio = moments.square_integral / (moments.second_moment * moments.second_moment) *
                       std::pow(4.0 * kPi, 0.5 * d);
  return std::pow(ratio, 1.0 / (d + 4.0));
}

}  // namespace radial
}  // namespace parsweep
