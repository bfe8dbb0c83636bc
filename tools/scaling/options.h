// ScalingOptions: what a scaling study (`sweep --scaling`, tools/scaling/study.h) runs, from
// its flags, with every contradiction refused before any work:
//
//   --scaling                  turns --compare into a study (alone: serial,threads,process)
//   --compare=threads,process  executors by name, no worker counts; NAME:START_METHOD too
//                              (process:spawn); serial always runs, as the reference
//   --scaling_workers=1,2,4    worker counts (default 1 to the number of cores)
//   --scaling_sizes=1e4,1e5    sample counts n (default n/100, n/10, n of --n or --data)
//   --scaling_json=FILE        the study, saved as JSON (tools/scaling/study.proto)
//   --baseline=FILE            a saved study to compare with
//
// Example:
//   ScalingFlags flags;
//   flags.scaling = true;
//   flags.sizes = "1e3,1e4";
//   ASSIGN_OR_RETURN(std::optional<ScalingOptions> options, ScalingOptionsFromFlags(flags, 2));
#ifndef PARSWEEP_TOOLS_SCALING_OPTIONS_H_
#define PARSWEEP_TOOLS_SCALING_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace parsweep {

// The executors of a study run without --compare or with a bare --compare.
inline constexpr char kDefaultStudyExecutors[] = "serial,threads,process";
// More workers than this is a typo, not a machine.
inline constexpr uint64_t kMaxStudyWorkers = 4096;

// ScalingFlags: the study's flags as given (unset: not given), and the flags it depends on.
struct ScalingFlags {
  bool scaling = false;
  std::optional<std::string> workers, sizes, json, baseline;
  // --compare after the tool expanded a bare --compare into `tutorial_compare`.
  std::optional<std::string> compare;
  std::string tutorial_compare;
  bool n_given = false;
  int repeat = 5;
};

struct ScalingOptions {
  // Entries of --compare besides serial: NAME or NAME:START_METHOD.
  std::vector<std::string> executors;
  std::vector<uint32_t> workers;  // Ascending.
  std::vector<uint64_t> sizes;    // Ascending; empty: DefaultSizes of the data's n.
  std::string json_path;          // Empty: not saved.
  std::string baseline_path;      // Empty: no baseline.
};

// ScalingOptionsFromFlags: nullopt without --scaling (and none of its flags); otherwise the
// study's options, `cores` giving the default workers. InvalidArgument naming the flags for:
// a study flag without --scaling; an executor entry with a worker count (process:2), mpi
// (its workers are the job's ranks), or no executor besides serial; --n with
// --scaling_sizes; a count that is not a positive whole number, or given twice; fewer than
// 2 runs per cell (--repeat=1 leaves nothing to resample).
absl::StatusOr<std::optional<ScalingOptions>> ScalingOptionsFromFlags(const ScalingFlags& flags,
                                                                      int cores);

// ParseCounts: a comma-separated list of positive whole numbers up to `max`, in any
// notation a double has ("1e4,100000"), sorted ascending. InvalidArgument naming `flag`
// for an empty or repeated entry, a fraction, zero, or a number above `max`.
absl::StatusOr<std::vector<uint64_t>> ParseCounts(absl::string_view flag, absl::string_view text,
                                                  uint64_t max);

// DefaultSizes: the ladder n/100, n/10, n (whole numbers, without 0 or repeats).
std::vector<uint64_t> DefaultSizes(uint64_t n);

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_SCALING_OPTIONS_H_
