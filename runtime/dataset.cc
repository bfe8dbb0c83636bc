#include "runtime/dataset.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "runtime/csv_reader.h"
#include "runtime/status_macros.h"

namespace parsweep {
namespace {

absl::StatusOr<Dataset> Generate(const GaussianSource& source) {
  if (source.n() == 0) return absl::InvalidArgumentError("the number of samples n must be positive");
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
  data.source = std::move(gaussian);
  return data;
}

absl::StatusOr<Dataset> Read(const FileSource& file) {
  if (file.path().empty()) return absl::InvalidArgumentError("the data file path is empty");
  if (!file.format().empty() && file.format() != "csv") {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown data file format '", file.format(), "'; known formats: csv"));
  }
  ASSIGN_OR_RETURN(Matrix samples, ReadCsvMatrix(file.path()));
  if (static_cast<uint64_t>(samples.rows()) * samples.cols() > kMaxDatasetValues) {
    return absl::InvalidArgumentError(
        absl::StrCat(file.path(), ": more than ", kMaxDatasetValues, " values"));
  }
  Dataset data;
  data.samples = std::move(samples);
  return data;
}

}  // namespace

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
