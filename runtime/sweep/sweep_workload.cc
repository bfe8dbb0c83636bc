#include "runtime/sweep/sweep_workload.h"

#include <cstdint>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "runtime/base/status_macros.h"
#include "runtime/data/dataset.h"
#include "runtime/sweep/sweep_workload.pb.h"

namespace parsweep {
namespace {

absl::Span<const char> BytesOf(const Matrix& samples) {
  return absl::Span<const char>(reinterpret_cast<const char*>(samples.data()),
                                samples.rows() * samples.cols() * sizeof(double));
}

}  // namespace

absl::StatusOr<ExportedWorkload> SweepWorkload::Export() const {
  const Matrix& samples = sweep_.data().samples;
  SweepWorkloadConfig config;
  *config.mutable_spec() = sweep_.spec();
  config.set_rows(samples.rows());
  config.set_cols(samples.cols());
  ExportedWorkload exported;
  exported.spec.set_name("sweep");
  exported.spec.set_config(config.SerializeAsString());
  ExportedBlob& blob = exported.blobs.emplace_back();
  blob.name = kSamplesBlob;
  blob.bytes = BytesOf(samples);
  if (sweep_.data_from_spec()) {
    blob.source = sweep_.spec().data().has_gaussian() ? ExportedBlob::Source::kReproducible
                                                      : ExportedBlob::Source::kSharedFile;
  }
  return exported;
}

namespace {

// A worker skips the caller's checks: it holds no results, and the caller has warned.
Sweep::Options WorkerOptions() {
  Sweep::Options options;
  options.worker = true;
  return options;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Workload>> SweepWorkload::FromExport(const WorkloadSpec& spec,
                                                                    const PluginOptions&,
                                                                    const WorkloadBlobs& blobs) {
  SweepWorkloadConfig config;
  if (!config.ParseFromString(spec.config())) {
    return absl::DataLossError("cannot parse the sweep workload's configuration");
  }
  const uint64_t values = config.rows() * config.cols();
  if (config.rows() == 0 || config.cols() == 0 || values / config.cols() != config.rows() ||
      values > kMaxDatasetValues) {
    return absl::DataLossError(
        absl::StrCat("bad sample shape ", config.rows(), " x ", config.cols()));
  }
  std::unique_ptr<Sweep> sweep;
  if (const std::optional<absl::Span<const char>> bytes = blobs.Find(kSamplesBlob)) {
    if (bytes->size() != values * sizeof(double) ||
        reinterpret_cast<uintptr_t>(bytes->data()) % alignof(double) != 0) {
      return absl::DataLossError(absl::StrCat("the samples hold ", bytes->size(),
                                              " bytes; expected ", values * sizeof(double)));
    }
    Dataset data;
    data.samples = Matrix::Borrow(reinterpret_cast<const double*>(bytes->data()), config.rows(),
                                  config.cols(), blobs.keep_alive());
    ASSIGN_OR_RETURN(sweep, Sweep::FromData(std::move(*config.mutable_spec()), std::move(data),
                                            Sweep::DataOrigin::kFromSpec, WorkerOptions()));
  } else {
    // Not delivered: load them as the spec says, and make sure they are the caller's.
    ASSIGN_OR_RETURN(sweep, Sweep::Create(std::move(*config.mutable_spec()), WorkerOptions()));
    const Matrix& samples = sweep->data().samples;
    if (samples.rows() != config.rows() || samples.cols() != config.cols()) {
      return absl::DataLossError(absl::StrCat("this worker's samples are ", samples.rows(), " x ",
                                              samples.cols(), "; the caller's are ", config.rows(),
                                              " x ", config.cols()));
    }
    RETURN_IF_ERROR(blobs.Verify(kSamplesBlob, BytesOf(samples)));
  }
  return std::unique_ptr<Workload>(
      std::make_unique<SweepWorkload>(std::unique_ptr<const Sweep>(std::move(sweep))));
}

}  // namespace parsweep

PARSWEEP_REGISTER_WORKLOAD(sweep, parsweep::SweepWorkload::FromExport);
