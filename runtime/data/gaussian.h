// Gaussian: a multivariate normal distribution N(mean, covariance) that draws reproducible
// samples and knows its own density, so a sweep over generated data can be checked against
// the truth.
//
// Samples come from std::mt19937_64 (whose output the C++ standard fixes) through a normal
// transform written here rather than std::normal_distribution (whose algorithm varies
// between standard libraries), so a seed means the same bits in every process built from
// this code: the parent, a spawned worker, an MPI rank.
//
// Example:
//   ASSIGN_OR_RETURN(Gaussian g, Gaussian::Create({0, 0}, {1, 0, 0, 1}));
//   Matrix samples = g.Sample(10000, /*seed=*/1);
//   double p = g.Density({0, 0});  // 1 / (2 pi) = 0.159154943...
#ifndef PARSWEEP_RUNTIME_DATA_GAUSSIAN_H_
#define PARSWEEP_RUNTIME_DATA_GAUSSIAN_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "runtime/data/matrix.h"

namespace parsweep {

class Gaussian {
 public:
  // Gaussian::Create checks that `mean` is finite and non-empty and that `covariance`
  // (d*d entries, row-major) is finite, symmetric and positive definite. Errors are
  // InvalidArgument and say which condition failed.
  static absl::StatusOr<Gaussian> Create(std::vector<double> mean, std::vector<double> covariance);

  size_t dims() const { return mean_.size(); }
  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& covariance() const { return covariance_; }

  // Gaussian::Sample draws n samples, the same ones for the same seed.
  Matrix Sample(size_t n, uint64_t seed) const;

  // Gaussian::Density is the probability density at x. Requires x.size() == dims().
  double Density(absl::Span<const double> x) const;

  // Gaussian::BoxProbability is P(lo_j <= X_j <= hi_j for all j). Requires lo_j <= hi_j,
  // neither NaN (either may be infinite). With a diagonal covariance it is the product of
  // the coordinates' probabilities, exact up to rounding; otherwise Genz's method
  // (mvn_rectangle.h), to a relative error of about 1e-10 in 2-D and 3-D. A correlated
  // box's probability is returned only if its error estimate is within
  // kBoxProbabilityTolerance of it (or below 1e-300, where a tiny probability may
  // underflow); otherwise nullopt: with 4 or more correlated coordinates, when the
  // lattice rule's budget runs out first.
  std::optional<double> BoxProbability(absl::Span<const double> lo,
                                       absl::Span<const double> hi) const;

  // kBoxProbabilityTolerance: the largest relative error estimate BoxProbability accepts.
  static constexpr double kBoxProbabilityTolerance = 1e-6;

 private:
  Gaussian(std::vector<double> mean, std::vector<double> covariance, std::vector<double> cholesky,
           bool diagonal);

  std::vector<double> mean_;
  std::vector<double> covariance_;
  std::vector<double> cholesky_;  // Lower-triangular L with L L^T = covariance, row-major.
  bool diagonal_;
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_DATA_GAUSSIAN_H_
