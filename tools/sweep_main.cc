// sweep: runs a width sweep of a density kernel on an executor and prints the densities
// beside the true density.
//
//   bazel run //tools:sweep                      # the tutorial's 12 widths, serially
//   bazel run //tools:sweep -- --widths=1.0:1.2:100 --format=csv
//   bazel run //tools:sweep -- --data=samples.csv --point=0.5,0.5
//   bazel run //tools:sweep -- --list            # registered kernels and executors
//   bazel run //tools:sweep -- --compare --plot=/tmp/sweep.svg   # the tutorial's benchmark
//
// Kernels and executors are found by name in their registries: this file names none.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runtime/base/atomic_file.h"
#include "runtime/base/status_macros.h"
#include "runtime/plugin/executor.h"
#include "runtime/plugin/kernel.h"
#include "runtime/plugin/registry.h"
#include "runtime/process/child_processes.h"
#include "runtime/process/worker_entry.h"
#include "runtime/stats/bandwidth_method.h"
#include "runtime/stats/bandwidth_selection.h"
#include "runtime/stats/leave_one_out.h"
#include "runtime/sweep/memory_estimate.h"
#include "runtime/sweep/sweep.h"
#include "runtime/sweep/sweep_checkpoint.h"
#include "runtime/sweep/sweep_runner.h"
#include "tools/charts.h"
#include "tools/compare.h"
#include "tools/flag_checks.h"
#include "tools/progress_bar.h"
#include "tools/report_format.h"
#include "tools/scaling/mode.h"
#include "tools/scaling/options.h"
#include "tools/sweep_options.h"
#include "tools/sweep_plots.h"
#include "tools/system_info.h"
#include "tools/tool_output.h"

ABSL_FLAG(std::string, kernel, "parzen_hypercube", "density kernel (see --list)");
ABSL_FLAG(std::optional<std::string>, algorithm, std::nullopt,
          "kernel: fused (every width in one pass over the samples, the default where a kernel "
          "has it) or naive (the tutorial's loop per width)");
ABSL_FLAG(std::string, kernel_options, "",
          "kernel options, name=value,... (see --list for each kernel's)");
ABSL_FLAG(std::string, executor_options, "",
          "executor options, name=value,... (see --list for each executor's)");
ABSL_FLAG(std::optional<std::string>, executor, std::nullopt,
          "how tasks run (see --list); default serial");
ABSL_FLAG(std::optional<uint32_t>, workers, std::nullopt,
          "workers for parallel executors; default (or 0) the number of cores");
ABSL_FLAG(std::optional<std::string>, widths, std::nullopt,
          "window widths: a list 0.1,0.5,1 or a range start:stop:count; default the "
          "tutorial's 0.1,0.2,...,1.2 (with --compare, its benchmark's 1.0:1.2:100)");
ABSL_FLAG(std::optional<int64_t>, n, std::nullopt, "samples to generate (default 10000)");
ABSL_FLAG(std::optional<int>, dims, std::nullopt, "dimensions of generated data (default 2)");
ABSL_FLAG(std::optional<uint64_t>, seed, std::nullopt, "seed of generated data (default 123)");
ABSL_FLAG(std::optional<std::string>, mean, std::nullopt,
          "mean of generated data, d numbers (default 0)");
ABSL_FLAG(std::optional<std::string>, cov, std::nullopt,
          "covariance of generated data: d*d numbers row by row, or d variances "
          "(default identity)");
ABSL_FLAG(std::string, point, "", "where to estimate the density, d numbers (default origin)");
ABSL_FLAG(std::string, points, "",
          "a file of evaluation points, one per row: .npy or CSV (relative to where bazel run "
          "started)");
ABSL_FLAG(std::string, grid, "",
          "evaluation points on a grid: lo:hi:count for every dimension, or one such axis "
          "per dimension, comma-separated");
ABSL_FLAG(std::string, data, "",
          "samples from a file instead of generated data: .npy (float64/float32, n x d), "
          "else CSV, one sample per row; relative paths are taken from the directory bazel "
          "run was started in");
