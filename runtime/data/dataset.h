// Dataset: the samples a sweep estimates from, n rows by d columns, and, when they were
// generated, the Gaussian that generated them (so reports can show the true density).
//
// Example:
//   ASSIGN_OR_RETURN(Dataset data, LoadDataset(spec.data()));
//   data.samples.rows();  // n
#ifndef PARSWEEP_RUNTIME_DATA_DATASET_H_
#define PARSWEEP_RUNTIME_DATA_DATASET_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/sweep.pb.h"
#include "runtime/data/data_limits.h"
#include "runtime/data/gaussian.h"
#include "runtime/data/matrix.h"

namespace parsweep {

struct Dataset {
  Matrix samples;
  std::optional<Gaussian> source;  // Set for generated data.
  // The largest |coordinate| of the samples, where the loader knows it without another
  // costly pass over them: the file readers find it as they check each value; generation
  // scans up to 2^12 values and estimates it from the distribution beyond (within a factor
  // of 2, erring high).
  std::optional<double> largest_magnitude;
};

// ReadMatrixFile reads a matrix of numbers, one row per line of a CSV file or per row of a
// .npy array. `format` is "csv", "npy", or empty to go by the file name's ending (.npy,
// else CSV). Errors as ReadCsvMatrix's and ReadNpyMatrix's.
// With `largest_magnitude`, also the largest |value|, found while reading.
absl::StatusOr<Matrix> ReadMatrixFile(const std::string& path, absl::string_view format,
                                      double* largest_magnitude = nullptr);

// LoadDataset generates or reads the samples `spec` describes. Errors: InvalidArgument for
// a bad Gaussian (n = 0, too large, bad mean or covariance) or a malformed file, NotFound
// for a file that cannot be opened.
absl::StatusOr<Dataset> LoadDataset(const DataSpec& spec);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_DATA_DATASET_H_
