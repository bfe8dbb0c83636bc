// SweepOptions: what a user asks the sweep tool for, before it becomes a SweepSpec.
//
// The tool's flags fill a SweepOptions; BuildSpec checks them against each other and turns
// them into the spec every other part of parsweep works from. Keeping this apart from
// main() lets tests build specs exactly as the tool does.
//
// Example:
//   SweepOptions options;
//   options.widths = "1.0:1.2:100";
//   ASSIGN_OR_RETURN(SweepSpec spec, BuildSpec(options));
#ifndef PARSWEEP_TOOLS_SWEEP_OPTIONS_H_
#define PARSWEEP_TOOLS_SWEEP_OPTIONS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "proto/sweep.pb.h"

namespace parsweep {

// The tutorial's widths: 0.1, 0.2, ..., 1.2.
inline constexpr char kDefaultWidths[] = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,1.1,1.2";
// The tutorial's benchmark: 100 widths evenly spaced in [1.0, 1.2].
inline constexpr char kBenchmarkWidths[] = "1.0:1.2:100";
inline constexpr int64_t kDefaultSamples = 10000;
inline constexpr int kDefaultDims = 2;
inline constexpr uint64_t kDefaultSeed = 123;  // The tutorial seeds numpy with 123.
// Generated data keeps a d x d covariance; this bounds it at 8 MB. Data from a file may
// have any number of columns.
inline constexpr int kMaxGeneratedDims = 1000;

struct SweepOptions {
  std::string kernel = "parzen_hypercube";
  std::string executor = "serial";
  uint32_t workers = 0;
  std::string widths = kDefaultWidths;
  // Generated data; unset means the default. Not allowed together with `data`.
  std::optional<int64_t> n;
  std::optional<int> dims;
  std::optional<uint64_t> seed;
  std::optional<std::string> mean;  // d numbers.
  std::optional<std::string> cov;   // d*d numbers (row-major) or d variances (diagonal).
  std::string point;                // d numbers; empty means the origin.
  std::string points_file;          // A CSV file of points, one per row (absolute path).
  std::string grid;                 // "lo:hi:k" for every dimension, or one per dimension.
  std::string data;                 // A CSV file of samples, already an absolute path.
  std::string split = "auto";       // "auto", "widths" or "samples".
  uint64_t chunk = 0;
  std::map<std::string, std::string> executor_params;  // Executor-specific, e.g. start_method.
  std::map<std::string, std::string> kernel_params;    // Kernel-specific, e.g. algorithm.
};

// BuildSpec validates `options` and builds the sweep's spec. Errors are InvalidArgument with
// a message naming the flag at fault. Kernel and executor names, and the data itself, are
// checked later, by the registries and by Sweep::Create.
absl::StatusOr<SweepSpec> BuildSpec(const SweepOptions& options);

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_SWEEP_OPTIONS_H_