ABSL_FLAG(std::string, split, "auto",
          "cut the sweep into tasks by widths or samples, or auto: the planner's cost model "
          "chooses (the plan is printed)");
ABSL_FLAG(uint64_t, chunk, 0,
          "widths or samples per task (widths with --split=auto); 0 = chosen automatically");
ABSL_FLAG(std::optional<std::string>, start_method, std::nullopt,
          "process executor: fork (workers inherit the data) or spawn (fresh processes "
          "that map it); default fork");
ABSL_FLAG(std::optional<uint32_t>, max_retries, std::nullopt,
          "process executor: times a task lost with a dead worker is re-run (default 2)");
ABSL_FLAG(std::optional<std::string>, task_timeout, std::nullopt,
          "process and mpi executors: how long one batch of tasks may run before its worker "
          "is killed (process: and the batch run again), a duration such as 90s or 2h, or "
          "inf (default 1h)");
ABSL_FLAG(std::optional<std::string>, heartbeat_timeout, std::nullopt,
          "process and mpi executors: how long a busy worker may go without a heartbeat "
          "before it is killed, a duration such as 10s, or inf (default 5s)");
ABSL_FLAG(bool, data_on_all_ranks, false,
          "mpi executor: every rank reads --data from its path (the same file on every "
          "host) instead of rank 0 broadcasting the samples");
ABSL_FLAG(std::optional<std::string>, compare, std::nullopt,
          "time the sweep on several executors side by side: --compare alone for the "
          "tutorial's serial,process:2,process:3,process:4,process:6, or a list such as "
          "--compare=serial,threads:2,process:2:spawn");
ABSL_FLAG(std::optional<int>, repeat, std::nullopt,
          "compare mode: timed runs per executor, after one warm-up (default 5)");
ABSL_FLAG(bool, scaling, false,
          "turn --compare into a scaling study: serial and each executor of --compare (by name: "
          "threads,process; default serial,threads,process) on each of --scaling_workers at "
          "each of --scaling_sizes, with speedups, bootstrap intervals, Amdahl fits and "
          "crossover sizes (docs/BENCHMARKS.md)");
ABSL_FLAG(std::optional<std::string>, scaling_workers, std::nullopt,
          "--scaling: worker counts, e.g. 1,2,4 (default 1 to the number of cores)");
ABSL_FLAG(std::optional<std::string>, scaling_sizes, std::nullopt,
          "--scaling: sample counts n, e.g. 1e4,1e5,1e6 (generated, or the first n rows of "
          "--data; default n/100, n/10, n)");
ABSL_FLAG(std::optional<std::string>, scaling_json, std::nullopt,
          "--scaling: save the study, its runs and statistics, as JSON in this file");
ABSL_FLAG(std::optional<std::string>, baseline, std::nullopt,
          "--scaling: compare with a study saved by --scaling_json, cell by cell, and print "
          "the regressions with their significance");
ABSL_FLAG(std::string, plot, "",
          "write charts: PATH.svg or PATH.png; compare mode writes the bar chart there and "
          "the density chart to PATH_density.svg/png");
ABSL_FLAG(std::string, select, "",
          "choose a width without the true density, by a comma-separated list of: scott, "
          "silverman (the rules of thumb of scipy.stats.gaussian_kde), nrd0 (R's bw.nrd0, "
          "0.9 min(sd, IQR/1.34) n^-1/5), each converted to the kernel's width and matched to "
          "the nearest of --widths; loo_cv (the width of --widths with the largest mean "
          "leave-one-out log-likelihood, every sample held out: n^2 distances; see "
          "--loo_points). docs/NUMERICS.md defines them");
ABSL_FLAG(std::optional<uint64_t>, loo_points, std::nullopt,
          "--select=loo_cv: hold out K samples drawn at random without replacement instead "
          "of all n (2 <= K <= n; K = n: all), K*n distances; the output gives K and the "
          "score's standard error");
ABSL_FLAG(std::optional<uint64_t>, loo_seed, std::nullopt,
          "--select=loo_cv with --loo_points: the seed of the draw; the same seed draws the "
          "same samples (default 1)");
