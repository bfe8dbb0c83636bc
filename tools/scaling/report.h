// FormatScalingStudy: a scaling study (tools/scaling/study.h) as the tool prints it: the
// workload and system, one row per cell (median time, speedup and efficiency with their
// bootstrap intervals, start-up, agreement with serial), the Amdahl fits, the crossovers,
// and a closing line saying whether every cell gave serial's results.
//
// Example:
//   AnalyzeStudy(BootstrapOptions(), study);
//   std::cout << FormatScalingStudy(study);
#ifndef PARSWEEP_TOOLS_SCALING_REPORT_H_
#define PARSWEEP_TOOLS_SCALING_REPORT_H_

#include <string>

#include "tools/scaling/study.pb.h"

namespace parsweep {

// FormatScalingStudy formats an analysed study (AnalyzeStudy) as text.
std::string FormatScalingStudy(const ScalingStudy& study);

// FormatInterval: "1.93x [1.80, 2.01]" for a ratio; `percent` writes "96% [90%, 100%]".
std::string FormatInterval(const IntervalEstimate& estimate, bool percent = false);

// FormatSize: a sample count with thousands separators, "10,000".
std::string FormatSize(uint64_t size);

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_SCALING_REPORT_H_
