#include "runtime/data/mvn_rectangle.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "runtime/base/status_macros.h"
#include "runtime/data/adaptive_quadrature.h"
#include "runtime/data/lattice_rule.h"
#include "runtime/data/standard_normal.h"

namespace parsweep {
namespace {

// Below this a probability may have underflowed on the way (see the header).
constexpr double kUnderflowFloor = 1e-300;
constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Limits: one coordinate's limits, minus the mean. For a finite interval also its
// midpoint and half-width, taken from the limits as given: a narrow box's width survives
// there even when the conditional shift subtracted from both ends (Genz's sum_k C_ik z_k)
// is far larger than it, which would leave (b - shift) - (a - shift) with few digits.
struct Limits {
  double lower;
  double upper;
  double mid;   // Finite only if both limits are.
  double half;  // Finite only if both limits are.
};

// GenzProblem: the box in Genz's variables, X - mean = C Z, after dropping unbounded
// coordinates and ordering the rest.
struct GenzProblem {
  size_t m = 0;
  std::vector<Limits> limits;    // In the chosen order.
  std::vector<double> cholesky;  // C, m*m lower-triangular, row-major.
  // Whether the lattice rule's integrand substitutes SmoothedEnds for the coordinates
  // with an infinite limit: only in up to 3 lattice coordinates (m <= 4). Each
  // substitution's Jacobian peaks at 1.875, and in more coordinates their product makes
  // the integrand so peaked that the rule does worse than without: measured on
  // equicorrelated orthants, 1e-7 instead of 1e-5 relative in 4-D, but 6e-3 instead of
  // 6e-5 in 6-D.
  bool smooth_unbounded = false;

  // Conditional is Z_i's interval given z_0..z_{i-1}: a_i <= sum_k C_ik z_k <= b_i.
  TruncatedStandardNormal Conditional(size_t i, const double* z) const {
    const double* row = &cholesky[i * m];
    const double shift = Shift(i, z);
    const Limits& l = limits[i];
    if (std::isfinite(l.half)) {
      return TruncatedStandardNormal::Centered((l.mid - shift) / row[i], l.half / row[i]);
    }
    return TruncatedStandardNormal((l.lower - shift) / row[i], (l.upper - shift) / row[i]);
  }

  // ConditionalProbability is Conditional(i, z).probability() alone: for the last
  // variable, which needs no quantile, and so not the tails a quantile starts from.
  double ConditionalProbability(size_t i, const double* z) const {
    const double* row = &cholesky[i * m];
    const double shift = Shift(i, z);
    const Limits& l = limits[i];
    if (std::isfinite(l.half)) {
      return StandardNormalIntervalAround((l.mid - shift) / row[i], l.half / row[i]);
    }
    return StandardNormalInterval((l.lower - shift) / row[i], (l.upper - shift) / row[i]);
  }

  // Shift is sum_{k < i} C_ik z_k.
  double Shift(size_t i, const double* z) const {
    double shift = 0.0;
    for (size_t k = 0; k < i; ++k) shift += cholesky[i * m + k] * z[k];
    return shift;
  }