ABSL_FLAG(std::string, format, "table", "output: table, csv or json");
ABSL_FLAG(std::string, checkpoint, "",
          "keep each finished task's result in this file; rerun with the same flags and file "
          "after an interruption (SIGKILL, a power cut) to skip the tasks it holds and print "
          "what an uninterrupted run prints");
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

// One section per kind of plugin: each plugin's name and summary, then its options.
template <typename Base>
std::string ListOf(absl::string_view heading) {
  std::string out = absl::StrCat(heading, ":\n");
  for (const PluginInfo& plugin : Registry<Base>::Global().Plugins()) {
    absl::StrAppend(&out, "  ", plugin.name, ": ", plugin.summary, "\n");
    for (const OptionSpec& option : plugin.options) {
      absl::StrAppend(&out, "      ", DescribeOption(option), "\n");
    }
  }
  return out;
}

std::string ListPlugins() {
  return absl::StrCat(ListOf<Kernel>("kernels"), "\n", ListOf<Executor>("executors"),
                      "\nSet an option with --kernel_options=name=value,... or "
                      "--executor_options=name=value,... (--algorithm, --start_method, "
                      "--max_retries, --task_timeout, --heartbeat_timeout and "
                      "--data_on_all_ranks are short forms).\n");
}

// ParseOptionAssignments reads "name=value,name=value" (`flag` names it in errors) into
// `options`. An option set twice is an error, not the last one silently winning.
absl::Status ParseOptionAssignments(absl::string_view flag, absl::string_view text,
                                    std::map<std::string, std::string>& options) {
  if (text.empty()) return absl::OkStatus();  // The default; `--flag=` is refused earlier.
  ASSIGN_OR_RETURN(const std::vector<std::string> assignments,
                   SplitFlagList(absl::StrCat("--", flag), text));
  for (const std::string& assignment : assignments) {
    const std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(assignment, absl::MaxSplits('=', 1));
    const absl::string_view name = absl::StripAsciiWhitespace(parts.first);
    if (name.empty() || !absl::StrContains(assignment, '=')) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, ": '", assignment, "' is not name=value"));
    }
    const auto [it, added] = options.emplace(name, absl::StripAsciiWhitespace(parts.second));
    if (!added) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, " sets ", name, " twice; give it once"));
    }
  }
  return absl::OkStatus();
}

// SetShortForm puts the value of a short form (--algorithm, --start_method, ...) into
// `params` under its option's name, unless the long form `long_flag` set that option too.
absl::Status SetShortForm(const std::string& name, absl::string_view long_flag,
                          const std::string& value, std::map<std::string, std::string>& params) {
  if (!params.emplace(name, value).second) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, " and --", long_flag, "=", name,
                                                   "=... both set ", name, "; give one"));
  }
  return absl::OkStatus();
}

