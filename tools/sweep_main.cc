// sweep: runs a width sweep of a density kernel on an executor and prints the densities
// beside the true density.
//
//   bazel run //tools:sweep                      # the tutorial's 12 widths, serially
//   bazel run //tools:sweep -- --widths=1.0:1.2:100 --format=csv
//   bazel run //tools:sweep -- --data=samples.csv --point=0.5,0.5
//   bazel run //tools:sweep -- --list            # registered kernels and executors
//
// Kernels and executors are found by name in their registries: this file names none.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/executor.h"
#include "runtime/kernel.h"
#include "runtime/registry.h"
#include "runtime/status_macros.h"
#include "runtime/sweep.h"
#include "runtime/sweep_runner.h"
#include "tools/report_format.h"
#include "tools/sweep_options.h"

ABSL_FLAG(std::string, kernel, "parzen_hypercube", "density kernel (see --list)");
ABSL_FLAG(std::string, executor, "serial", "how tasks run (see --list)");
ABSL_FLAG(uint32_t, workers, 0, "workers for parallel executors; 0 = number of cores");
ABSL_FLAG(std::string, widths, parsweep::kDefaultWidths,
          "window widths: a list 0.1,0.5,1 or a range start:stop:count");
ABSL_FLAG(std::optional<int64_t>, n, std::nullopt, "samples to generate (default 10000)");
ABSL_FLAG(std::optional<int>, dims, std::nullopt, "dimensions of generated data (default 2)");
ABSL_FLAG(std::optional<uint64_t>, seed, std::nullopt, "seed of generated data (default 123)");
ABSL_FLAG(std::optional<std::string>, mean, std::nullopt,
          "mean of generated data, d numbers (default 0)");
ABSL_FLAG(std::optional<std::string>, cov, std::nullopt,
          "covariance of generated data: d*d numbers row by row, or d variances "
          "(default identity)");
ABSL_FLAG(std::string, point, "", "where to estimate the density, d numbers (default origin)");
ABSL_FLAG(std::string, data, "",
          "CSV file of samples, one per row, instead of generated data; relative paths are "
          "taken from the directory bazel run was started in");
ABSL_FLAG(std::string, split, "widths", "cut the sweep into tasks by widths or samples");
ABSL_FLAG(uint64_t, chunk, 0, "widths or samples per task; 0 = chosen automatically");
ABSL_FLAG(std::string, format, "table", "output: table, csv or json");
ABSL_FLAG(bool, list, false, "list the registered kernels and executors, and exit");

namespace parsweep {
namespace {

// `bazel run` starts the binary in its runfiles tree; a user's relative path means the
// directory they ran bazel from, which Bazel passes in BUILD_WORKING_DIRECTORY.
std::string ResolveUserPath(const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  const char* base = std::getenv("BUILD_WORKING_DIRECTORY");
  if (base == nullptr || *base == '\0') return path;
  return absl::StrCat(base, "/", path);
}

std::string ListPlugins() {
  return absl::StrCat("kernels: ", absl::StrJoin(Registry<Kernel>::Global().Names(), ", "),
                      "\nexecutors: ",
                      absl::StrJoin(Registry<Executor>::Global().Names(), ", "), "\n");
}

absl::Status Run() {
  if (absl::GetFlag(FLAGS_list)) {
    std::cout << ListPlugins();
    return absl::OkStatus();
  }
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format != "table" && format != "csv" && format != "json") {
    return absl::InvalidArgumentError(
        absl::StrCat("--format='", format, "': must be table, csv or json"));
  }

  SweepOptions options;
  options.kernel = absl::GetFlag(FLAGS_kernel);
  options.executor = absl::GetFlag(FLAGS_executor);
  options.workers = absl::GetFlag(FLAGS_workers);
  options.widths = absl::GetFlag(FLAGS_widths);
  options.n = absl::GetFlag(FLAGS_n);
  options.dims = absl::GetFlag(FLAGS_dims);
  options.seed = absl::GetFlag(FLAGS_seed);
  options.mean = absl::GetFlag(FLAGS_mean);
  options.cov = absl::GetFlag(FLAGS_cov);
  options.point = absl::GetFlag(FLAGS_point);
  options.data = ResolveUserPath(absl::GetFlag(FLAGS_data));
  options.split = absl::GetFlag(FLAGS_split);
  options.chunk = absl::GetFlag(FLAGS_chunk);

  ASSIGN_OR_RETURN(SweepSpec spec, BuildSpec(options));
  ASSIGN_OR_RETURN(std::unique_ptr<Executor> executor,
                   Registry<Executor>::Global().Create(spec.executor()));
  ASSIGN_OR_RETURN(std::unique_ptr<Sweep> sweep, Sweep::Create(spec));
  ASSIGN_OR_RETURN(Report report, RunSweep(*sweep, *executor));

  if (format == "csv") {
    std::cout << FormatCsv(report);
  } else if (format == "json") {
    ASSIGN_OR_RETURN(std::string json, FormatJson(report));
    std::cout << json;  // The printer ends it with a newline.
  } else {
    std::cout << FormatTable(report);
  }
  std::cout.flush();
  if (!std::cout) return absl::UnavailableError("cannot write the report to standard output");
  return absl::OkStatus();
}

}  // namespace
}  // namespace parsweep

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Runs a width sweep of a density kernel and prints the estimates.\n"
      "Example: sweep --kernel=parzen_hypercube --executor=serial --widths=0.1:1.2:12");
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() > 1) {
    std::fprintf(stderr, "sweep: error: unexpected argument '%s' (flags take the form --name=value)\n",
                 positional[1]);
    return 2;
  }
  const absl::Status status = parsweep::Run();
  if (!status.ok()) {
    std::fprintf(stderr, "sweep: error: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
