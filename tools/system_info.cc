#include "tools/system_info.h"

#include <sched.h>
#include <sys/utsname.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#ifndef PARSWEEP_COMPILATION_MODE
#define PARSWEEP_COMPILATION_MODE "unknown"
#endif

namespace parsweep {
namespace {

std::string Compiler() {
#if defined(__clang__)
  return absl::StrCat("Clang ", __clang_major__, ".", __clang_minor__, ".", __clang_patchlevel__);
#elif defined(__GNUC__)
  return absl::StrCat("GCC ", __GNUC__, ".", __GNUC_MINOR__, ".", __GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

std::string Build() {
  std::vector<std::string> traits;
#ifdef __OPTIMIZE__
  traits.push_back("optimised");
#else
  traits.push_back("not optimised");
#endif
#ifdef NDEBUG
  traits.push_back("NDEBUG");
#else
  traits.push_back("assertions on");
#endif
#ifdef __SANITIZE_ADDRESS__
  traits.push_back("AddressSanitizer");
#endif
#ifdef __SANITIZE_THREAD__
  traits.push_back("ThreadSanitizer");
#endif
#ifdef __AVX2__
  traits.push_back("AVX2");
#endif
  return absl::StrCat(PARSWEEP_COMPILATION_MODE, " (", absl::StrJoin(traits, ", "), ")");
}

std::string CpuModel() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (absl::StartsWith(line, "model name")) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        return std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
      }
    }
  }
  return "unknown";
}

int Cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  return 0;
}

}  // namespace

SystemInfo ReadSystemInfo() {
  SystemInfo info;
  info.compiler = Compiler();
  info.build = Build();
  struct utsname name;
  if (uname(&name) == 0) {
    info.os = name.sysname;
    info.release = name.release;
    info.machine = name.machine;
  }
  info.cpu_model = CpuModel();
  info.cores = Cores();
  info.bits = static_cast<int>(sizeof(void*) * 8);
  return info;
}

std::string FormatSystemInfo(const SystemInfo& info) {
  return absl::StrCat("compiler  : ", info.compiler, "\n",                      //
                      "build     : ", info.build, "\n",                         //
                      "system    : ", info.os, " ", info.release, "\n",         //
                      "machine   : ", info.machine, ", ", info.bits, "-bit\n",  //
                      "processor : ", info.cpu_model, "\n",                     //
                      "CPU count : ", info.cores, "\n");
}

}  // namespace parsweep