// The sweep's options from the flags, as BuildSpec takes them.
absl::StatusOr<SweepOptions> OptionsFromFlags(bool compare) {
  SweepOptions options;
  RETURN_IF_ERROR(ParseOptionAssignments("kernel_options", absl::GetFlag(FLAGS_kernel_options),
                                         options.kernel_params));
  if (compare && !absl::GetFlag(FLAGS_executor_options).empty()) {
    return absl::InvalidArgumentError(
        "--executor_options applies to one executor; with --compare use the entries' own "
        "form (process:4:spawn) and --start_method, --max_retries, --task_timeout, "
        "--heartbeat_timeout, --data_on_all_ranks");
  }
  RETURN_IF_ERROR(ParseOptionAssignments("executor_options", absl::GetFlag(FLAGS_executor_options),
                                         options.executor_params));
  options.kernel = absl::GetFlag(FLAGS_kernel);
  if (const auto algorithm = absl::GetFlag(FLAGS_algorithm)) {
    RETURN_IF_ERROR(SetShortForm("algorithm", "kernel_options", *algorithm, options.kernel_params));
  }
  options.executor = absl::GetFlag(FLAGS_executor).value_or("serial");
  options.workers = absl::GetFlag(FLAGS_workers).value_or(0);
  options.widths =
      absl::GetFlag(FLAGS_widths).value_or(compare ? kBenchmarkWidths : kDefaultWidths);
  options.n = absl::GetFlag(FLAGS_n);
  options.dims = absl::GetFlag(FLAGS_dims);
  options.seed = absl::GetFlag(FLAGS_seed);
  options.mean = absl::GetFlag(FLAGS_mean);
  options.cov = absl::GetFlag(FLAGS_cov);
  options.point = absl::GetFlag(FLAGS_point);
  options.points_file = ResolveUserPath(absl::GetFlag(FLAGS_points));
  options.grid = absl::GetFlag(FLAGS_grid);
  options.data = ResolveUserPath(absl::GetFlag(FLAGS_data));
  options.split = absl::GetFlag(FLAGS_split);
  options.chunk = absl::GetFlag(FLAGS_chunk);
  std::map<std::string, std::string>& executor_params = options.executor_params;
  if (const auto start_method = absl::GetFlag(FLAGS_start_method)) {
    RETURN_IF_ERROR(
        SetShortForm("start_method", "executor_options", *start_method, executor_params));
  }
  if (const auto max_retries = absl::GetFlag(FLAGS_max_retries)) {
    RETURN_IF_ERROR(SetShortForm("max_retries", "executor_options", absl::StrCat(*max_retries),
                                 executor_params));
  }
  if (const auto task_timeout = absl::GetFlag(FLAGS_task_timeout)) {
    RETURN_IF_ERROR(
        SetShortForm("task_timeout", "executor_options", *task_timeout, executor_params));
  }
  if (const auto heartbeat_timeout = absl::GetFlag(FLAGS_heartbeat_timeout)) {
    RETURN_IF_ERROR(
        SetShortForm("heartbeat_timeout", "executor_options", *heartbeat_timeout, executor_params));
  }
  if (absl::GetFlag(FLAGS_data_on_all_ranks)) {
    RETURN_IF_ERROR(SetShortForm("data_on_all_ranks", "executor_options", "true", executor_params));
  }
  return options;
}

// LooOptionsFromFlags: the held-out samples of --select=loo_cv, from --loo_points and
// --loo_seed, which only loo_cv takes (and --loo_seed only with --loo_points). Whether K
// exceeds n is checked once the data is loaded.
absl::StatusOr<LooOptions> LooOptionsFromFlags(const std::vector<BandwidthMethod>& methods) {
  const std::optional<uint64_t> points = absl::GetFlag(FLAGS_loo_points);
  const std::optional<uint64_t> seed = absl::GetFlag(FLAGS_loo_seed);
  const bool loo_cv =
      std::find(methods.begin(), methods.end(), BandwidthMethod::kLooCv) != methods.end();
  if ((points || seed) && !loo_cv) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", points ? "loo_points" : "loo_seed",
                     " sets which samples --select=loo_cv holds out; add loo_cv to --select"));
  }
  if (seed && !points) {
    return absl::InvalidArgumentError(
        "--loo_seed seeds the draw of --loo_points samples; without --loo_points every "
        "sample is held out");
  }
  LooOptions options;
  if (points) {
    // K >= 2 now; K <= n once n is known.
    RETURN_IF_ERROR(CheckLooPoints(*points, std::numeric_limits<uint64_t>::max()));
    options.points = *points;
  }
  options.seed = seed.value_or(kDefaultLooSeed);
  return options;
}

// The chart files --plot asks for: with a comparison, its bar chart at `path` and the
// density chart beside it; otherwise the density chart at `path`.
std::vector<std::string> ChartPaths(const std::string& path, bool comparison) {
  if (path.empty()) return {};
  if (comparison) return {path, DensityChartPath(path)};
  return {path};
}

// How --split asked to cut the sweep, for compare mode's first line; each executor's plan
// follows the table.
const char* RequestedSplit(Split split) {
  return split == SPLIT_AUTO      ? "auto (each executor's plan is under the table)"
         : split == SPLIT_SAMPLES ? "by samples"
                                  : "by widths";
}

