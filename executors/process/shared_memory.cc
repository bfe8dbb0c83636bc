#include "executors/process/shared_memory.h"

#include <fcntl.h>
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

namespace parsweep {
namespace {

absl::Status Failed(absl::string_view what, int error) {
  return absl::UnavailableError(absl::StrCat(what, ": ", std::strerror(error)));
}

}  // namespace

absl::StatusOr<SealedFile> SealedFile::Create(absl::string_view name,
                                              absl::Span<const char> bytes) {
  const std::string label = absl::StrCat("parsweep-", name);
  const int fd = memfd_create(label.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return Failed("memfd_create", errno);
  SealedFile file(fd, bytes.size());  // Closes fd on every error below.
  if (const int error = WriteFully(fd, bytes.data(), bytes.size()); error != 0) {
    return Failed(absl::StrCat("copying '", name, "' to shared memory"), error);
  }
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
    return Failed(absl::StrCat("sealing the shared '", name, "'"), errno);
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
  if (fstat(fd, &info) != 0) return Failed("fstat of a shared blob", errno);
  if (static_cast<uint64_t>(info.st_size) != size) {
    return absl::DataLossError(
        absl::StrCat("a shared blob holds ", info.st_size, " bytes; expected ", size));
  }
  if (size == 0) return std::shared_ptr<const char>(new char[1], std::default_delete<char[]>());
  void* mapped = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (mapped == MAP_FAILED) return Failed("mapping a shared blob", errno);
  return std::shared_ptr<const char>(static_cast<const char*>(mapped),
                                     [size](const char* p) { munmap(const_cast<char*>(p), size); });
}

}  // namespace parsweep
