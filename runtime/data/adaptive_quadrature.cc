#include "runtime/data/adaptive_quadrature.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace parsweep {
namespace {

// The 15-point Kronrod rule on [-1, 1] and its embedded 7-point Gauss rule (QUADPACK's
// qk15): nodes +-kNodes[i], largest first, the last one 0; the Gauss nodes are the odd
// entries. adaptive_quadrature_test checks that each rule integrates the polynomials of its
// degree (22 and 13) exactly.
constexpr double kNodes[8] = {
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.0};
constexpr double kKronrodWeights[8] = {
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
// Weights of the Gauss nodes kNodes[1], kNodes[3], kNodes[5] and kNodes[7] = 0.
constexpr double kGaussWeights[4] = {
    0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
    0.381830050505118944950369775488975, 0.417959183673469387755102040816327};

struct Interval {
  double a;
  double b;
  double value;       // K15.
  double own_error;   // |K15 - G7|.
  double propagated;  // The integrand's errors, integrated with the Kronrod weights.
};

Interval Apply(absl::FunctionRef<QuadratureValue(double)> f, double a, double b) {
  const double center = 0.5 * a + 0.5 * b;
  const double half = 0.5 * b - 0.5 * a;
  double kronrod = 0.0;
  double gauss = 0.0;
  double propagated = 0.0;
  for (int i = 0; i < 8; ++i) {
    const double offset = half * kNodes[i];
    const QuadratureValue left = f(center - offset);
    // The center (i = 7) is one node, not two.
    const QuadratureValue right = i < 7 ? f(center + offset) : QuadratureValue{};
    kronrod += kKronrodWeights[i] * (left.value + right.value);
    propagated += kKronrodWeights[i] * (left.error + right.error);
    if (i % 2 == 1) gauss += kGaussWeights[i / 2] * (left.value + right.value);
  }
  return {a, b, half * kronrod, std::abs(half * (kronrod - gauss)), half * propagated};
}

}  // namespace

QuadratureResult IntegrateAdaptively(absl::FunctionRef<QuadratureValue(double)> f, double a,
                                     double b, const QuadratureOptions& options) {
  std::vector<Interval> intervals = {Apply(f, a, b)};
  QuadratureResult result;
  result.evaluations = 15;
  while (true) {
    // Sums in a fixed order, recomputed rather than updated, so that no drift from
    // subtracting replaced intervals accumulates.
    double value = 0.0;
    double own_error = 0.0;
    double propagated = 0.0;
    size_t worst = 0;
    for (size_t i = 0; i < intervals.size(); ++i) {
      value += intervals[i].value;
      own_error += intervals[i].own_error;
      propagated += intervals[i].propagated;
      if (intervals[i].own_error > intervals[worst].own_error) worst = i;
    }
    result.value = value;
    result.error = own_error + propagated;
    result.converged = own_error <= std::max(options.relative_tolerance * std::abs(value),
                                             options.absolute_tolerance);
    if (result.converged || static_cast<int>(intervals.size()) >= options.max_intervals) break;
    const Interval split = intervals[worst];
    const double mid = 0.5 * split.a + 0.5 * split.b;
    // An interval too narrow to halve in doubles: no rule can do better on it.
    if (!(split.a < mid && mid < split.b)) break;
    intervals[worst] = Apply(f, split.a, mid);
    intervals.push_back(Apply(f, mid, split.b));
    result.evaluations += 30;
  }
  return result;
}

}  // namespace parsweep
