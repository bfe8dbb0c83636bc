// A scaling study: one sweep timed on serial and on each executor with each number of
// workers, at each size of a ladder of sample counts, and what follows from the runs:
// speedup and efficiency over serial with bootstrap confidence intervals, Amdahl's serial
// fraction per executor and size, and the crossover size from which each executor beats
// serial. It is `sweep --scaling` (flags in tools/scaling/options.h); the data is the
// ScalingStudy message of tools/scaling/study.proto, saved as JSON and read back as a
// baseline (tools/scaling/baseline.h).
//
// At each size serial runs first, as the reference, then every executor on every worker
// count, each as compare mode runs it (tools/compare.h: workers started once, one warm-up,
// `repeat` timed runs, and the results checked against serial's). Generated data is
// generated at each size with the same seed; file data is cut to its first n rows.
//
// The intervals are percentile intervals of a bootstrap that resamples each cell's runs with
// replacement (BootstrapOptions: 2000 resamples, 95%, a fixed seed, so the same runs always
// give the same intervals).
//
// Example:
//   ASSIGN_OR_RETURN(ScalingStudy study, RunScalingStudy(spec, options, 5, "", nullptr));
//   AnalyzeStudy(BootstrapOptions(), study);
#ifndef PARSWEEP_TOOLS_SCALING_STUDY_H_
#define PARSWEEP_TOOLS_SCALING_STUDY_H_

#include <string>

#include "absl/status/statusor.h"
#include "proto/sweep.pb.h"
#include "runtime/sweep/sweep_runner.h"
#include "tools/scaling/options.h"
#include "tools/scaling/stats.h"
#include "tools/scaling/study.pb.h"

namespace parsweep {

// RunScalingStudy times the sweep `spec` describes (its executor gives split, chunk and
// the short forms such as max_retries; its data's n or its file's rows are replaced by each
// size) as `options` say, `repeat` timed runs per cell; `start_method` is the default for
// process entries. It fills the study's runs, not the derived fields (AnalyzeStudy).
// With a `baseline`, its workload must be this study's (CheckSameWorkload), checked before
// anything is timed. Errors: that one, a size beyond the rows of a --data file
// (InvalidArgument naming both), and those of Sweep::Create and CompareExecutors, which
// name the executor.
absl::StatusOr<ScalingStudy> RunScalingStudy(const SweepSpec& spec, const ScalingOptions& options,
                                             int repeat, const std::string& start_method,
                                             const ProgressFn& progress,
                                             const ScalingStudy* baseline = nullptr);

// AnalyzeStudy (re)computes every derived field of `study` from its cells' runs: each
// cell's median, speedup and efficiency (when serial ran at its size), the Amdahl fit of
// each executor at each size (with at least one cell of 2 or more workers), and the
// crossover of each executor and worker count, over the sizes where both it and serial ran.
void AnalyzeStudy(const BootstrapOptions& bootstrap, ScalingStudy& study);

// StudyExecutorName: a cell's executor as the study names it, from its spec: the name, and
// the start method when it is not the default fork ("process:spawn").
std::string StudyExecutorName(const ExecutorSpec& spec);

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_SCALING_STUDY_H_
