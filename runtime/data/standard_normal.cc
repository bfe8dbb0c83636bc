#include "runtime/data/standard_normal.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

#include "runtime/base/math_constants.h"

namespace parsweep {
namespace {

// UpperTail is 1 - Phi(x), computed directly so that it keeps its relative accuracy for
// large x.
double UpperTail(double x) { return StandardNormalCdf(-x); }

// NarrowInterval is P(mid - half <= Z <= mid + half) when half * max(1, |mid|) <= 1/2,
// where Phi(b) - Phi(a) would cancel. With s = t - mid,
//   integral of phi(mid + s) over [-half, half]
//     = phi(mid) * integral of exp(-mid s - s^2 / 2) ds
//     = phi(mid) * 2 half * sum_k He_2k(mid) half^2k / (2k + 1)!,
// from the generating function exp(x t - t^2 / 2) = sum_n He_n(x) t^n / n! of the
// (probabilists') Hermite polynomials, with x = -mid and He_n(-x) = (-1)^n He_n(x).
// Under the condition the sum (the mean of exp(-mid s - s^2 / 2)) lies in [0.5, 1.7].
// Since He_n(x) = E (x + iZ)^n, Minkowski's inequality gives |He_n(x)| <= (|x| + sqrt(n))^n,
// so the k-th term is at most (1/2 + sqrt(2k) / 2)^2k / (2k + 1)!, below 1e-20 from
// k = 16 on and falling faster than geometrically: 16 terms always suffice. (A term may
// vanish long before, at a zero of He_2k, such as He_2(1) = 0, so a small term is no
// sign that the sum is done.)
double NarrowInterval(double mid, double half) {
  const double h2 = half * half;
  double he = 1.0;           // He_{2k-2}, then He_2k.
  double he_odd = mid;       // He_{2k-1}, then He_{2k+1}.
  double coefficient = 1.0;  // half^2k / (2k + 1)!
  double sum = 1.0;
  for (int k = 1; k <= 16; ++k) {
    // He_{n+1} = x He_n - n He_{n-1}, twice: to He_2k, then He_{2k+1}.
    const double n = 2.0 * k - 1.0;
    he = mid * he_odd - n * he;
    he_odd = mid * he - (n + 1.0) * he_odd;
    coefficient *= h2 / ((2.0 * k) * (2.0 * k + 1.0));
    sum += he * coefficient;
  }
  return StandardNormalDensity(mid) * 2.0 * half * sum;
}

// IntervalProbability is P(a <= Z <= b) given also its midpoint and half-width, as
// accurately as the caller knows them (a narrow interval's width may be known far better
// than b - a).
double IntervalProbability(double a, double b, double mid, double half) {
  if (!(half > 0.0)) return 0.0;
  if (std::isfinite(half) && half * std::max(1.0, std::abs(mid)) <= 0.5) {
    return NarrowInterval(mid, half);
  }
  // A wide interval: each difference below loses at most about a bit, since what is
  // subtracted is at most about half of what it is subtracted from: the hazard
  // phi(t) / (1 - Phi(t)) exceeds max(t, 0.79), so over (a, b) the tail shrinks by at
  // least exp(-min((b - a) mid, 0.79 (b - a))), and NarrowInterval's condition fails.
  if (a >= 0.0) return UpperTail(a) - UpperTail(b);
  if (b <= 0.0) return StandardNormalCdf(b) - StandardNormalCdf(a);
  return 1.0 - (StandardNormalCdf(a) + UpperTail(b));
}

// LowerQuantile is Phi^-1(p) for 0 < p <= 1/2. The start is Abramowitz and Stegun 26.2.23
// (absolute error below 4.5e-4). Halley's iteration for Phi(z) = p converges cubically,
// e' = K e^3 with K = (z^2 + 2) / 12 (from Phi's derivatives; under 120 down to
// p = 1e-300), so two steps take 4.5e-4 to 1e-8 and then below 1e-20. The residual is
// measured against Phi in the lower tail, where it has its relative precision.
double LowerQuantile(double p) {
  const double t = std::sqrt(-2.0 * std::log(p));
  double z = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) /
                       (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308))));
  for (int step = 0; step < 2; ++step) {
    const double density = StandardNormalDensity(z);
    if (!(density > 0.0)) break;
    const double r = (StandardNormalCdf(z) - p) / density;
    z -= r / (1.0 + 0.5 * z * r);
  }
  return z;
}

}  // namespace

double StandardNormalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

double StandardNormalDensity(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * kPi); }

double StandardNormalInterval(double a, double b) {
  if (!(a < b)) return 0.0;
  return IntervalProbability(a, b, 0.5 * a + 0.5 * b, 0.5 * b - 0.5 * a);
}

double StandardNormalIntervalAround(double center, double half_width) {
  return IntervalProbability(center - half_width, center + half_width, center, half_width);
}

double StandardNormalQuantile(double p) {
  if (!(p >= 0.0 && p <= 1.0)) return std::numeric_limits<double>::quiet_NaN();
  if (p == 0.0) return -std::numeric_limits<double>::infinity();
  if (p == 1.0) return std::numeric_limits<double>::infinity();
  // 1 - p is exact for p >= 1/2 (Sterbenz), so the upper half loses nothing here; what an
  // upper-tail p near 1 has already lost, the caller avoids by passing the tail itself
  // (as TruncatedStandardNormal does).
  return p <= 0.5 ? LowerQuantile(p) : -LowerQuantile(1.0 - p);
}

TruncatedStandardNormal::TruncatedStandardNormal(double lower, double upper)
    : TruncatedStandardNormal(lower, upper, StandardNormalInterval(lower, upper)) {}

TruncatedStandardNormal TruncatedStandardNormal::Centered(double center, double half_width) {
  return TruncatedStandardNormal(center - half_width, center + half_width,
                                 StandardNormalIntervalAround(center, half_width));
}

TruncatedStandardNormal::TruncatedStandardNormal(double lower, double upper, double probability)
    : lower_(lower),
      upper_(upper),
      below_(StandardNormalCdf(lower)),
      above_(UpperTail(upper)),
      probability_(probability) {}

double TruncatedStandardNormal::Quantile(double w, double w_complement) const {
  const double low = std::max(lower_, -kFiniteLimit);
  const double high = std::max(low, std::min(upper_, kFiniteLimit));
  if (!(probability_ > 0.0)) return std::clamp(0.0, low, high);
  // Invert whichever tail the point lies in, measured from that tail's own end: near
  // the top, 1 - Phi(z) = above + (1 - w) p is known to its relative precision, while
  // Phi(z) = below + w p has rounded away everything smaller than 1e-16.
  const double from_below = below_ + w * probability_;
  const double z = from_below <= 0.5
                       ? StandardNormalQuantile(from_below)
                       : -StandardNormalQuantile(above_ + w_complement * probability_);
  // Rounding can put z a hair outside the interval, or at an infinite end.
  return std::clamp(z, low, high);
}

double TruncatedStandardNormal::Mean() const {
  const double low = std::max(lower_, -kFiniteLimit);
  const double high = std::max(low, std::min(upper_, kFiniteLimit));
  if (!(probability_ > DBL_MIN)) return std::clamp(0.0, low, high);
  const double mean =
      (StandardNormalDensity(lower_) - StandardNormalDensity(upper_)) / probability_;
  return std::clamp(mean, low, high);
}

}  // namespace parsweep
