// Matrix: rows x cols doubles in one contiguous row-major block, the layout every kernel
// reads. A dataset is a Matrix of n samples by d dimensions; evaluation points are another.
//
// Example:
//   Matrix samples(n, d);
//   samples(i, j) = 1.0;
//   ConstMatrixView block = samples.Rows(begin, end);  // a task's slice, no copy
#ifndef PARSWEEP_RUNTIME_MATRIX_H_
#define PARSWEEP_RUNTIME_MATRIX_H_

#include <cstddef>
#include <utility>
#include <vector>

#include "absl/types/span.h"

namespace parsweep {

// ConstMatrixView is a read-only window onto rows of a Matrix; it does not own the data,
// which must outlive it.
class ConstMatrixView {
 public:
  ConstMatrixView(const double* data, size_t rows, size_t cols)
      : data_(data), rows_(rows), cols_(cols) {}

  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }
  const double* data() const { return data_; }
  absl::Span<const double> row(size_t i) const { return {data_ + i * cols_, cols_}; }

 private:
  const double* data_;
  size_t rows_;
  size_t cols_;
};

class Matrix {
 public:
  Matrix() = default;
  Matrix(size_t rows, size_t cols) : rows_(rows), cols_(cols), values_(rows * cols) {}
  Matrix(size_t rows, size_t cols, std::vector<double> values)
      : rows_(rows), cols_(cols), values_(std::move(values)) {}

  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }
  const double* data() const { return values_.data(); }
  double* data() { return values_.data(); }

  double& operator()(size_t i, size_t j) { return values_[i * cols_ + j]; }
  double operator()(size_t i, size_t j) const { return values_[i * cols_ + j]; }
  absl::Span<const double> row(size_t i) const { return {data() + i * cols_, cols_}; }
  absl::Span<double> row(size_t i) { return {data() + i * cols_, cols_}; }

  // Rows [begin, end). Requires begin <= end <= rows().
  ConstMatrixView Rows(size_t begin, size_t end) const {
    return ConstMatrixView(data() + begin * cols_, end - begin, cols_);
  }
  ConstMatrixView View() const { return Rows(0, rows_); }

 private:
  size_t rows_ = 0;
  size_t cols_ = 0;
  std::vector<double> values_;
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_MATRIX_H_
