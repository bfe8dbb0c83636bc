#include "runtime/data/gaussian.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "runtime/base/math_constants.h"
#include "runtime/data/mvn_rectangle.h"
#include "runtime/data/standard_normal.h"

namespace parsweep {
namespace {

// Uniform on [0, 1) from the top 53 bits: exact, and fixed by the standard's mt19937_64.
double Uniform(std::mt19937_64& engine) { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }

// Marsaglia's polar method: two independent standard normals per accepted pair.
std::pair<double, double> StandardNormalPair(std::mt19937_64& engine) {
  while (true) {
    const double u = 2.0 * Uniform(engine) - 1.0;
    const double v = 2.0 * Uniform(engine) - 1.0;
    const double s = u * u + v * v;
    if (s > 0.0 && s < 1.0) {
      const double scale = std::sqrt(-2.0 * std::log(s) / s);
      return {u * scale, v * scale};
    }
  }
}

}  // namespace

absl::StatusOr<Gaussian> Gaussian::Create(std::vector<double> mean,
                                          std::vector<double> covariance) {
  const size_t d = mean.size();
  if (d == 0) return absl::InvalidArgumentError("the Gaussian's mean must have at least one entry");
  if (covariance.size() != d * d) {
    return absl::InvalidArgumentError(absl::StrCat("the covariance must have d*d = ", d * d,
                                                   " entries for a ", d, "-D mean; got ",
                                                   covariance.size()));
  }
  for (size_t j = 0; j < d; ++j) {
    if (!std::isfinite(mean[j])) {
      return absl::InvalidArgumentError(absl::StrCat("mean entry ", j, " is not finite"));
    }
  }
  for (size_t i = 0; i < d * d; ++i) {
    if (!std::isfinite(covariance[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("covariance entry (", i / d, ", ", i % d, ") is not finite"));
    }
  }
  bool diagonal = true;
  for (size_t i = 0; i < d; ++i) {
    for (size_t j = 0; j < d; ++j) {
      const double a = covariance[i * d + j];
      const double b = covariance[j * d + i];
      // Exact symmetry: a covariance typed by a user or computed by a formula that is
      // symmetric in i and j is exactly symmetric; anything else is a mistake to report.
      if (a != b) {
        return absl::InvalidArgumentError(absl::StrCat("the covariance is not symmetric: entry (",
                                                       i, ", ", j, ") = ", a, " but (", j, ", ", i,
                                                       ") = ", b));
      }
      if (i != j && a != 0.0) diagonal = false;
    }
  }
  // Cholesky: positive definite exactly when every pivot is positive.
  std::vector<double> l(d * d, 0.0);
  for (size_t j = 0; j < d; ++j) {
    double pivot = covariance[j * d + j];
    for (size_t k = 0; k < j; ++k) pivot -= l[j * d + k] * l[j * d + k];
    if (!(pivot > 0.0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the covariance is not positive definite (Cholesky pivot ", j, " is ", pivot, ")"));
    }
    l[j * d + j] = std::sqrt(pivot);
    for (size_t i = j + 1; i < d; ++i) {
      double sum = covariance[i * d + j];
      for (size_t k = 0; k < j; ++k) sum -= l[i * d + k] * l[j * d + k];
      l[i * d + j] = sum / l[j * d + j];
    }
  }
  return Gaussian(std::move(mean), std::move(covariance), std::move(l), diagonal);
}

Gaussian::Gaussian(std::vector<double> mean, std::vector<double> covariance,
                   std::vector<double> cholesky, bool diagonal)
    : mean_(std::move(mean)),
      covariance_(std::move(covariance)),
      cholesky_(std::move(cholesky)),
      diagonal_(diagonal) {}

Matrix Gaussian::Sample(size_t n, uint64_t seed) const {
  const size_t d = dims();
  Matrix samples(n, d);
  std::mt19937_64 engine(seed);
  std::vector<double> z(d + 1);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < d; j += 2) {
      const auto [a, b] = StandardNormalPair(engine);
      z[j] = a;
      z[j + 1] = b;  // z has d + 1 slots, so an odd d discards the spare normal.
    }
    double* x = samples.row(i).data();
    for (size_t r = 0; r < d; ++r) {
      double value = mean_[r];
      for (size_t c = 0; c <= r; ++c) value += cholesky_[r * d + c] * z[c];
      x[r] = value;
    }
  }
  return samples;
}

double Gaussian::Density(absl::Span<const double> x) const {
  const size_t d = dims();
  // Solve L y = x - mean; then the quadratic form is |y|^2 and log|Sigma| = 2 sum log L_jj.
  std::vector<double> y(d);
  double quadratic = 0.0;
  double log_det = 0.0;
  for (size_t r = 0; r < d; ++r) {
    double value = x[r] - mean_[r];
    for (size_t c = 0; c < r; ++c) value -= cholesky_[r * d + c] * y[c];
    y[r] = value / cholesky_[r * d + r];
    quadratic += y[r] * y[r];
    log_det += 2.0 * std::log(cholesky_[r * d + r]);
  }
  return std::exp(-0.5 * quadratic - 0.5 * log_det -
                  0.5 * static_cast<double>(d) * std::log(2.0 * kPi));
}

std::optional<double> Gaussian::BoxProbability(absl::Span<const double> lo,
                                               absl::Span<const double> hi) const {
  if (!diagonal_) {
    const absl::StatusOr<MvnRectangleResult> result =
        MvnRectangleProbability(lo, hi, mean_, covariance_);
    if (!result.ok() ||
        !(result->error <= std::max(kBoxProbabilityTolerance * result->probability, 1e-300))) {
      return std::nullopt;
    }
    return result->probability;
  }
  const size_t d = dims();
  double probability = 1.0;
  for (size_t j = 0; j < d; ++j) {
    const double sigma = cholesky_[j * d + j];
    const double a = (lo[j] - mean_[j]) / sigma;
    const double b = (hi[j] - mean_[j]) / sigma;
    // Subtract in the lower tail, where Phi keeps its relative precision.
    probability *= a > 0.0 ? StandardNormalCdf(-a) - StandardNormalCdf(-b)
                           : StandardNormalCdf(b) - StandardNormalCdf(a);
  }
  return probability;
}

}  // namespace parsweep
