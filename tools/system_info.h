// SystemInfo: the machine and build a benchmark ran on, printed beside its numbers as the
// tutorial does (compiler, build, OS, machine, CPU, cores), so results can be compared.
//
// Example:
//   std::cout << FormatSystemInfo(ReadSystemInfo());
#ifndef PARSWEEP_TOOLS_SYSTEM_INFO_H_
#define PARSWEEP_TOOLS_SYSTEM_INFO_H_

#include <string>

namespace parsweep {

struct SystemInfo {
  std::string compiler;   // "GCC 12.2.0"
  std::string build;      // "opt (-O2 or higher, NDEBUG)", sanitizers if any
  std::string os;         // uname sysname
  std::string release;    // uname release
  std::string machine;    // uname machine, "x86_64"
  std::string cpu_model;  // /proc/cpuinfo "model name", or "unknown"
  int cores = 0;          // Logical processors available to this process.
  int bits = 0;           // Pointer size in bits.
};

SystemInfo ReadSystemInfo();
std::string FormatSystemInfo(const SystemInfo& info);

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_SYSTEM_INFO_H_
