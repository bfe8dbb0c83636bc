#include "tools/scaling/options.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/base/status_macros.h"
#include "runtime/data/data_limits.h"
#include "tools/flag_checks.h"

namespace parsweep {
namespace {

// The flags that only a study takes, with their values.
std::vector<std::pair<const char*, bool>> StudyOnlyFlags(const ScalingFlags& flags) {
  return {{"--scaling_workers", flags.workers.has_value()},
          {"--scaling_sizes", flags.sizes.has_value()},
          {"--scaling_json", flags.json.has_value()},
          {"--baseline", flags.baseline.has_value()}};
}

// The executors of --compare, by name: serial dropped (it always runs), a worker count
// refused since the study chooses them.
absl::StatusOr<std::vector<std::string>> StudyExecutors(const std::string& list) {
  ASSIGN_OR_RETURN(const std::vector<std::string> entries, SplitFlagList("--compare", list));
  std::vector<std::string> executors;
  for (const std::string& entry : entries) {
    const std::vector<std::string> parts = absl::StrSplit(entry, ':');
    uint32_t number;
    if (parts.size() > 2 || parts[0].empty() ||
        (parts.size() == 2 && absl::SimpleAtoi(parts[1], &number))) {
      return absl::InvalidArgumentError(
          absl::StrCat("--compare entry '", entry,
                       "': a --scaling study takes executor names (NAME or NAME:START_METHOD, e.g. "
                       "threads,process:spawn); --scaling_workers sets the worker counts"));
    }
    if (parts[0] == "mpi") {
      return absl::InvalidArgumentError(
          "--compare entry 'mpi': an MPI job's workers are its ranks, set by mpirun, so a "
          "--scaling study cannot vary them; compare mpi with --compare=mpi:N alone");
    }
    if (entry != "serial") executors.push_back(entry);
  }
  if (executors.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--compare='", list, "': a --scaling study needs an executor besides serial"));
  }
  return executors;
}

}  // namespace

absl::StatusOr<std::vector<uint64_t>> ParseCounts(absl::string_view flag, absl::string_view text,
                                                  uint64_t max) {
  ASSIGN_OR_RETURN(const std::vector<std::string> entries, SplitFlagList(flag, text));
  std::vector<uint64_t> counts;
  for (const std::string& entry : entries) {
    double value;
    if (!absl::SimpleAtod(entry, &value) || !(value >= 1) || value != std::floor(value) ||
        value > static_cast<double>(max)) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, "='", text, "': '", entry, "' is not a whole number from 1 to ", max));
    }
    const uint64_t count = static_cast<uint64_t>(value);
    if (std::find(counts.begin(), counts.end(), count) != counts.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, "='", text, "' gives ", count, " twice"));
    }
    counts.push_back(count);
  }
  std::sort(counts.begin(), counts.end());
  return counts;
}

std::vector<uint64_t> DefaultSizes(uint64_t n) {
  std::vector<uint64_t> sizes;
  for (uint64_t size : {n / 100, n / 10, n}) {
    if (size > 0 && (sizes.empty() || sizes.back() != size)) sizes.push_back(size);
  }
  return sizes;
}

absl::StatusOr<std::optional<ScalingOptions>> ScalingOptionsFromFlags(const ScalingFlags& flags,
                                                                      int cores) {
  if (!flags.scaling) {
    for (const auto& [name, given] : StudyOnlyFlags(flags)) {
      if (given) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, " belongs to a scaling study; add --scaling"));
      }
    }
    return std::nullopt;
  }
  if (flags.n_given && flags.sizes) {
    return absl::InvalidArgumentError(
        "--n and --scaling_sizes both set the samples: give the study's sizes with "
        "--scaling_sizes, or only the largest with --n (the ladder is then n/100, n/10, n)");
  }
  if (flags.repeat < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("--repeat=", flags.repeat,
                     ": a --scaling study needs at least 2 runs per cell to resample for its "
                     "confidence intervals"));
  }
  ScalingOptions options;
  const bool default_executors = !flags.compare || *flags.compare == flags.tutorial_compare;
  ASSIGN_OR_RETURN(options.executors,
                   StudyExecutors(default_executors ? kDefaultStudyExecutors : *flags.compare));
  if (flags.workers) {
    ASSIGN_OR_RETURN(const std::vector<uint64_t> workers,
                     ParseCounts("--scaling_workers", *flags.workers, kMaxStudyWorkers));
    options.workers.assign(workers.begin(), workers.end());
  } else {
    for (int p = 1; p <= std::max(cores, 1); ++p) options.workers.push_back(p);
  }
  if (flags.sizes) {
    ASSIGN_OR_RETURN(options.sizes,
                     ParseCounts("--scaling_sizes", *flags.sizes, kMaxDatasetValues));
  }
  options.json_path = flags.json.value_or("");
  options.baseline_path = flags.baseline.value_or("");
  return options;
}

}  // namespace parsweep
