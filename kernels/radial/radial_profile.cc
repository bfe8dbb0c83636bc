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

// IntegrateAlongRay integrates f(r) over [0, 1] (a compact profile's support, in units of
// the width) or over [0, infinity), mapped by r = t / (1 - t), dr = dt / (1 - t)^2 onto
// [0, 1).
template <typename F>
QuadratureResult IntegrateAlongRay(const F& f, bool compact, const QuadratureOptions& options) {
  const auto integrand = [&](double t) -> QuadratureValue {
    if (compact) return {f(t), 0.0};
    if (t >= 1.0) return {0.0, 0.0};
    return {f(t / (1.0 - t)) / ((1.0 - t) * (1.0 - t)), 0.0};
  };
  return IntegrateAdaptively(integrand, 0.0, 1.0, options);
}

// The integral of r^power f(r) along the ray.
double RayIntegral(const std::function<double(double)>& f, bool compact, double power) {
  QuadratureOptions options;
  options.relative_tolerance = 1e-13;
  options.max_intervals = 400;
  return IntegrateAlongRay([&](double r) { return std::pow(r, power) * f(r); }, compact, options)
      .value;
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

namespace {

// LogNoncentralChiSquare is the log density at x > 0 of the noncentral chi-square with
// `dof` degrees of freedom and noncentrality `lambda`: log sum_j Poisson(j; lambda / 2)
// chi2(x; dof + 2j).
double LogNoncentralChiSquare(double x, double dof, double lambda) {
  const double half = 0.5 * lambda;
  const auto log_term = [&](double j) {
    const double nu = 0.5 * dof + j;
    const double poisson = j == 0 ? -half : -half + j * std::log(half) - std::lgamma(j + 1);
    return poisson + (nu - 1.0) * std::log(x) - 0.5 * x - nu * std::log(2.0) - std::lgamma(nu);
  };
  if (half == 0.0) return log_term(0);
  // The terms rise to a peak and fall: sum outward from the peak until they are negligible.
  double peak = 0.0;
  double best = log_term(0);
  for (double j = 1; j < 1e6; j = std::ceil(j * 1.5)) {  // Coarse search for the peak.
    const double value = log_term(j);
    if (value < best) break;
    best = value;
    peak = j;
  }
  for (double j = std::max(0.0, peak - 64); j <= peak + 64; ++j) {  // Refine.
    const double value = log_term(j);
    if (value > best) {
      best = value;
      peak = j;
    }
  }
  constexpr double kNegligible = -41.5;  // e^-41.5 < 1e-18.
  double sum = 0.0;
  for (double j = peak; j >= 0; --j) {
    const double relative = log_term(j) - best;
    if (relative < kNegligible) break;
    sum += std::exp(relative);
  }
  for (double j = peak + 1;; ++j) {
    const double relative = log_term(j) - best;
    if (relative < kNegligible) break;
    sum += std::exp(relative);
  }
  return best + std::log(sum);
}

}  // namespace

std::optional<double> IsotropicExpectation(const std::function<double(double)>& profile,
                                           bool compact, size_t dims, double offset, double sigma,
                                           double width) {
  const double d = static_cast<double>(dims);
  const double lambda = (offset / sigma) * (offset / sigma);
  // The density of rho = |D| at rho > 0: 2 rho / sigma^2 times chi-square's at rho^2 / sigma^2.
  const auto radius_density = [&](double rho) {
    if (rho <= 0.0) return 0.0;
    const double x = (rho / sigma) * (rho / sigma);
    return std::exp(LogNoncentralChiSquare(x, d, lambda) + std::log(2.0 * rho / (sigma * sigma)));
  };
  QuadratureOptions options;
  options.relative_tolerance = 1e-11;
  options.max_intervals = 2000;
  // In units of the width, t = rho / h.
  const QuadratureResult result = IntegrateAlongRay(
      [&](double t) { return profile(t) * radius_density(width * t) * width; }, compact, options);
  if (!result.converged) return std::nullopt;
  return result.value;
}

}  // namespace radial
}  // namespace parsweep
