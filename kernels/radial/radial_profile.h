// Radial kernels: K_h(x) = c_d h^-d k(|x| / h), one profile k per kernel, normalised in d
// dimensions exactly as scikit-learn's KernelDensity normalises it, so that parsweep and
// scikit-learn give the same densities. A new radial kernel is a Profile struct, its
// normalisation and a test; RadialKernel<Profile> (radial_kernel.h) does the rest.
//
// A Profile is a struct with static members:
//   static constexpr bool kCompact;          // k(u) = 0 for u >= 1 (scikit-learn: dist < h)
//   static double Value(double r, double h);  // Compact: k(r / h) for 0 < r < h, in [0, 1].
//   static double LogValue(double r, double h);  // Not compact: log k(r / h) = s_h r,
//   static double Slope(double h);               // s_h < 0 (linear in r: one vector exp
//                                                // per sample and width in the fused pass).
//   static double LogNormalisation(size_t d);    // log c_d.
// Every profile has k(0) = 1 (a sample at the point adds exactly 1 before normalising).
// Optionally, for speed, a compact profile says how k(r / h) splits into sums over the
// samples, and its fused pass then costs O(1) a sample whatever the number of widths
// (without either it adds k(r / h) for each width above r). Fastest, a count and one
// power of r, p = 0, 1 or 2, summed exactly (power_sums.h):
//   static constexpr int kPower;                                      // p.
//   static double CombinePower(double count, double sum, double h);   // sum: of r^p.
// Or any k(r / h) = sum_j f_j(r) g_j(h), its moments summed through a grid of r
// (moment_grid.h; radial_kernel.h's MomentTotals):
//   static constexpr size_t kMoments;            // How many f_j.
//   static void AddMoments(double r, double* sums);         // sums[j] += f_j(r).
//   static double Combine(const double* sums, double h);    // sum_j sums[j] g_j(h).
//
// Example (kernels/epanechnikov/epanechnikov.cc):
//   struct Epanechnikov {
//     static constexpr bool kCompact = true;
//     static double Value(double r, double h) { return 1.0 - (r * r) / (h * h); }
//     static double LogNormalisation(size_t d) { ... }
//   };
#ifndef PARSWEEP_KERNELS_RADIAL_RADIAL_PROFILE_H_
#define PARSWEEP_KERNELS_RADIAL_RADIAL_PROFILE_H_

#include <cstddef>
#include <functional>
#include <optional>

namespace parsweep {
namespace radial {

// The widths for which a compact profile's fused pass sums moments or powers of r
// (radial_kernel.h's MomentTotals, power_sums.h): outside, h^(2j) or r^(2j) could leave the
// normal doubles, and a width's terms are added one by one.
inline constexpr double kMomentWidthMin = 1e-12;
inline constexpr double kMomentWidthMax = 1e12;

// LogUnitBallVolume is log V_d, V_d = pi^(d/2) / Gamma(d/2 + 1) the volume of the unit ball
// in d dimensions.
double LogUnitBallVolume(size_t dims);

// LogUnitSphereArea is log S_d, S_d = 2 pi^(d/2) / Gamma(d/2) = d V_d the area of the unit
// sphere in d dimensions (the boundary of the unit ball; 2 for d = 1).
double LogUnitSphereArea(size_t dims);

// RadialMoments: integrals of a profile k over R^d, from its values along a ray, by
// adaptive quadrature (k compact: over [0, 1]; otherwise over [0, infinity) mapped onto
// [0, 1)). They check the closed-form normalisations and give the canonical bandwidth.
struct RadialMoments {
  double mass;             // The integral of k(|x|) over R^d: 1 / c_d.
  double second_moment;    // The integral of x_1^2 c_d k(|x|): mu_2(K).
  double square_integral;  // The integral of (c_d k(|x|))^2: R(K).
};
RadialMoments MomentsOf(const std::function<double(double)>& profile, bool compact, size_t dims);

// GaussianEquivalentFactor is the ratio of the canonical bandwidths of K and of the Gaussian
// kernel in d dimensions, ((R(K) / mu_2(K)^2) / (R(G) / mu_2(G)^2))^(1 / (d + 4)): the
// factor that turns a Gaussian bandwidth (Scott's, Silverman's) into K's width with the
// same asymptotic mean integrated squared error balance (Marron and Nolan, 1988).
double GaussianEquivalentFactor(const RadialMoments& moments, size_t dims);

// IsotropicExpectation is E[k(|D| / h)] for D ~ N(a, sigma^2 I) in d dimensions: what a
// radial kernel's estimate averages to (times c_d h^-d) at a point x when the samples come
// from N(mu, sigma^2 I), with a = x - mu. `offset` is |a|. |D|^2 / sigma^2 is noncentral
// chi-square with d degrees of freedom and noncentrality |a|^2 / sigma^2, whose density is
// a Poisson mixture of central chi-square densities (summed in logs until the terms fall
// below 1e-18 of the largest); the integral over the radius is by adaptive quadrature to
// 1e-11 relative (over [0, h] for a compact profile, [0, infinity) mapped onto [0, 1)
// otherwise). nullopt if the quadrature does not converge.
std::optional<double> IsotropicExpectation(const std::function<double(double)>& profile,
                                           bool compact, size_t dims, double offset, double sigma,
                                           double width);

}  // namespace radial
}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_RADIAL_RADIAL_PROFILE_H_
