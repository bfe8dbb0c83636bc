// IntegrateAdaptively: the integral of a function over a finite interval by globally
// adaptive Gauss–Kronrod quadrature (the 7-point Gauss rule inside the 15-point Kronrod
// rule, as QUADPACK's QAG: Piessens et al., 1983), with an error estimate. Used for the
// one- and two-dimensional integrals of Genz's multivariate normal probabilities
// (mvn_rectangle.h), where the integrand is itself an integral with its own error.
//
// Each subinterval's error is estimated as |K15 - G7|, the difference between its two
// rules: really the error of the 7-point rule, so for the smooth integrands met here it
// overstates the error of the 15-point value returned by orders of magnitude. The
// subinterval with the largest estimate is halved until the sum of the estimates is
// within the tolerance, or `max_intervals` is reached. The integrand may return its own
// error (an inner integral's); those errors are integrated with the Kronrod weights and
// added to the estimate, but they do not steer the subdivision, which cannot reduce them.
// Rounding errors (about 1e-16 of the integral of |f|) are not included.
//
// Deterministic: the same integrand gives the same bits on every run.
//
// Example:
//   QuadratureOptions options;
//   options.relative_tolerance = 1e-12;
//   QuadratureResult r = IntegrateAdaptively(
//       [](double x) { return QuadratureValue{std::exp(x), 0.0}; }, 0.0, 1.0, options);
//   // r.value = e - 1, r.error <= 1e-12 * r.value, r.converged
#ifndef PARSWEEP_RUNTIME_DATA_ADAPTIVE_QUADRATURE_H_
#define PARSWEEP_RUNTIME_DATA_ADAPTIVE_QUADRATURE_H_

#include <cstdint>

#include "absl/functional/function_ref.h"

namespace parsweep {

// QuadratureValue: an integrand's value at a point and a bound on its error (0 when the
// value is exact up to rounding).
struct QuadratureValue {
  double value = 0.0;
  double error = 0.0;
};

struct QuadratureOptions {
  // The subdivision stops when the sum of the subintervals' |K15 - G7| is at most
  // max(relative_tolerance * |integral|, absolute_tolerance). A relative tolerance below
  // about 1e-14 cannot be met through rounding; the subdivision then ends at
  // max_intervals.
  double relative_tolerance = 1e-10;
  double absolute_tolerance = 0.0;
  // The most subintervals; each costs 15 evaluations of the integrand (the first 15,
  // later ones 30 per halving).
  int max_intervals = 100;
};

struct QuadratureResult {
  double value = 0.0;
  // The estimated error: the subintervals' |K15 - G7| plus the integrated errors of the
  // integrand's values.
  double error = 0.0;
  int64_t evaluations = 0;
  // Whether the subdivision met the tolerance (its own error, without the integrand's).
  bool converged = false;
};

// IntegrateAdaptively integrates f over [a, b], a < b both finite.
QuadratureResult IntegrateAdaptively(absl::FunctionRef<QuadratureValue(double)> f, double a,
                                     double b, const QuadratureOptions& options);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_DATA_ADAPTIVE_QUADRATURE_H_
