// Matrix: rows x cols doubles in one contiguous row-major block, the layout every kernel
// reads. A dataset is a Matrix of n samples by d dimensions; evaluation points are another.
//
// Example:
//   Matrix samples(n, d);
//   samples(i, j) = 1.0;
//   ConstMatrixView block = samples.Rows(begin, end);  // a task's slice, no copy
#ifndef PARSWEEP_RUNTIME_DATA_MATRIX_H_
#define PARSWEEP_RUNTIME_DATA_MATRIX_H_

#include <cstddef>
#include <memory>
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
  // A rows x cols matrix of zeros, owned.
  Matrix(size_t rows, size_t cols) : Matrix(rows, cols, std::vector<double>(rows * cols)) {}
  // Takes `values` (rows * cols of them, row-major).
  Matrix(size_t rows, size_t cols, std::vector<double> values)
      : rows_(rows), cols_(cols), values_(std::move(values)), data_(values_.data()) {}

  // Matrix::Borrow wraps read-only memory that `keep_alive` keeps valid (an mmap'ed shared
  // buffer, say). A borrowed matrix has no mutable accessors' worth of storage: writing to
  // it is a programming error.
  static Matrix Borrow(const double* data, size_t rows, size_t cols,
                       std::shared_ptr<const void> keep_alive) {
    Matrix m;
    m.rows_ = rows;
    m.cols_ = cols;
    m.data_ = const_cast<double*>(data);
    m.keep_alive_ = std::move(keep_alive);
    return m;
  }

  // Move-only: a copy of millions of samples should be explicit (Clone), and a borrowed
  // matrix's memory is not the matrix's to duplicate implicitly.
  Matrix(Matrix&& other) noexcept { *this = std::move(other); }
  Matrix& operator=(Matrix&& other) noexcept {
    rows_ = std::exchange(other.rows_, 0);
    cols_ = std::exchange(other.cols_, 0);
    const bool owned = other.keep_alive_ == nullptr;
    values_ = std::move(other.values_);
    keep_alive_ = std::move(other.keep_alive_);
    data_ = owned ? values_.data() : std::exchange(other.data_, nullptr);
    other.data_ = other.values_.data();
    return *this;
  }
  Matrix(const Matrix&) = delete;
  Matrix& operator=(const Matrix&) = delete;

  // Matrix::Clone is an owned deep copy.
  Matrix Clone() const {
    return Matrix(rows_, cols_, std::vector<double>(data_, data_ + rows_ * cols_));
  }

  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }
  bool borrowed() const { return keep_alive_ != nullptr; }
  const double* data() const { return data_; }
  double* data() { return values_.data(); }

  double& operator()(size_t i, size_t j) { return values_[i * cols_ + j]; }
  double operator()(size_t i, size_t j) const { return data_[i * cols_ + j]; }
  absl::Span<const double> row(size_t i) const { return {data_ + i * cols_, cols_}; }
  absl::Span<double> row(size_t i) { return {values_.data() + i * cols_, cols_}; }

  // Rows [begin, end). Requires begin <= end <= rows().
  ConstMatrixView Rows(size_t begin, size_t end) const {
    return ConstMatrixView(data_ + begin * cols_, end - begin, cols_);
  }
  ConstMatrixView View() const { return Rows(0, rows_); }

 private:
  size_t rows_ = 0;
  size_t cols_ = 0;
  std::vector<double> values_;              // Owned storage; empty when borrowed.
  double* data_ = nullptr;                  // values_.data(), or the borrowed memory.
  std::shared_ptr<const void> keep_alive_;  // Set when borrowed.
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_DATA_MATRIX_H_
