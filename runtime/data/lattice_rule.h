// IntegrateOnLattice: the integral of a function over the unit cube [0, 1]^s by randomly
// shifted rank-1 lattice rules, with a statistical error estimate. Genz's multivariate
// normal probabilities (mvn_rectangle.h) use it in 4 or more dimensions, where nested
// one-dimensional quadrature would cost too much.
//
// A round takes a prime N and the Korobov lattice x_k = frac(k z / N), k = 0..N-1, with
// z = (1, a, a^2, ..., a^(s-1)) mod N; a is the best of 32 candidates by the criterion P_2
// with weights 1 / j^2 for coordinate j (the worst-case error for functions with
// square-integrable mixed first derivatives, Sloan and Joe, "Lattice Methods for Multiple
// Integration", 1994): earlier coordinates are assumed to matter more. Each of `shifts`
// uniform random shifts of the lattice, folded by the baker's transformation
// x -> 1 - |2x - 1| (which makes the rule converge for smooth integrands nearly as N^-2
// rather than N^-1), gives an unbiased estimate; their mean is the value and their spread
// the error estimate. Rounds double N until the error estimate is within the tolerance or
// the next round would pass the budget; the value and error are the last round's.
//
// The error estimate is 3.5 standard errors of the mean of the shifts' estimates: with 12
// shifts, Student's t with 11 degrees of freedom puts the true integral outside that
// interval with probability about 0.5%. It is a statistical estimate, not a certain bound.
//
// Cost: the rounds evaluate f at most max_evaluations times in all; choosing a costs 32 N s
// cheap operations per round, a small fraction of the evaluations when f costs more than a
// few arithmetic operations per coordinate.
//
// Deterministic: the shifts come from std::mt19937_64 with a fixed seed and the candidates
// are fixed, so the same integrand gives the same bits on every run.
//
// Example:
//   LatticeOptions options;
//   options.relative_tolerance = 1e-6;
//   LatticeResult r = IntegrateOnLattice(
//       3, [](absl::Span<const double> x) { return x[0] * x[1] * x[2]; }, options);
//   // r.value = 0.125 within r.error
#ifndef PARSWEEP_RUNTIME_DATA_LATTICE_RULE_H_
#define PARSWEEP_RUNTIME_DATA_LATTICE_RULE_H_

#include <cstddef>
#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/types/span.h"

namespace parsweep {

struct LatticeOptions {
  // Stop when the error estimate is at most max(relative_tolerance * |value|,
  // absolute_tolerance).
  double relative_tolerance = 1e-6;
  double absolute_tolerance = 0.0;
  // The most evaluations of the integrand, over all shifts.
  int64_t max_evaluations = 1 << 18;
  // About the points per shift in the first round: the largest prime not above it (then
  // doubled each round).
  int64_t initial_points = 128;
  int shifts = 12;
  uint64_t seed = 20240613;
};

struct LatticeResult {
  double value = 0.0;
  double error = 0.0;  // 3.5 standard errors of the shifts' mean.
  int64_t evaluations = 0;
  bool converged = false;  // error within the tolerance.
};

// IntegrateOnLattice integrates f over [0, 1]^dims (dims >= 1); f is called with dims
// coordinates in [0, 1].
LatticeResult IntegrateOnLattice(size_t dims, absl::FunctionRef<double(absl::Span<const double>)> f,
                                 const LatticeOptions& options);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_DATA_LATTICE_RULE_H_