  bool Independent() const {
    for (size_t i = 0; i < m; ++i) {
      for (size_t k = 0; k < i; ++k) {
        if (cholesky[i * m + k] != 0.0) return false;
      }
    }
    return true;
  }
};

absl::Status CheckArguments(absl::Span<const double> lo, absl::Span<const double> hi,
                            absl::Span<const double> mean, absl::Span<const double> covariance) {
  const size_t d = mean.size();
  if (lo.size() != d || hi.size() != d || covariance.size() != d * d) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a box probability of a ", d, "-D normal needs ", d, " lower and upper limits and ", d * d,
        " covariance entries; got ", lo.size(), ", ", hi.size(), " and ", covariance.size()));
  }
  for (size_t j = 0; j < d; ++j) {
    if (std::isnan(lo[j]) || std::isnan(hi[j])) {
      return absl::InvalidArgumentError(absl::StrCat("the box's limit ", j, " is NaN"));
    }
    if (lo[j] > hi[j]) {
      return absl::InvalidArgumentError(absl::StrCat("the box's lower limit ", j, " (", lo[j],
                                                     ") is above its upper limit (", hi[j], ")"));
    }
    if (!std::isfinite(mean[j])) {
      return absl::InvalidArgumentError(absl::StrCat("mean entry ", j, " is not finite"));
    }
  }
  for (size_t i = 0; i < d; ++i) {
    for (size_t j = 0; j < d; ++j) {
      const double a = covariance[i * d + j];
      if (!std::isfinite(a) || a != covariance[j * d + i]) {
        return absl::InvalidArgumentError(
            absl::StrCat("the covariance is not finite and symmetric at entry (", i, ", ", j, ")"));
      }
    }
  }
  return absl::OkStatus();
}

// Prepare drops the coordinates unbounded on both sides and computes the Cholesky factor
// of the rest, choosing each next variable as the one whose interval is least probable
// given the earlier ones at their conditional means (Genz and Bretz, 2009, 4.1.3).
absl::StatusOr<GenzProblem> Prepare(absl::Span<const double> lo, absl::Span<const double> hi,
                                    absl::Span<const double> mean,
                                    absl::Span<const double> covariance) {
  const size_t d = mean.size();
  std::vector<size_t> kept;
  for (size_t j = 0; j < d; ++j) {
    if (!(std::isinf(lo[j]) && lo[j] < 0 && std::isinf(hi[j]) && hi[j] > 0)) kept.push_back(j);
  }
  GenzProblem p;
  const size_t m = kept.size();
  p.m = m;
  std::vector<double> sigma(m * m);  // The kept block, permuted along with the variables.
  for (size_t r = 0; r < m; ++r) {
    const size_t j = kept[r];
    Limits limits = {lo[j] - mean[j], hi[j] - mean[j], kInfinity, kInfinity};
    if (std::isfinite(lo[j]) && std::isfinite(hi[j])) {
      limits.mid = (0.5 * lo[j] + 0.5 * hi[j]) - mean[j];
      limits.half = 0.5 * hi[j] - 0.5 * lo[j];
    }
    p.limits.push_back(limits);
    for (size_t c = 0; c < m; ++c) sigma[r * m + c] = covariance[j * d + kept[c]];
  }
  p.cholesky.assign(m * m, 0.0);
  std::vector<double>& l = p.cholesky;
  std::vector<double> y(m, 0.0);  // Conditional means of the variables ordered so far.
  for (size_t i = 0; i < m; ++i) {
    size_t best = i;
    double best_probability = std::numeric_limits<double>::infinity();
    double best_scale = 0.0;
    for (size_t j = i; j < m; ++j) {
      double pivot = sigma[j * m + j];
      double shift = 0.0;
      for (size_t k = 0; k < i; ++k) {
        pivot -= l[j * m + k] * l[j * m + k];
        shift += l[j * m + k] * y[k];
      }
      if (!(pivot > 0.0)) {
        return absl::InvalidArgumentError(
            "the covariance is not positive definite (a Cholesky pivot is not positive)");
      }
      const double scale = std::sqrt(pivot);
      const double probability = StandardNormalInterval((p.limits[j].lower - shift) / scale,
                                                        (p.limits[j].upper - shift) / scale);
      if (probability < best_probability) {
        best = j;
        best_probability = probability;
        best_scale = scale;
      }
    }
    if (best != i) {
      std::swap(p.limits[i], p.limits[best]);
      for (size_t k = 0; k < m; ++k) std::swap(sigma[i * m + k], sigma[best * m + k]);
      for (size_t k = 0; k < m; ++k) std::swap(sigma[k * m + i], sigma[k * m + best]);
      for (size_t k = 0; k < i; ++k) std::swap(l[i * m + k], l[best * m + k]);
    }
    l[i * m + i] = best_scale;
    for (size_t r = i + 1; r < m; ++r) {
      double sum = sigma[r * m + i];
      for (size_t k = 0; k < i; ++k) sum -= l[r * m + k] * l[i * m + k];
      l[r * m + i] = sum / best_scale;
    }
    y[i] = p.Conditional(i, y.data()).Mean();
  }
  return p;
}

