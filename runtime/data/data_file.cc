#include "runtime/data/data_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace parsweep {

absl::StatusOr<std::unique_ptr<DataFile>> DataFile::Open(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);  // A FIFO's open waits, and a signal may cut it short.
  if (fd < 0) {
    return absl::NotFoundError(
        absl::StrCat("cannot open data file '", path, "': ", std::strerror(errno)));
  }
  struct stat info;
  if (fstat(fd, &info) != 0) {
    const int error = errno;
    ::close(fd);
    return absl::DataLossError(
        absl::StrCat("cannot stat data file '", path, "': ", std::strerror(error)));
  }
  if (S_ISDIR(info.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(
        absl::StrCat("data file '", path, "' is a directory, not a file"));
  }
  std::optional<uint64_t> size;
  if (S_ISREG(info.st_mode) && info.st_size > 0) size = static_cast<uint64_t>(info.st_size);
  return std::unique_ptr<DataFile>(new DataFile(path, fd, size));
}

DataFile::~DataFile() { ::close(fd_); }

absl::StatusOr<size_t> DataFile::Read(char* buffer, size_t capacity) {
  size_t filled = 0;
  while (filled < capacity) {
    const ssize_t n = ::read(fd_, buffer + filled, capacity - filled);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::DataLossError(
          absl::StrCat("error reading data file '", path_, "': ", std::strerror(errno)));
    }
    filled += static_cast<size_t>(n);
  }
  return filled;
}

std::optional<uint64_t> MemorySource::size() const {
  if (!size_known_) return std::nullopt;
  return total_;
}

absl::StatusOr<size_t> MemorySource::Read(char* buffer, size_t capacity) {
  const size_t n = std::min(capacity, bytes_.size());
  if (n == 0) return n;  // memcpy wants real pointers even for no bytes.
  std::memcpy(buffer, bytes_.data(), n);
  bytes_.remove_prefix(n);
  return n;
}

}  // namespace parsweep