absl::StatusOr<ToolOutput> RunComparison(const Sweep& sweep, const std::string& list,
                                         const std::string& plot) {
  const std::string start_method = absl::GetFlag(FLAGS_start_method).value_or("");
  ASSIGN_OR_RETURN(std::vector<ExecutorChoice> choices,
                   ParseExecutorList(list, sweep.spec().executor(), start_method));
  ProgressBar bar = ProgressBar::ForStderr();
  ASSIGN_OR_RETURN(
      Comparison comparison,
      CompareExecutors(sweep, choices, absl::GetFlag(FLAGS_repeat).value_or(kDefaultRepeat),
                       [&bar](uint64_t done, uint64_t total) { bar.Update(done, total); }));
  bar.Finish();
  const Report& report = comparison.serial_report;
  ToolOutput output;
  output.what = "the comparison";
  output.text = absl::StrCat(
      "parsweep compare: kernel ", report.spec().kernel().name(), ", ", WorkloadSummary(report),
      ", split ", RequestedSplit(report.spec().executor().split()), "\n\n",
      FormatSystemInfo(ReadSystemInfo()), "\n", FormatComparison(comparison));
  if (!plot.empty()) {
    output.charts.push_back(ChartFile(plot, ComparisonChart(comparison), "comparison chart"));
    output.charts.push_back(ChartFile(
        DensityChartPath(plot), DensityChart(report, 0, sweep.kernel().Width()), "density chart"));
  }
  return output;
}

// The sweep's warnings go to stderr before it runs, so that a long sweep warns at once.
void PrintWarnings(const Sweep& sweep) {
  for (const std::string& warning : sweep.warnings()) {
    std::cerr << "sweep: warning: " << warning << "\n";
  }
}

// The --checkpoint file, opened (created if new, and locked) before any work, so that a path
// that cannot be written fails at once; null without the flag. It covers the sweep of
// --widths only: --select=loo_cv runs a leave-one-out sweep of its own, planned apart (one
// task on serial), again on every run.
absl::StatusOr<std::unique_ptr<SweepCheckpoint>> OpenCheckpoint(bool compare) {
  const std::string path = ResolveUserPath(absl::GetFlag(FLAGS_checkpoint));
  if (path.empty()) return nullptr;
  if (compare) {
    return absl::InvalidArgumentError(
        "--checkpoint keeps the tasks of one sweep; --compare times many runs: drop one");
  }
  return SweepCheckpoint::Open(path);
}

// Says on stderr what a checkpoint saved this run, if anything.
void ReportResume(const SweepCheckpoint& checkpoint, const Report& report) {
  if (checkpoint.resumed_tasks() == 0 && checkpoint.dropped_bytes() == 0) return;
  std::cerr << "checkpoint " << checkpoint.path() << ": " << checkpoint.resumed_tasks() << " of "
            << report.tasks() << " tasks were done already";
  if (checkpoint.dropped_bytes() > 0) {
    std::cerr << "; a torn last record (" << checkpoint.dropped_bytes() << " bytes) was dropped";
  }
  std::cerr << "\n";
}

// The table's notes for `sweep`'s kernel, in its own words: its registered summary, its
// ExpectedDensityNote() and its Width().
TableNotes KernelNotes(const Sweep& sweep) {
  TableNotes notes;
  for (const PluginInfo& plugin : Registry<Kernel>::Global().Plugins()) {
    if (plugin.name == sweep.spec().kernel().name()) notes.density = plugin.summary;
  }
  notes.expected_density = sweep.kernel().ExpectedDensityNote();
  notes.width = sweep.kernel().Width();
  return notes;
}

