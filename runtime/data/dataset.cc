#include "runtime/data/dataset.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runtime/base/status_macros.h"
#include "runtime/data/csv_reader.h"
#include "runtime/data/npy_reader.h"

namespace parsweep {
namespace {

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
  double largest_magnitude = 0;
  data.samples = gaussian.Sample(source.n(), source.seed(), &largest_magnitude);
  data.largest_magnitude = largest_magnitude;
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
