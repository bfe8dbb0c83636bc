// Invariants of a Matrix that a data reader returned, shared by the readers' fuzz targets.
//
// Example:
//   CheckReadMatrix(*m, kMaxDatasetValues);
//   FUZZ_CHECK(SameBits(*m, *again)) << "a round trip changed the values";
#ifndef PARSWEEP_TESTS_FUZZ_MATRIX_CHECKS_H_
#define PARSWEEP_TESTS_FUZZ_MATRIX_CHECKS_H_

#include <cmath>
#include <cstdint>
#include <cstring>

#include "runtime/data/matrix.h"
#include "tests/fuzz/fuzz_check.h"

namespace parsweep {

// SameBits: the same shape and the same bits in every value.
inline bool SameBits(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), a.rows() * a.cols() * sizeof(double)) == 0;
}

// CheckReadMatrix: at least one row and one column, at most `max_values` values, each of
// them finite.
inline void CheckReadMatrix(const Matrix& m, uint64_t max_values) {
  FUZZ_CHECK(m.rows() >= 1 && m.cols() >= 1) << m.rows() << "x" << m.cols();
  FUZZ_CHECK(m.rows() * m.cols() <= max_values) << m.rows() << "x" << m.cols();
  for (size_t i = 0; i < m.rows() * m.cols(); ++i) {
    FUZZ_CHECK(std::isfinite(m.data()[i])) << "value " << i << " is " << m.data()[i];
  }
}

}  // namespace parsweep

#endif  // PARSWEEP_TESTS_FUZZ_MATRIX_CHECKS_H_
