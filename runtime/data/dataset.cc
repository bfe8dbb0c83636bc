#include "runtime/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runtime/base/status_macros.h"
#include "runtime/data/csv_reader.h"
#include "runtime/data/npy_reader.h"
#include "runtime/data/value_scan.h"

namespace parsweep {
namespace {

// Up to this many values, generated samples are scanned for their largest magnitude (a few
// microseconds), where an estimate could be far off; beyond, it is estimated, for free (a
// scan would cost about 1% of drawing them).
constexpr uint64_t kMaxScannedValues = uint64_t{1} << 12;

// The largest |coordinate| that n draws of `gaussian` reach, estimated from its parameters:
// over each coordinate, |mean| plus the expected largest of n standard normals, about
// sqrt(2 ln 2n), and one standard deviation more. For the n it is used for (over 2^12
// values) it is within a factor of 2 of the samples' own, which is all the window-precision
// check needs (it counts binary orders of magnitude); it errs high, so it may warn where the
// data would just pass, never the other way round unless a draw lies beyond
// sqrt(2 ln 2n) + 1 standard deviations.
double EstimatedLargestMagnitude(const Gaussian& gaussian, uint64_t n) {
  const size_t d = gaussian.dims();
  const double spread = std::sqrt(2 * std::log(2.0 * static_cast<double>(n))) + 1;
  double largest = 0;
  for (size_t j = 0; j < d; ++j) {
    const double sigma = std::sqrt(gaussian.covariance()[j * d + j]);
    largest = std::max(largest, std::abs(gaussian.mean()[j]) + spread * sigma);
  }
  return largest;
}

absl::StatusOr<Dataset> Generate(const GaussianSource& source) {
  if (source.n() == 0)
    return absl::InvalidArgumentError("the number of samples n must be positive");
  const uint64_t d = static_cast<uint64_t>(source.mean_size());
  if (d != 0 && source.n() > kMaxDatasetValues / d) {
    return absl::InvalidArgumentError(absl::StrCat("n = ", source.n(), " samples of ", d,
                                                   " dimensions exceed the limit of ",
                                                   kMaxDatasetValues, " values (8 GiB)"));
  }
  ASSIGN_OR_RETURN(Gaussian gaussian,
                   Gaussian::Create({source.mean().begin(), source.mean().end()},
                                    {source.covariance().begin(), source.covariance().end()}));
  Dataset data;
  data.samples = gaussian.Sample(source.n(), source.seed());
  const uint64_t values = data.samples.rows() * data.samples.cols();
  data.largest_magnitude =
      values <= kMaxScannedValues
          ? ScanValues(absl::MakeConstSpan(data.samples.data(), values)).largest_magnitude
          : EstimatedLargestMagnitude(gaussian, source.n());
  data.source = std::move(gaussian);
  return data;
}

absl::StatusOr<Dataset> Read(const FileSource& file) {
  if (file.path().empty()) return absl::InvalidArgumentError("the data file path is empty");
  double largest_magnitude = 0;
  ASSIGN_OR_RETURN(Matrix samples, ReadMatrixFile(file.path(), file.format(), &largest_magnitude));
  if (static_cast<uint64_t>(samples.rows()) * samples.cols() > kMaxDatasetValues) {
    return absl::InvalidArgumentError(
        absl::StrCat(file.path(), ": more than ", kMaxDatasetValues, " values"));
  }
  Dataset data;
  data.samples = std::move(samples);
  data.largest_magnitude = largest_magnitude;
  return data;
}

}  // namespace

absl::StatusOr<Matrix> ReadMatrixFile(const std::string& path, absl::string_view format,
                                      double* largest_magnitude) {
  if (format.empty()) format = absl::EndsWith(path, ".npy") ? "npy" : "csv";
  if (format == "npy") return ReadNpyMatrix(path, largest_magnitude);
  if (format == "csv") return ReadCsvMatrix(path, largest_magnitude);
  return absl::InvalidArgumentError(
      absl::StrCat("unknown data file format '", format, "'; known formats: csv, npy"));
}

absl::StatusOr<Dataset> LoadDataset(const DataSpec& spec) {
  switch (spec.source_case()) {
    case DataSpec::kGaussian:
      return Generate(spec.gaussian());
    case DataSpec::kFile:
      return Read(spec.file());
    case DataSpec::SOURCE_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("the sweep spec names no data source");
}

}  // namespace parsweep
