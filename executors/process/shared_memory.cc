#include "executors/process/shared_memory.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "runtime/base/fd_io.h"
#include "runtime/base/resource_error.h"

namespace parsweep {

absl::StatusOr<SealedFile> SealedFile::Create(absl::string_view name,
                                              absl::Span<const char> bytes) {
  const std::string label = absl::StrCat("parsweep-", name);
  const int fd = memfd_create(label.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    return ResourceError(errno, absl::StrCat("cannot create shared memory for the ", name));
  }
  SealedFile file(fd, bytes.size());  // Closes fd on every error below.
  // A memfd counts against the file size limit, and a write past it raises SIGXFSZ, which
  // would kill the process rather than let it say so.
  if (const int error = WriteFullyTakingSignal(fd, bytes.data(), bytes.size(), SIGXFSZ);
      error != 0) {
    return ResourceError(error, absl::StrCat("cannot copy ", bytes.size(), " bytes of ", name,
                                             " into shared memory"));
  }
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
    return ResourceError(errno, absl::StrCat("cannot seal the shared memory of the ", name));
  }
  return file;
}

SealedFile::SealedFile(SealedFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(other.size_) {}

SealedFile& SealedFile::operator=(SealedFile&& other) noexcept {
  std::swap(fd_, other.fd_);
  std::swap(size_, other.size_);
  return *this;
}

SealedFile::~SealedFile() {
  if (fd_ >= 0) close(fd_);
}

absl::StatusOr<std::shared_ptr<const char>> MapReadOnly(int fd, size_t size) {
  struct stat info;
  if (fstat(fd, &info) != 0) return ResourceError(errno, "cannot examine a shared blob");
  if (static_cast<uint64_t>(info.st_size) != size) {
    return absl::DataLossError(
        absl::StrCat("a shared blob holds ", info.st_size, " bytes; expected ", size));
  }
  if (size == 0) return std::shared_ptr<const char>(new char[1], std::default_delete<char[]>());
  void* mapped = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (mapped == MAP_FAILED) {
    return ResourceError(errno, absl::StrCat("cannot map the ", size, " bytes of a shared blob"));
  }
  return std::shared_ptr<const char>(static_cast<const char*>(mapped),
                                     [size](const char* p) { munmap(const_cast<char*>(p), size); });
}

}  // namespace parsweep