// SmoothedEnds substitutes w = g(t) = t^3 (10 - 15 t + 6 t^2), dw = 30 t^2 (1 - t)^2 dt,
// for an integral over w in [0, 1] whose integrand is steep at an end.
//
// Where Z_i's interval reaches far out (an end far beyond the mean, or infinite), the map
// from w to z = Phi^-1(...) is steep at that end of [0, 1] (dz/dw = e_i / phi(z)), and the
// integrand approaches its end value like a power w^alpha, alpha as small as
// (C_ji / C_jj)^2, which Gauss–Kronrod resolves only after dozens of halvings toward the
// end and a lattice rule only slowly. In t it behaves like t^(3 alpha + 2). The
// substitution is symmetric (1 - g(t) = g(1 - t)), so 1 - w is known to its relative
// precision near the top as well.
struct SmoothedEnds {
  explicit SmoothedEnds(double t) {
    const double s = 1.0 - t;
    w = t * t * t * (10.0 - t * (15.0 - 6.0 * t));
    complement = s * s * s * (10.0 - s * (15.0 - 6.0 * s));
    jacobian = 30.0 * (t * s) * (t * s);
  }
  double w;
  double complement;
  double jacobian;
};

// Nested: the integral over w_i..w_{m-1} of e_i * ... * e_m given z_0..z_{i-1}, by
// adaptive quadrature in each w, substituting SmoothedEnds where Z_i's interval reaches
// beyond kSmoothBeyond (within it the map is smooth, and the substitution would only cost
// points).
constexpr double kSmoothBeyond = 3.0;

class Nested {
 public:
  Nested(const GenzProblem& problem, int max_intervals)
      : problem_(problem), max_intervals_(max_intervals), z_(problem.m, 0.0) {}

  // Level is e_i times the integral over w_i of Level(i + 1), its error within about
  // max(relative * |value|, absolute): half of it for this integral, half for the inner
  // ones, whose values are multiplied by e_i.
  QuadratureValue Level(size_t i, double relative, double absolute) {
    if (i + 1 == problem_.m) {
      ++evaluations_;
      return {problem_.ConditionalProbability(i, z_.data()), 0.0};
    }
    const TruncatedStandardNormal interval = problem_.Conditional(i, z_.data());
    const double probability = interval.probability();
    if (probability == 0.0) {
      ++evaluations_;
      return {0.0, 0.0};
    }
    const bool smooth = std::max(-interval.lower(), interval.upper()) > kSmoothBeyond;
    QuadratureOptions options;
    options.relative_tolerance = 0.5 * relative;
    options.absolute_tolerance = 0.5 * absolute / probability;
    options.max_intervals = max_intervals_;
    const QuadratureResult inner = IntegrateAdaptively(
        [&](double t) {
          double jacobian = 1.0;
          if (smooth) {
            const SmoothedEnds u(t);
            z_[i] = interval.Quantile(u.w, u.complement);
            jacobian = u.jacobian;
          } else {
            z_[i] = interval.Quantile(t, 1.0 - t);
          }
          const QuadratureValue value =
              Level(i + 1, options.relative_tolerance, options.absolute_tolerance);
          return QuadratureValue{jacobian * value.value, jacobian * value.error};
        },
        0.0, 1.0, options);
    return {probability * inner.value, probability * inner.error};
  }

  int64_t evaluations() const { return evaluations_; }

 private:
  const GenzProblem& problem_;
  const int max_intervals_;
  std::vector<double> z_;
  int64_t evaluations_ = 0;
};

