#include "runtime/process/process_state.h"

#include <fstream>
#include <iterator>
#include <string>

namespace parsweep {

std::string DescribeProcessState(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  // "pid (comm) S ...": the command may hold spaces and parentheses, the state follows the
  // last ')'.
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return "";
  switch (stat[paren + 2]) {
    case 'R':
      return "it was running";
    case 'S':
      return "it was sleeping (waiting for an event)";
    case 'D':
      return "it was in uninterruptible sleep (waiting on a disk or device)";
    case 'T':
      return "it was stopped (SIGSTOP or a terminal stop)";
    case 't':
      return "it was stopped by a debugger";
    case 'Z':
      return "it had exited (a zombie)";
    default:
      return std::string("its state was '") + stat[paren + 2] + "'";
  }
}

}  // namespace parsweep
