#include "runtime/base/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "runtime/base/fd_io.h"
#include "runtime/base/resource_error.h"

namespace parsweep {
namespace {

// Links followed before giving up with ELOOP: the kernel's own limit.
constexpr int kMaxLinks = 40;
// Names tried for the temporary file before giving up; each is new to this process, so a
// clash means a stale leftover of another process that had the same pid.
constexpr int kMaxTempNames = 100;
// The target's name is cut to this in the temporary file's name, which must stay within
// NAME_MAX (255) with its prefix and suffix.
constexpr size_t kMaxBaseInTempName = 120;

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string BaseNameOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

absl::Status WithContext(const absl::Status& status, absl::string_view context) {
  return absl::Status(status.code(), absl::StrCat(context, ": ", status.message()));
}

// ResolveLinks follows `path` through symbolic links to the file a write should replace.
// A name that does not exist (or cannot be examined) is returned as is: creating it, or
// failing to, reports the real error.
absl::StatusOr<std::string> ResolveLinks(const std::string& path, absl::string_view context) {
  std::string target = path;
  for (int i = 0; i < kMaxLinks; ++i) {
    struct stat st;
    if (::lstat(target.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return target;
    std::string link(static_cast<size_t>(st.st_size > 0 ? st.st_size : 4096) + 1, '\0');
    const ssize_t n = ::readlink(target.c_str(), link.data(), link.size());
    if (n < 0) return absl::ErrnoToStatus(errno, context);
    link.resize(static_cast<size_t>(n));
    target = link.front() == '/' ? link : absl::StrCat(DirectoryOf(target), "/", link);
  }
  return absl::ErrnoToStatus(ELOOP, context);
}

struct TempFile {
  std::string path;
  int fd = -1;
};

// CreateTempBeside opens a new file, no one else's (O_EXCL), in the directory of `target`,
// named after it and hidden (".chart.svg.tmp-<pid>-<k>"). Mode 0666, so that the umask
// applies as it does to any new file.
absl::StatusOr<TempFile> CreateTempBeside(const std::string& target, absl::string_view context) {
  static std::atomic<uint64_t> serial{0};
  const std::string dir = DirectoryOf(target);
  const std::string base = BaseNameOf(target).substr(0, kMaxBaseInTempName);
  for (int attempt = 0; attempt < kMaxTempNames; ++attempt) {
    TempFile temp;
    temp.path = absl::StrCat(dir, "/.", base, ".tmp-", ::getpid(), "-", serial++);
    temp.fd = ::open(temp.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (temp.fd >= 0) return temp;
    if (errno != EEXIST) {
      return absl::ErrnoToStatus(
          errno, absl::StrCat(context, ": cannot create a temporary file in '", dir, "'"));
    }
  }
  return absl::ErrnoToStatus(EEXIST, absl::StrCat(context, ": cannot create a temporary file in '",
                                                  dir, "' (every name tried exists)"));
}

// WriteInPlace writes to an existing file that is not a regular file (a device, a FIFO):
// there is nothing to replace, and rename would replace the device node itself. O_NONBLOCK
// makes opening a FIFO that has no reader fail (ENXIO) instead of waiting for one forever;
// writes then block as usual.
absl::Status WriteInPlace(const std::string& target, const FileContentWriter& write,
                          absl::string_view context) {
  const int fd = ::open(target.c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, context);
  const int flags = ::fcntl(fd, F_GETFL);
  absl::Status status = flags >= 0 && ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0
                            ? absl::OkStatus()
                            : absl::ErrnoToStatus(errno, context);
  if (status.ok()) {
    status = write(fd);
    if (!status.ok()) status = WithContext(status, context);
  }
  if (::close(fd) != 0 && status.ok()) status = absl::ErrnoToStatus(errno, context);
  return status;
}

// The rename is in the directory's own data: fsync it too, or a crash soon after may
// bring back the old file (or none). Best effort: some file systems refuse to sync a
// directory (EINVAL), and the file is in place either way.
void SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Where a write of `path` goes: the file behind its links, and whether it exists.
struct Destination {
  std::string target;
  bool exists = false;
  struct stat existing = {};
  bool in_place = false;  // An existing device or FIFO: written directly.
};

absl::StatusOr<Destination> Examine(const std::string& path, absl::string_view context) {
  if (path.empty()) return absl::InvalidArgumentError("cannot write a file with an empty name");
  Destination destination;
  absl::StatusOr<std::string> resolved = ResolveLinks(path, context);
  if (!resolved.ok()) return resolved.status();
  destination.target = *std::move(resolved);
  destination.exists = ::stat(destination.target.c_str(), &destination.existing) == 0;
  if (destination.exists && S_ISDIR(destination.existing.st_mode)) {
    return absl::ErrnoToStatus(EISDIR, context);
  }
  destination.in_place = destination.exists && !S_ISREG(destination.existing.st_mode);
  return destination;
}

}  // namespace

absl::Status CheckWritableAtomically(const std::string& path) {
  const std::string context = absl::StrCat("cannot write '", path, "'");
  absl::StatusOr<Destination> destination = Examine(path, context);
  if (!destination.ok()) return destination.status();
  if (destination->in_place) {
    return ::access(destination->target.c_str(), W_OK) == 0 ? absl::OkStatus()
                                                            : absl::ErrnoToStatus(errno, context);
  }
  const std::string dir = DirectoryOf(destination->target);
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat(context, ": directory '", dir, "'"));
  }
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path, const FileContentWriter& write) {
  const std::string context = absl::StrCat("cannot write '", path, "'");
  absl::StatusOr<Destination> destination = Examine(path, context);
  if (!destination.ok()) return destination.status();
  const std::string& target = destination->target;
  if (destination->in_place) return WriteInPlace(target, write, context);
  const bool exists = destination->exists;
  const struct stat& existing = destination->existing;

  absl::StatusOr<TempFile> temp = CreateTempBeside(target, context);
  if (!temp.ok()) return temp.status();
  absl::Status status;
  // A replaced file keeps its permissions; a new one has 0666 less the umask, from open().
  if (exists && ::fchmod(temp->fd, existing.st_mode & 07777) != 0) {
    status = absl::ErrnoToStatus(errno, context);
  }
  if (status.ok()) {
    status = write(temp->fd);
    if (!status.ok()) status = WithContext(status, context);
  }
  // fsync before the rename: otherwise a crash can leave the new name on empty contents.
  if (status.ok() && ::fsync(temp->fd) != 0) status = absl::ErrnoToStatus(errno, context);
  if (::close(temp->fd) != 0 && status.ok()) status = absl::ErrnoToStatus(errno, context);
  if (status.ok() && ::rename(temp->path.c_str(), target.c_str()) != 0) {
    status = absl::ErrnoToStatus(errno, context);
  }
  if (!status.ok()) {
    ::unlink(temp->path.c_str());
    return status;
  }
  SyncDirectory(DirectoryOf(target));
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents) {
  return WriteFileAtomically(path, [contents](int fd) {
    // Past the file size limit (ulimit -f) the write fails with EFBIG instead of killing the
    // process with SIGXFSZ; the limit is named.
    const int error = WriteFullyTakingSignal(fd, contents.data(), contents.size(), SIGXFSZ);
    // The caller adds "cannot write '<path>'"; the reason alone follows it.
    return error == 0 ? absl::OkStatus()
                      : absl::Status(absl::ErrnoToStatusCode(error), DescribeErrno(error));
  });
}

}  // namespace parsweep
