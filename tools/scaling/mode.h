// RunScalingMode: the whole of `sweep --scaling` but the writing: checks the output paths
// and reads the --baseline before anything is timed, runs and analyses the study
// (tools/scaling/study.h), and returns the table (with the comparison with the baseline),
// the two charts of --plot (the speedup chart at PATH, time against size at PATH_time) and
// the --scaling_json file, for DeliverOutput to write.
//
// Example:
//   ASSIGN_OR_RETURN(ToolOutput output,
//                    RunScalingMode(spec, *scaling, repeat, "", plot, nullptr, std::cerr));
//   return DeliverOutput(output, STDOUT_FILENO, std::cerr);
#ifndef PARSWEEP_TOOLS_SCALING_MODE_H_
#define PARSWEEP_TOOLS_SCALING_MODE_H_

#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "proto/sweep.pb.h"
#include "runtime/sweep/sweep_runner.h"
#include "tools/scaling/options.h"
#include "tools/tool_output.h"

namespace parsweep {

// RunScalingMode: see above. `plot` (empty: no charts) and the options' paths are absolute
// or relative to the working directory; the sweeps' warnings go to `warnings`, each once.
// Errors: a chart or JSON path that cannot be written, a baseline that cannot be read or
// timed another workload (each naming its flag), and RunScalingStudy's.
absl::StatusOr<ToolOutput> RunScalingMode(const SweepSpec& spec, const ScalingOptions& options,
                                          int repeat, const std::string& start_method,
                                          const std::string& plot, const ProgressFn& progress,
                                          std::ostream& warnings);

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_SCALING_MODE_H_
