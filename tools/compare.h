// Compare mode: the same sweep on several executors, timed side by side, as the tutorial's
// benchmark does (serial against 2, 3, 4 and 6 processes), with a check that every
// executor gave serial's answers.
//
// Each executor starts its workers once (timed apart as start-up), runs the sweep once to
// warm up, then `repeat` timed runs. Speedup is serial's median over the executor's;
// parallel efficiency is speedup / workers; overhead per task is the worker time spent
// beyond serial's, (workers x median - serial median) / tasks.
//
// Example:
//   ASSIGN_OR_RETURN(auto choices, ParseExecutorList("serial,process:2", base));
//   ASSIGN_OR_RETURN(Comparison c, CompareExecutors(*sweep, choices, 5));
//   std::cout << FormatComparison(c);
#ifndef PARSWEEP_TOOLS_COMPARE_H_
#define PARSWEEP_TOOLS_COMPARE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/sweep.pb.h"
#include "runtime/sweep/sweep.h"
#include "runtime/sweep/sweep_runner.h"

namespace parsweep {

// The tutorial's set: serial, then 2, 3, 4 and 6 processes.
inline constexpr char kTutorialExecutors[] = "serial,process:2,process:3,process:4,process:6";

// Timed runs per executor: the tutorial's 5 by default; at most kMaxRepeat, ample for any
// statistics, so that a typo (--repeat=50000) is an error rather than hours of runs.
inline constexpr int kDefaultRepeat = 5;
inline constexpr int kMaxRepeat = 1000;

// CheckRepeat: InvalidArgument naming --repeat unless 1 <= repeat <= kMaxRepeat.
absl::Status CheckRepeat(int repeat);

// One executor to compare: "serial", "threads:2", "process:4", "process:4:spawn".
struct ExecutorChoice {
  std::string label;
  ExecutorSpec spec;
};

// ParseExecutorList parses a comma-separated list of NAME[:WORKERS[:START_METHOD]].
// `base` supplies split and chunk, and its params (the tool's short forms, such as
// max_retries) go to every entry whose executor takes them; `start_method` (if not empty)
// is the default for process entries. Serial is put first (if the list lacks it, it is
// added), since speedups are relative to it. InvalidArgument for a malformed, empty or
// repeated entry, and for a param of `base` that no entry takes (--max_retries with only
// threads entries), which would otherwise be ignored.
absl::StatusOr<std::vector<ExecutorChoice>> ParseExecutorList(absl::string_view text,
                                                              const ExecutorSpec& base,
                                                              const std::string& start_method);

struct ExecutorTiming {
  ExecutorChoice choice;
  int workers = 0;
  double startup_seconds = 0;
  std::vector<double> seconds;  // One per timed run, in run order.
  uint64_t tasks = 0;
  TaskPlanSummary plan;   // How the sweep was cut for this executor.
  std::string agreement;  // "identical", or how the results differ from serial's.
  bool agrees = false;

  double min() const;
  double median() const;
  double max() const;
};

struct Comparison {
  std::vector<ExecutorTiming> timings;  // timings[0] is serial.
  Report serial_report;
  int repeat = 0;
};

// CompareExecutors runs `sweep` on each choice; errors name the executor.
absl::StatusOr<Comparison> CompareExecutors(const Sweep& sweep,
                                            const std::vector<ExecutorChoice>& choices, int repeat,
                                            const ProgressFn& progress = nullptr);

// AgreementWith describes how `report` compares with `reference`: "identical" when every
// count (or density, and log density) is equal; for summing kernels, densities within the
// rounding of a re-ordered sum (n * DBL_EPSILON relative) are "equal within rounding". Log
// densities count as densities, exp(log) (so two densities that underflow to 0 but whose
// logs differ are not "identical").
std::string AgreementWith(const Report& reference, const Report& report, bool* agrees);

std::string FormatComparison(const Comparison& comparison);

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_COMPARE_H_
