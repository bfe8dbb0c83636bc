// WriteFully: write(2) until every byte is written, retrying short writes and EINTR. The one
// write loop of parsweep: frames on pipes, shared-memory files, chart files, and the last
// words a signal handler leaves on stderr (it is async-signal-safe: no allocation, no lock).
//
// It does nothing about SIGPIPE; a caller writing to a pipe whose reader may be gone must
// block or ignore it (see executors/process/frame_io.h).
//
// Example:
//   if (const int error = WriteFully(fd, bytes.data(), bytes.size()); error != 0) {
//     return absl::ErrnoToStatus(error, "write");
//   }
#ifndef PARSWEEP_RUNTIME_BASE_FD_IO_H_
#define PARSWEEP_RUNTIME_BASE_FD_IO_H_

#include <unistd.h>

#include <cerrno>
#include <cstddef>

namespace parsweep {

// WriteFully returns 0 once all `size` bytes are written, else the errno of the failed
// write (EIO if write returned 0).
inline int WriteFully(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n > 0) {
      p += n;
      size -= static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return n < 0 ? errno : EIO;
    }
  }
  return 0;
}

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_BASE_FD_IO_H_
