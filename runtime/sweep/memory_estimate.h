// Memory estimates: what a sweep will hold at its peak, from its sizes alone, so that a sweep
// that cannot fit is refused with the figure before anything large is allocated, instead of
// being killed by the kernel's OOM killer (or dying of std::bad_alloc) minutes in.
//
// The estimate counts the samples (n x d doubles), the evaluation points, the widths, and per
// (point, width) result what the runtime keeps (the report's row, a WidthResult message,
// and the merger's pointer to it) plus what the caller's output format adds per row (its text).
// It is measured, not derived: see kRuntimeBytesPerResult. Memory the kernels use per task
// is bounded by the task (the planner cuts widths and points) and is not counted.
//
// What is available is the least of the machine's MemAvailable (/proc/meminfo), the room
// left under this process's cgroup limit (memory.max, cgroup v2) and the room left under its
// address-space limit (ulimit -v); a limit that cannot be read does not count.
//
// Example:
//   RETURN_IF_ERROR(CheckSweepMemory({.samples = n, .dims = d, .points = 1, .widths = w}));
#ifndef PARSWEEP_RUNTIME_SWEEP_MEMORY_ESTIMATE_H_
#define PARSWEEP_RUNTIME_SWEEP_MEMORY_ESTIMATE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace parsweep {

// What the runtime holds per (point, width) result (the report's row, which the merger
// fills in place): measured as the growth of peak RSS between 10^5 and 10^6 widths of the
// fused hypercube, 320 to 360 bytes a row with the table or CSV text, of which about 80 to
// 100 are the text. (Until the merger wrote into the report, it held a second WidthResult
// per row; the peak then measured about 18 bytes a row more, since the two were not both
// alive while the text was built.)
inline constexpr uint64_t kRuntimeBytesPerResult = 240;

struct SweepSize {
  uint64_t samples = 0;  // n
  uint64_t dims = 0;     // d
  uint64_t points = 1;
  uint64_t widths = 0;
  // What the caller's output adds per (point, width) result (its formatted text).
  uint64_t output_bytes_per_result = 0;
};

struct MemoryEstimate {
  uint64_t samples_bytes = 0;
  uint64_t points_bytes = 0;  // Points and widths.
  uint64_t results_bytes = 0;
  uint64_t total_bytes = 0;
};

// EstimateSweepMemory: the peak, by part (saturating at UINT64_MAX: sizes from a user).
MemoryEstimate EstimateSweepMemory(const SweepSize& size);

struct AvailableMemory {
  uint64_t bytes = UINT64_MAX;  // UINT64_MAX: no limit could be read.
  std::string limited_by;       // "MemAvailable", "the cgroup's memory.max", "ulimit -v".
};
AvailableMemory ReadAvailableMemory();

// kAlwaysFitsBytes: CheckSweepMemory passes an estimate this small without reading what is
// available (three /proc files, about 40,000 instructions: 0.1% of the tutorial's whole run).
inline constexpr uint64_t kAlwaysFitsBytes = uint64_t{16} << 20;

// CheckSweepMemory: ResourceExhausted when the estimate is more than what is available,
// with both figures and the parts ("about 3.2 GB: 3.2 GB for 10,000,000 results (10,000,000
// widths x 1 point), 160 kB of samples; 1.1 GB is available (MemAvailable)").
absl::Status CheckSweepMemory(const SweepSize& size);
// The same against a given amount (for tests).
absl::Status CheckSweepMemory(const SweepSize& size, const AvailableMemory& available);

// FormatBytes: "160 kB", "3.2 GB" (powers of 1000, as the estimate is no closer than that).
std::string FormatBytes(uint64_t bytes);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SWEEP_MEMORY_ESTIMATE_H_