// The --scaling study's options from its flags; nullopt without --scaling.
absl::StatusOr<std::optional<ScalingOptions>> ScalingFromFlags(
    const std::optional<std::string>& compare) {
  ScalingFlags flags;
  flags.scaling = absl::GetFlag(FLAGS_scaling);
  flags.workers = absl::GetFlag(FLAGS_scaling_workers);
  flags.sizes = absl::GetFlag(FLAGS_scaling_sizes);
  const auto resolve = [](std::optional<std::string> path) {
    if (path) *path = ResolveUserPath(*path);
    return path;
  };
  flags.json = resolve(absl::GetFlag(FLAGS_scaling_json));
  flags.baseline = resolve(absl::GetFlag(FLAGS_baseline));
  flags.compare = compare;
  flags.tutorial_compare = kTutorialExecutors;
  flags.n_given = absl::GetFlag(FLAGS_n).has_value();
  flags.repeat = absl::GetFlag(FLAGS_repeat).value_or(kDefaultRepeat);
  return ScalingOptionsFromFlags(flags, ReadSystemInfo().cores);
}

// Run does everything but writing: it returns the tool's whole output, formatted.
absl::StatusOr<ToolOutput> Run() {
  if (absl::GetFlag(FLAGS_list)) {
    ToolOutput output;
    output.text = ListPlugins();
    output.what = "the list";
    return output;
  }
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format != "table" && format != "csv" && format != "json") {
    return absl::InvalidArgumentError(
        absl::StrCat("--format='", format, "': must be table, csv or json"));
  }
  std::optional<std::string> compare = absl::GetFlag(FLAGS_compare);
  ASSIGN_OR_RETURN(const std::optional<ScalingOptions> scaling, ScalingFromFlags(compare));
  if (scaling && !compare) compare = kDefaultStudyExecutors;  // A study is a comparison.
  if (compare) {
    if (absl::GetFlag(FLAGS_executor) || absl::GetFlag(FLAGS_workers)) {
      return absl::InvalidArgumentError(
          "--compare names its executors (e.g. --compare=serial,threads:2); drop --executor "
          "and --workers");
    }
    if (format != "table") {
      return absl::InvalidArgumentError("--compare prints a table; drop --format");
    }
  }
  if (const std::optional<int> repeat = absl::GetFlag(FLAGS_repeat)) {
    if (!compare) {
      return absl::InvalidArgumentError(
          "--repeat sets the timed runs of --compare; without --compare there is nothing to "
          "repeat");
    }
    RETURN_IF_ERROR(CheckRepeat(*repeat));
  }
  const std::string select = absl::GetFlag(FLAGS_select);
  if (compare && !select.empty()) {
    return absl::InvalidArgumentError("--select chooses a width; run it without --compare");
  }
  std::vector<BandwidthMethod> methods;
  if (!select.empty()) {
    RETURN_IF_ERROR(SplitFlagList("--select", select).status());
    ASSIGN_OR_RETURN(methods, ParseBandwidthMethods(select));
  }
  ASSIGN_OR_RETURN(const LooOptions loo, LooOptionsFromFlags(methods));
  const std::string plot = ResolveUserPath(absl::GetFlag(FLAGS_plot));
  // Before the sweep, so that a typo in the path costs nothing.
  for (const std::string& path : ChartPaths(plot, compare.has_value())) {
    RETURN_IF_ERROR(CheckChartPath(path));
    RETURN_IF_ERROR(CheckWritableAtomically(path));
  }

  ASSIGN_OR_RETURN(std::unique_ptr<SweepCheckpoint> checkpoint,
                   OpenCheckpoint(compare.has_value()));

  ASSIGN_OR_RETURN(const SweepOptions options, OptionsFromFlags(compare.has_value()));
  ASSIGN_OR_RETURN(SweepSpec spec, BuildSpec(options));
  if (scaling) {
    ProgressBar bar = ProgressBar::ForStderr();
    absl::StatusOr<ToolOutput> output = RunScalingMode(
        spec, *scaling, absl::GetFlag(FLAGS_repeat).value_or(kDefaultRepeat),
        absl::GetFlag(FLAGS_start_method).value_or(""), plot,
        [&bar](uint64_t done, uint64_t total) { bar.Update(done, total); }, std::cerr);
    bar.Finish();
    return output;
  }
  if (compare) {
    // Executors are named by the list; the spec's own is only the default serial.
    ASSIGN_OR_RETURN(std::unique_ptr<Sweep> sweep, Sweep::Create(spec));
    PrintWarnings(*sweep);
    return RunComparison(*sweep, *compare, plot);
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Executor> executor,
                   Registry<Executor>::Global().Create(spec.executor()));
  ASSIGN_OR_RETURN(std::unique_ptr<Sweep> sweep, Sweep::Create(spec));
  // Before the sweep runs, now that n is known.
  if (loo.points != 0) RETURN_IF_ERROR(CheckLooPoints(loo.points, sweep->samples()));
  // Sweep::Create checked the runtime's share; the output's text comes on top.
  RETURN_IF_ERROR(CheckSweepMemory(SweepSize{
      sweep->samples(), sweep->dims(), sweep->points().rows(),
      static_cast<uint64_t>(sweep->spec().widths_size()), FormattedBytesPerResult(format)}));
  PrintWarnings(*sweep);
  ProgressBar bar = ProgressBar::ForStderr();
  ASSIGN_OR_RETURN(
      Report report,
      RunSweep(
          *sweep, *executor, PoolOptions(),
          [&bar](uint64_t done, uint64_t total) { bar.Update(done, total); }, checkpoint.get()));
  bar.Finish();
  for (const std::string& warning : sweep->warnings()) report.add_warnings(warning);
  if (checkpoint != nullptr) ReportResume(*checkpoint, report);
  for (BandwidthMethod method : methods) {
    ASSIGN_OR_RETURN(Selection selection, SelectBandwidth(method, *sweep, *executor, loo));
    *report.add_selections() = std::move(selection);
  }

  KeepMeaningfulSelections(report);
  ToolOutput output;
  if (format == "csv") {
    output.text = FormatCsv(report);
  } else if (format == "json") {
    ASSIGN_OR_RETURN(output.text, FormatJson(report));  // The printer ends it with a newline.
  } else {
    output.text = FormatTable(report, KernelNotes(*sweep));
  }
  if (!plot.empty()) {
    output.charts.push_back(
        ChartFile(plot, DensityChart(report, 0, sweep->kernel().Width()), "density chart"));
  }
  return output;
}