// NestedQuadrature is P to a relative error of about `tolerance` for 2 or 3 variables.
// With 3, a first pass to 1e-3 gives the scale of P, so that the second can ask each inner
// integral only for the absolute accuracy its weight in P needs: an inner integral where
// e_2 is small is multiplied by it, and need not be known to the relative accuracy of P.
MvnRectangleResult NestedQuadrature(const GenzProblem& problem, double tolerance,
                                    int max_intervals) {
  Nested nested(problem, max_intervals);
  QuadratureValue value;
  if (problem.m == 2) {
    value = nested.Level(0, tolerance, 0.0);
  } else {
    const double scale = nested.Level(0, 1e-3, 0.0).value;
    value = nested.Level(0, 0.0, 0.5 * tolerance * scale);
  }
  MvnRectangleResult result;
  result.probability = value.value;
  result.error = value.error;
  result.evaluations = nested.evaluations();
  return result;
}

// Integrand is f(w) = e_1 * e_2(w_1) * ... * e_m(w_1..w_{m-1}) at one point, for the
// lattice rule. With problem.smooth_unbounded it substitutes SmoothedEnds for each
// coordinate with an infinite limit (the same for every point, so that f stays smooth
// across the cube).
double Integrand(const GenzProblem& problem, absl::Span<const double> w, std::vector<double>& z) {
  double product = 1.0;
  for (size_t i = 0; i + 1 < problem.m; ++i) {
    const TruncatedStandardNormal interval = problem.Conditional(i, z.data());
    product *= interval.probability();
    if (product == 0.0) return 0.0;
    if (!problem.smooth_unbounded || std::isfinite(problem.limits[i].half)) {
      z[i] = interval.Quantile(w[i]);
    } else {
      const SmoothedEnds u(w[i]);
      z[i] = interval.Quantile(u.w, u.complement);
      product *= u.jacobian;
    }
  }
  return product * problem.ConditionalProbability(problem.m - 1, z.data());
}

}  // namespace

absl::StatusOr<MvnRectangleResult> MvnRectangleProbability(absl::Span<const double> lo,
                                                           absl::Span<const double> hi,
                                                           absl::Span<const double> mean,
                                                           absl::Span<const double> covariance,
                                                           const MvnRectangleOptions& options) {
  RETURN_IF_ERROR(CheckArguments(lo, hi, mean, covariance));
  ASSIGN_OR_RETURN(GenzProblem problem, Prepare(lo, hi, mean, covariance));
  MvnRectangleResult result;
  result.variables = problem.m;
  const size_t m = problem.m;
  if (m == 0) {
    result.probability = 1.0;
    return result;
  }
  if (problem.Independent()) {
    // Each e_i is a constant, whatever the earlier z: the product is exact (this includes
    // m = 1).
    const std::vector<double> z(m, 0.0);
    result.probability = 1.0;
    for (size_t i = 0; i < m; ++i)
      result.probability *= problem.ConditionalProbability(i, z.data());
    result.evaluations = 1;
    return result;
  }
  double tolerance;
  if (m <= 3) {
    tolerance = options.quadrature_tolerance;
    result = NestedQuadrature(problem, tolerance, options.max_intervals);
    result.method = MvnMethod::kQuadrature;
    result.variables = m;
  } else {
    result.method = MvnMethod::kLattice;
    tolerance = options.lattice_tolerance;
    LatticeOptions lattice;
    lattice.relative_tolerance = tolerance;
    lattice.max_evaluations = options.lattice_budget / static_cast<int64_t>(m);
    problem.smooth_unbounded = m <= 4;
    std::vector<double> z(m, 0.0);
    const LatticeResult value = IntegrateOnLattice(
        m - 1, [&](absl::Span<const double> w) { return Integrand(problem, w, z); }, lattice);
    result.probability = value.value;
    result.error = value.error;
    result.evaluations = value.evaluations;
  }
  result.converged = result.error <= std::max(tolerance * result.probability, kUnderflowFloor);
  return result;
}

}  // namespace parsweep
