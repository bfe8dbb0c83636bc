// MvnRectangleProbability: P(lo <= X <= hi) for a multivariate normal X ~ N(mean, Sigma)
// with any symmetric positive definite covariance Sigma: the probability of a box
// ("rectangle"), which scipy computes as
// scipy.stats.multivariate_normal.cdf(hi, mean, cov, lower_limit=lo). The hypercube
// kernel's expected density is this probability divided by the box's volume.
//
// Method: Genz's separation of variables (A. Genz, "Numerical computation of multivariate
// normal probabilities", J. Comput. Graph. Stat. 1 (1992) 141-149; A. Genz and F. Bretz,
// "Computation of Multivariate Normal and t Probabilities", Springer 2009, chapter 4).
//  1. Coordinates unbounded on both sides are dropped (their marginal is exact); m
//     coordinates remain. m = 0 gives 1; m = 1, or independent coordinates, the product
//     of one-dimensional probabilities (no integral).
//  2. Sigma = C C^T (Cholesky) with the variables ordered as it is computed: next comes
//     the remaining variable whose interval is least probable given the earlier ones at
//     their conditional means (Gibson, Glasbey and Elston, 1994). The result does not
//     depend on the order; the integrand's smoothness, and so the cost, does.
//  3. With X = mean + C Z, Z standard normal, the box is a_i <= (C Z)_i <= b_i, whose
//     i-th condition bounds Z_i given Z_1..Z_{i-1}. Substituting Z_i = Phi^-1 of a uniform
//     w_i over its allowed range turns P into the integral over [0, 1]^(m-1) of
//     f(w) = e_1 * e_2(w_1) * ... * e_m(w_1..w_{m-1}), where e_i is the probability of
//     Z_i's interval given the earlier ones: a bounded, smooth integrand. Each e_i, and
//     the map from w_i to Z_i, keeps its relative accuracy far in a tail and for narrow
//     intervals (TruncatedStandardNormal; a finite interval is carried as its center and
//     half-width, so a tiny box's width is not lost to the conditional shift), so tiny
//     probabilities keep theirs. Where Z_i's interval reaches far out the integrand is
//     steep at an end of [0, 1]; there w_i = t^3 (10 - 15 t + 6 t^2) smooths it (in the
//     quadrature; in the lattice rule for infinite limits with up to 4 variables, where
//     it helps rather than hurts).
//  4. The integral: for m = 2 and 3, nested globally adaptive Gauss–Kronrod (7/15)
//     quadrature in each w_i (adaptive_quadrature.h), aiming at relative error
//     `quadrature_tolerance` (default 1e-10). With m = 3 a first pass to 1e-3 gives P's
//     scale, and the second asks each inner integral for the absolute accuracy its weight
//     in P needs. For m >= 4, randomly shifted Korobov lattice rules (lattice_rule.h: 12
//     shifts from a fixed seed, the baker's transformation, N doubling), aiming at
//     `lattice_tolerance` (default 1e-6) within a budget of `lattice_budget` (2^20)
//     points times variables.
//
// Error bound: `error` is the integration's own estimate, not a proven bound. For the
// quadrature it is the sum of |K15 - G7| over the final subintervals, inner errors carried
// through the outer rule: really the error of the 7-point rules, so for these smooth
// integrands it overstates the error of the 15-point values returned, by two orders of
// magnitude or more. For the lattice rule it is 3.5 standard errors over the 12 shifts
// (about 99.5% confidence). Rounding is not included: relative ~1e-15 per variable, and
// where a limit lies x standard deviations out, about x^2 * 1.1e-16 (1.5e-13 at 37).
// Against the references in testdata/mvn_rectangle_reference.csv (scipy's quad, 46 boxes
// in 2-D and 3-D, probabilities from 1 down to 1e-113) the results agree to 1e-12
// relative (mvn_rectangle_test.cc; 8e-14 at worst when measured), with error estimates
// under 1e-10.
//
// Tiny probabilities: the relative accuracy above holds down to P of about 1e-300. Below,
// an interval's probability underflows (a limit beyond about 37.5 standard deviations);
// the result then has absolute error below 1e-300 and may be 0.
//
// Cost (one core, measured): 2-D, 15 to 500 integrand points, 5 to 150 microseconds. 3-D,
// 500 to 30,000 points, 0.1 to 15 ms; the hypercube kernel's windows around an 11^3 grid
// of points with 12 widths took 3,000 points (0.5 ms) on average. An integral that will
// not converge stops at `max_intervals` subintervals (1,500 points per one-dimensional
// integral, so at most a few million in 3-D). The lattice rule costs at most its budget,
// about 0.1 to 0.3 s, and says whether it reached its tolerance: with the default budget
// it does in 4-D and 5-D for finite boxes, but usually not from 6-D on (1e-5 relative in
// 6-D to 1e-3 in 20-D), and then `converged` is false.
//
// Deterministic: the same arguments give the same bits on every run. Thread-safe: it
// keeps no state between calls.
//
// Example:
//   ASSIGN_OR_RETURN(MvnRectangleResult r,
//                    MvnRectangleProbability({-1, -1}, {1, 1}, {0, 0}, {1, 0.5, 0.5, 1}));
//   // r.probability = 0.497971777839208, r.error < 1e-10 * r.probability
#ifndef PARSWEEP_RUNTIME_DATA_MVN_RECTANGLE_H_
#define PARSWEEP_RUNTIME_DATA_MVN_RECTANGLE_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace parsweep {

struct MvnRectangleOptions {
  // Target relative error for 2 and 3 variables (quadrature), and for 4 or more (lattice).
  double quadrature_tolerance = 1e-10;
  double lattice_tolerance = 1e-6;
  // The most subintervals of each one-dimensional integral of the quadrature.
  int max_intervals = 100;
  // The lattice rule's budget: points times variables.
  int64_t lattice_budget = int64_t{1} << 20;
};

enum class MvnMethod {
  kExact,       // No integral: at most one variable, or independent variables.
  kQuadrature,  // 2 or 3 variables.
  kLattice,     // 4 or more.
};

struct MvnRectangleResult {
  double probability = 0.0;
  // The integration's error estimate (see the file comment); 0 for kExact.
  double error = 0.0;
  MvnMethod method = MvnMethod::kExact;
  // Variables integrated: those with at least one finite limit.
  size_t variables = 0;
  // Points of [0, 1]^(variables - 1) at which the integrand was evaluated.
  int64_t evaluations = 0;
  // Whether error <= max(tolerance * probability, 1e-300).
  bool converged = true;
};

// MvnRectangleProbability returns P(lo_j <= X_j <= hi_j for all j), X ~ N(mean,
// covariance), covariance d*d row-major. Limits may be infinite. InvalidArgument if the
// sizes disagree, a limit is NaN, lo_j > hi_j, or the covariance is not finite,
// symmetric and positive definite.
absl::StatusOr<MvnRectangleResult> MvnRectangleProbability(absl::Span<const double> lo,
                                                           absl::Span<const double> hi,
                                                           absl::Span<const double> mean,
                                                           absl::Span<const double> covariance,
                                                           const MvnRectangleOptions& options = {});

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_DATA_MVN_RECTANGLE_H_