// Abseil flags take `--name value` as well as `--name=value`, so a bare `--compare` would
// swallow the next argument; it means the tutorial's executor set.
void ExpandBareCompare(int argc, char** argv) {
  static std::string expanded = absl::StrCat("--compare=", kTutorialExecutors);
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--compare") == 0 || std::strcmp(argv[i], "-compare") == 0) {
      argv[i] = expanded.data();
    }
  }
}

}  // namespace
}  // namespace parsweep

int main(int argc, char** argv) {
  // A spawned worker is this binary started again; it runs the worker and never returns.
  parsweep::RunWorkerIfRequested(argc, argv);
  // Ctrl-C or SIGTERM while workers run: kill and reap them, then exit 130 or 143.
  parsweep::InstallTerminationHandlers();
  absl::SetProgramUsageMessage(
      "Runs a width sweep of a density kernel and prints the estimates.\n"
      "Example: sweep --kernel=parzen_hypercube --executor=serial --widths=0.1:1.2:12");
  parsweep::ExpandBareCompare(argc, argv);
  if (const absl::Status status = parsweep::CheckCommandLine(argc, argv); !status.ok()) {
    std::fprintf(stderr, "sweep: error: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() > 1) {
    std::fprintf(stderr,
                 "sweep: error: unexpected argument '%s' (flags take the form --name=value)\n",
                 positional[1]);
    return 2;
  }
  const absl::StatusOr<parsweep::ToolOutput> output = parsweep::Run();
  if (!output.ok()) {
    std::fprintf(stderr, "sweep: error: %s\n", std::string(output.status().message()).c_str());
    return 1;
  }
  // Every executor and worker is gone by now (Run's scope ended), as DeliverOutput needs.
  return parsweep::DeliverOutput(*output, STDOUT_FILENO, std::cerr);
}
