#include "runtime/sweep/memory_estimate.h"

#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace parsweep {
namespace {

uint64_t Multiply(uint64_t a, uint64_t b) {
  if (a != 0 && b > UINT64_MAX / a) return UINT64_MAX;
  return a * b;
}

uint64_t Add(uint64_t a, uint64_t b) { return b > UINT64_MAX - a ? UINT64_MAX : a + b; }

// The value of a "Name:   123 kB" line of a /proc file, in bytes; 0 if absent.
uint64_t ProcKilobytes(const char* path, absl::string_view name) {
  std::ifstream file(path);
  std::string line;
  while (std::getline(file, line)) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, name) || !absl::ConsumePrefix(&rest, ":")) continue;
    rest = absl::StripAsciiWhitespace(rest);
    absl::ConsumeSuffix(&rest, " kB");
    uint64_t kilobytes = 0;
    if (absl::SimpleAtoi(rest, &kilobytes)) return Multiply(kilobytes, 1024);
  }
  return 0;
}

// A whole-file number, such as cgroup's memory.max; nullopt for "max" or unreadable.
std::optional<uint64_t> FileNumber(const std::string& path) {
  std::ifstream file(path);
  std::string text;
  if (!(file >> text)) return std::nullopt;
  uint64_t value = 0;
  if (!absl::SimpleAtoi(text, &value)) return std::nullopt;
  return value;
}

// The room under this process's cgroup v2 memory limit, if it has one.
std::optional<uint64_t> CgroupRoom() {
  std::ifstream self("/proc/self/cgroup");
  std::string line;
  while (std::getline(self, line)) {
    absl::string_view path = line;
    if (!absl::ConsumePrefix(&path, "0::")) continue;  // The unified (v2) hierarchy.
    const std::string dir = absl::StrCat("/sys/fs/cgroup", path == "/" ? "" : path);
    const std::optional<uint64_t> max = FileNumber(dir + "/memory.max");
    if (!max) return std::nullopt;
    const uint64_t current = FileNumber(dir + "/memory.current").value_or(0);
    return *max > current ? *max - current : 0;
  }
  return std::nullopt;
}

}  // namespace

MemoryEstimate EstimateSweepMemory(const SweepSize& size) {
  MemoryEstimate estimate;
  estimate.samples_bytes = Multiply(Multiply(size.samples, size.dims), sizeof(double));
  estimate.points_bytes = Add(Multiply(Multiply(size.points, size.dims), sizeof(double)),
                              Multiply(size.widths, sizeof(double)));
  estimate.results_bytes = Multiply(Multiply(size.points, size.widths),
                                    Add(kRuntimeBytesPerResult, size.output_bytes_per_result));
  estimate.total_bytes =
      Add(Add(estimate.samples_bytes, estimate.points_bytes), estimate.results_bytes);
  return estimate;
}

AvailableMemory ReadAvailableMemory() {
  AvailableMemory available;
  if (const uint64_t meminfo = ProcKilobytes("/proc/meminfo", "MemAvailable"); meminfo > 0) {
    available = {meminfo, "MemAvailable"};
  }
  if (const std::optional<uint64_t> room = CgroupRoom(); room && *room < available.bytes) {
    available = {*room, "the cgroup's memory.max"};
  }
  rlimit limit;
  if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    const uint64_t used = ProcKilobytes("/proc/self/status", "VmSize");
    const uint64_t room = limit.rlim_cur > used ? limit.rlim_cur - used : 0;
    if (room < available.bytes) available = {room, "ulimit -v"};
  }
  return available;
}

std::string FormatBytes(uint64_t bytes) {
  if (bytes < 1000) return absl::StrCat(bytes, " bytes");
  const char* units[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
  double value = static_cast<double>(bytes) / 1000;
  int unit = 0;
  while (value >= 999.95 && unit < 5) {
    value /= 1000;
    ++unit;
  }
  return absl::StrFormat(value < 9.95 ? "%.1f %s" : "%.0f %s", value, units[unit]);
}

absl::Status CheckSweepMemory(const SweepSize& size, const AvailableMemory& available) {
  const MemoryEstimate estimate = EstimateSweepMemory(size);
  if (estimate.total_bytes <= available.bytes) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "the sweep needs about ", FormatBytes(estimate.total_bytes), " of memory (",
      FormatBytes(estimate.results_bytes), " for ", size.points, " x ", size.widths,
      " (point, width) results, ", FormatBytes(estimate.samples_bytes), " of samples), but ",
      FormatBytes(available.bytes), " is available (", available.limited_by,
      "): use fewer widths or points, or split the sweep into several runs"));
}

absl::Status CheckSweepMemory(const SweepSize& size) {
  // A sweep this small fits wherever the process got this far: spare it reading /proc.
  if (EstimateSweepMemory(size).total_bytes <= kAlwaysFitsBytes) return absl::OkStatus();
  return CheckSweepMemory(size, ReadAvailableMemory());
}

}  // namespace parsweep
