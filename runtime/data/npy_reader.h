// ReadNpyMatrix: loads a NumPy .npy file of float64 or float32 values, one sample per
// row, into a Matrix of doubles.
//
// Accepted: format versions 1.0, 2.0 and 3.0; dtype '<f8' or '<f4' (little-endian
// float64/float32, what numpy writes on every common machine); C order; shape (n, d) or
// (n,) (read as d = 1); n >= 1. Every value must be finite. Anything else is an
// InvalidArgument error that says what was found and how to fix it (for example,
// `np.ascontiguousarray(x, dtype=np.float64)`): a bad magic string or header, another
// dtype, Fortran order, an empty array, a header over kMaxNpyHeaderBytes, more than
// kMaxDatasetValues values, a file shorter than its header says (truncated) or longer. A
// file that cannot be opened is NotFound, a directory InvalidArgument, a failed read
// DataLoss.
//
// Nothing is allocated before it is checked: the header is read first (it is bounded), and
// for a regular file the data size the shape declares is checked against the file's size
// before the values are; then the data is read and converted 64 KiB at a time. A pipe or
// FIFO, whose size cannot be known, is read the same way, the values growing only as their
// bytes arrive.
//
// The header is a Python dict literal; parsweep reads the three keys numpy writes
// ('descr', 'fortran_order', 'shape') with a small parser of its own, since no library
// here reads .npy files from C++.
//
// Example:
//   ASSIGN_OR_RETURN(Matrix samples, ReadNpyMatrix("/data/samples.npy"));
#ifndef PARSWEEP_RUNTIME_DATA_NPY_READER_H_
#define PARSWEEP_RUNTIME_DATA_NPY_READER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime/data/data_file.h"
#include "runtime/data/matrix.h"

namespace parsweep {

// kMaxNpyHeaderBytes bounds the header dict. numpy writes about 128 bytes for an (n, d)
// float array (the dict padded to a multiple of 64 bytes), and np.load refuses a header
// over 10,000 bytes unless told otherwise (its max_header_size), so the same bound passes
// every file numpy would load.
inline constexpr size_t kMaxNpyHeaderBytes = 10000;

// With `largest_magnitude`, the readers also say there the largest |value| read, found as
// the values are checked (no second pass over them).
absl::StatusOr<Matrix> ReadNpyMatrix(const std::string& path, double* largest_magnitude = nullptr);

// ReadNpyMatrix reads a .npy array from `source` to its end.
absl::StatusOr<Matrix> ReadNpyMatrix(ByteSource& source, double* largest_magnitude = nullptr);

// ParseNpyMatrix parses the bytes of a .npy file; `source` names it in error messages.
absl::StatusOr<Matrix> ParseNpyMatrix(absl::string_view bytes, absl::string_view source);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_DATA_NPY_READER_H_
