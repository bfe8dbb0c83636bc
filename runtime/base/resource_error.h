// Resources the system refuses, as absl::Status: a thread, a process, a descriptor or file
// bytes that could not be had, told with the errno's text and the resource limit (ulimit)
// that most likely caused it, so that a user who sees "cannot start thread 37 of 512" also
// sees why and what to raise. Nothing here aborts: StartThread returns what std::thread
// would throw.
//
// Example:
//   if (pipe2(fds, O_CLOEXEC) != 0) return ResourceError(errno, "cannot create a pipe");
//   // ResourceExhausted: "cannot create a pipe: Too many open files (the open file limit,
//   // ulimit -n, is 64)"
//   ASSIGN_OR_RETURN(std::thread thread, StartThread("cannot start thread 3 of 8", Body));
#ifndef PARSWEEP_RUNTIME_BASE_RESOURCE_ERROR_H_
#define PARSWEEP_RUNTIME_BASE_RESOURCE_ERROR_H_

#include <functional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace parsweep {

// DescribeErrno is strerror(error) followed, for an errno that a resource limit raises, by
// the limits in force that could have raised it, with their values as ulimit shows them:
// EAGAIN (starting a thread or process): ulimit -u (not for root, which it does not bind)
// and ulimit -v; ENOMEM: ulimit -v; EMFILE: ulimit -n; EFBIG: ulimit -f. Unlimited ones are
// not named. Example: "Too many open files (the open file limit, ulimit -n, is 64)".
std::string DescribeErrno(int error);

// ResourceError is "<what>: <DescribeErrno(error)>", ResourceExhausted for the errnos of an
// exhausted resource (EAGAIN, ENOMEM, EMFILE, ENFILE, EFBIG, ENOSPC), else with the code
// absl::ErrnoToStatusCode gives.
absl::Status ResourceError(int error, absl::string_view what);

// StartThread starts a thread running `body`, or says why it could not, as ResourceError
// with `what` (the std::system_error or std::bad_alloc std::thread throws, as its errno).
absl::StatusOr<std::thread> StartThread(absl::string_view what, std::function<void()> body);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_BASE_RESOURCE_ERROR_H_
