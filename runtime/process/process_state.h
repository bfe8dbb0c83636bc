// DescribeProcessState says what a live process is doing, from /proc/<pid>/stat, in words for
// an error message about a worker that went silent: "it was stopped (SIGSTOP or a terminal
// stop)", "it was in uninterruptible sleep (waiting on a disk or device)". Empty if the state
// cannot be read (the process is gone, or /proc is not mounted).
//
// Example:
//   const std::string seen = DescribeProcessState(pid);  // Before killing it.
#ifndef PARSWEEP_RUNTIME_PROCESS_PROCESS_STATE_H_
#define PARSWEEP_RUNTIME_PROCESS_PROCESS_STATE_H_

#include <sys/types.h>

#include <string>

namespace parsweep {

std::string DescribeProcessState(pid_t pid);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_PROCESS_PROCESS_STATE_H_
