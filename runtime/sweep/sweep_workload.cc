#include "runtime/sweep/sweep_workload.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "runtime/base/status_macros.h"

namespace parsweep {
namespace {

absl::Status ErrnoError(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// A sealed memfd holding `bytes`: no one, the worker included, can change it afterwards.
absl::StatusOr<int> SealedCopy(const void* data, size_t bytes) {
  const int fd = memfd_create("parsweep-samples", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return ErrnoError("memfd_create");
  const char* p = static_cast<const char*>(data);
  size_t written = 0;
  while (written < bytes) {
    const ssize_t n = write(fd, p + written, bytes - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const absl::Status status = ErrnoError("writing the samples to shared memory");
      close(fd);
      return status;
    }
    written += static_cast<size_t>(n);
  }
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
    const absl::Status status = ErrnoError("sealing the shared samples");
    close(fd);
    return status;
  }
  return fd;
}

}  // namespace

SweepWorkload::~SweepWorkload() {
  absl::MutexLock lock(&mutex_);
  if (exported_) {
    for (int fd : exported_->inherited_fds) close(fd);
  }
}

absl::StatusOr<ExportedWorkload> SweepWorkload::Export() const {
  absl::MutexLock lock(&mutex_);
  if (!exported_) {
    const Matrix& samples = sweep_.data().samples;
    ASSIGN_OR_RETURN(const int fd, SealedCopy(samples.data(),
                                              samples.rows() * samples.cols() * sizeof(double)));
    SweepWorkloadConfig config;
    *config.mutable_spec() = sweep_.spec();
    config.set_samples_fd(fd);
    config.set_rows(samples.rows());
    config.set_cols(samples.cols());
    ExportedWorkload exported;
    exported.spec.set_name("sweep");
    exported.spec.set_config(config.SerializeAsString());
    exported.inherited_fds.push_back(fd);
    exported_ = std::move(exported);
  }
  return *exported_;
}

absl::StatusOr<std::unique_ptr<Workload>> SweepWorkload::FromConfig(const WorkloadSpec& spec, const PluginOptions&) {
  SweepWorkloadConfig config;
  if (!config.ParseFromString(spec.config())) {
    return absl::DataLossError("cannot parse the sweep workload's configuration");
  }
  const uint64_t values = config.rows() * config.cols();
  if (config.rows() == 0 || config.cols() == 0 || values / config.cols() != config.rows() ||
      values > kMaxDatasetValues) {
    return absl::DataLossError(absl::StrCat("bad shared sample shape ", config.rows(), " x ",
                                            config.cols()));
  }
  const size_t bytes = values * sizeof(double);
  struct stat info;
  if (fstat(config.samples_fd(), &info) != 0) return ErrnoError("the shared samples");
  if (static_cast<uint64_t>(info.st_size) != bytes) {
    return absl::DataLossError(absl::StrCat("the shared samples hold ", info.st_size,
                                            " bytes; expected ", bytes));
  }
  void* mapped = mmap(nullptr, bytes, PROT_READ, MAP_SHARED, config.samples_fd(), 0);
  if (mapped == MAP_FAILED) return ErrnoError("mapping the shared samples");
  close(config.samples_fd());  // The mapping keeps the memory.
  std::shared_ptr<const void> unmap(mapped, [bytes](const void* p) {
    munmap(const_cast<void*>(p), bytes);
  });
  Dataset data;
  data.samples = Matrix::Borrow(static_cast<const double*>(mapped), config.rows(),
                                config.cols(), std::move(unmap));
  ASSIGN_OR_RETURN(std::unique_ptr<Sweep> sweep,
                   Sweep::FromData(std::move(*config.mutable_spec()), std::move(data)));
  return std::unique_ptr<Workload>(
      std::make_unique<SweepWorkload>(std::unique_ptr<const Sweep>(std::move(sweep))));
}

}  // namespace parsweep

PARSWEEP_REGISTER_WORKLOAD(sweep, parsweep::SweepWorkload::FromConfig);
