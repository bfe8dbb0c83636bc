// WriteFully: write(2) until every byte is written, retrying short writes and EINTR. The one
// write loop of parsweep: frames on pipes, shared-memory files, chart files, and the last
// words a signal handler leaves on stderr (it is async-signal-safe: no allocation, no lock).
//
// It does nothing about SIGPIPE or SIGXFSZ, which a failed write may raise and whose default
// action kills the process; WriteFullyTakingSignal does.
//
// Example:
//   if (const int error = WriteFully(fd, bytes.data(), bytes.size()); error != 0) {
//     return absl::ErrnoToStatus(error, "write");
//   }
#ifndef PARSWEEP_RUNTIME_BASE_FD_IO_H_
#define PARSWEEP_RUNTIME_BASE_FD_IO_H_

#include <signal.h>
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

// WriteFullyTakingSignal is WriteFully with `signal` blocked on the calling thread, for a
// signal that a failed write raises at the writing thread besides returning its error:
// SIGPIPE (EPIPE: the pipe's reader has gone) or SIGXFSZ (EFBIG: past the file size limit,
// ulimit -f). If the write fails, the signal it queued is taken before the mask is restored,
// so the caller gets the errno and the process lives on; no signal disposition changes, so
// other threads and the program's own handlers are unaffected. (A `signal` that was already
// pending, blocked by the caller, merges with it: signals do not queue.)
inline int WriteFullyTakingSignal(int fd, const void* data, size_t size, int signal) {
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, signal);
  sigset_t saved_mask;
  pthread_sigmask(SIG_BLOCK, &blocked, &saved_mask);
  const int error = WriteFully(fd, data, size);
  if (error != 0) {
    const timespec no_wait = {0, 0};
    while (sigtimedwait(&blocked, nullptr, &no_wait) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &saved_mask, nullptr);
  return error;
}

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_BASE_FD_IO_H_
