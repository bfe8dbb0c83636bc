// MvnReference: the rows of testdata/mvn_rectangle_reference.csv, box probabilities of
// multivariate normals computed by scipy (testdata/mvn_rectangle_reference.py), for the
// tests of MvnRectangleProbability and of the hypercube kernel's expected density. Test
// only: a dependent test gets the file in its runfiles through this library.
//
// Example:
//   absl::StatusOr<std::vector<MvnReference>> rows = ReadMvnReferences();
//   for (const MvnReference& r : *rows) { ... r.name, r.lo, r.hi, r.quad ... }
#ifndef PARSWEEP_RUNTIME_DATA_MVN_RECTANGLE_REFERENCE_H_
#define PARSWEEP_RUNTIME_DATA_MVN_RECTANGLE_REFERENCE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace parsweep {

struct MvnReference {
  std::string name;
  std::vector<double> lo;
  std::vector<double> hi;
  std::vector<double> mean;
  std::vector<double> cov;  // d*d, row-major.
  // Nested scipy.integrate.quad in two orders (d <= 3 only), and a closed form if known.
  std::optional<double> quad;
  std::optional<double> quad_check;
  std::optional<double> exact;
  // scipy.stats.multivariate_normal.cdf(hi, mean, cov, lower_limit=lo, abseps=...).
  double scipy_cdf = 0.0;
  double scipy_abseps = 0.0;

  size_t dims() const { return mean.size(); }
  // The best reference: quad, else exact, else scipy_cdf.
  double best() const;
};

// ReadMvnReferences reads the file from the test's runfiles. Errors say which line and
// field is wrong.
absl::StatusOr<std::vector<MvnReference>> ReadMvnReferences();

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_DATA_MVN_RECTANGLE_REFERENCE_H_
