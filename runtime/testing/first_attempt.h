// FirstAttempt: true for the first caller, across all processes, that asks about `path`,
// for faults that must strike only on a batch's first attempt (its retry then succeeds).
// O_EXCL creation is atomic, so a worker process and its replacement agree.
//
// Example:
//   if (FirstAttempt(marker_path)) raise(SIGKILL);
#ifndef PARSWEEP_RUNTIME_TESTING_FIRST_ATTEMPT_H_
#define PARSWEEP_RUNTIME_TESTING_FIRST_ATTEMPT_H_

#include <fcntl.h>
#include <unistd.h>

#include <string>

namespace parsweep {

inline bool FirstAttempt(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  close(fd);
  return true;
}

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_TESTING_FIRST_ATTEMPT_H_
