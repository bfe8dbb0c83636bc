// DescribeWaitStatus says how a child process ended, from waitpid's status, in the words
// every error message of parsweep uses: "exited with status 3", "killed by signal 9
// (Killed)", "killed by signal 11 (Segmentation fault), core dumped".
//
// Example:
//   return absl::UnavailableError(absl::StrCat("worker pid ", pid, " ",
//                                              DescribeWaitStatus(status)));
#ifndef PARSWEEP_RUNTIME_PROCESS_WAIT_STATUS_H_
#define PARSWEEP_RUNTIME_PROCESS_WAIT_STATUS_H_

#include <string>

namespace parsweep {

std::string DescribeWaitStatus(int wait_status);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_PROCESS_WAIT_STATUS_H_
