// The standard normal distribution N(0, 1): its distribution function Phi, the probability
// of an interval, the quantile Phi^-1, and the variable restricted to an interval
// (TruncatedStandardNormal), with relative accuracy in the tails, where the probabilities
// of a Gaussian far from its mean live.
//
// Accuracy (relative, for results above DBL_MIN = 2.2e-308): Phi and the tail
// probabilities come from std::erfc of x / sqrt(2), whose rounded argument costs about
// x^2 * 1.1e-16 (1.5e-13 at |x| = 37, where Phi reaches 1e-300); elsewhere a few ulps.
// An interval's probability keeps that accuracy however narrow or far out it is (no
// difference of two nearly equal numbers is taken), and the quantile inverts Phi to
// within the same.
//
// Example:
//   double p = StandardNormalInterval(8, 9);        // 6.2e-16, to 15 digits
//   double z = StandardNormalQuantile(0.975);       // 1.959963984540054
//   TruncatedStandardNormal t(-1, 2);
//   double median = t.Quantile(0.5);                // half of t.probability() below it
#ifndef PARSWEEP_RUNTIME_DATA_STANDARD_NORMAL_H_
#define PARSWEEP_RUNTIME_DATA_STANDARD_NORMAL_H_

namespace parsweep {

// StandardNormalCdf returns Phi(x), the standard normal distribution function.
double StandardNormalCdf(double x);

// StandardNormalDensity returns phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
double StandardNormalDensity(double x);

// StandardNormalInterval returns P(a <= Z <= b) for a standard normal Z: 0 when b <= a.
// The limits may be infinite. Neither may be NaN.
double StandardNormalInterval(double a, double b);

// StandardNormalIntervalAround returns P(center - half_width <= Z <= center +
// half_width), center finite, half_width >= 0 (may be infinite). For a narrow interval
// it is as accurate as half_width is, however inexact center - half_width and
// center + half_width would be as doubles.
double StandardNormalIntervalAround(double center, double half_width);

// StandardNormalQuantile returns Phi^-1(p): -infinity at 0, +infinity at 1, NaN outside
// [0, 1].
double StandardNormalQuantile(double p);

// TruncatedStandardNormal: Z ~ N(0, 1) restricted to [lower, upper], which Genz's
// transformation of a multivariate normal probability needs for each variable: the
// interval's probability, and the map from a uniform w in [0, 1] to the restricted
// variable. Both keep their relative accuracy when the interval lies far in a tail.
class TruncatedStandardNormal {
 public:
  // Requires lower <= upper (either may be infinite; neither NaN).
  TruncatedStandardNormal(double lower, double upper);

  // TruncatedStandardNormal::Centered is the interval [center - half_width, center +
  // half_width], both finite, half_width >= 0, with the probability
  // StandardNormalIntervalAround gives.
  static TruncatedStandardNormal Centered(double center, double half_width);

  double lower() const { return lower_; }
  double upper() const { return upper_; }

  // TruncatedStandardNormal::probability is P(lower <= Z <= upper).
  double probability() const { return probability_; }

  // TruncatedStandardNormal::Quantile is the z in [lower, upper] with
  // P(lower <= Z <= z) = w * probability(), for w in [0, 1]. Where that z is infinite (w
  // at an end of an unbounded side) or the probability underflows, the result is the
  // nearest point of [lower, upper] to it within [-kFiniteLimit, kFiniteLimit], so it is
  // always finite.
  double Quantile(double w) const { return Quantile(w, 1.0 - w); }
  // The same with w's complement 1 - w given too, for a w so close to 1 that the caller
  // knows 1 - w better than the subtraction would (it maps the top of the interval).
  double Quantile(double w, double w_complement) const;

  // TruncatedStandardNormal::Mean is E[Z | lower <= Z <= upper]; where the probability
  // underflows, the point of [lower, upper] nearest 0.
  double Mean() const;

  // kFiniteLimit: beyond +-40, Phi and its complement are below the smallest double, so
  // no probability computed here can tell such points apart.
  static constexpr double kFiniteLimit = 40.0;

 private:
  TruncatedStandardNormal(double lower, double upper, double probability);

  double lower_;
  double upper_;
  double below_;  // Phi(lower): the lower tail cut off.
  double above_;  // 1 - Phi(upper): the upper tail cut off.
  double probability_;
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_DATA_STANDARD_NORMAL_H_
