// Test-only: building scaling studies by hand (tools/scaling/study.proto), for the tests of
// the study's analysis, reports and baseline comparison.
//
// Example:
//   ScalingStudy study;
//   AddCell(study, "serial", 1, 1000, {1.0, 1.02, 0.98});
#ifndef PARSWEEP_TOOLS_SCALING_STUDY_TESTING_H_
#define PARSWEEP_TOOLS_SCALING_STUDY_TESTING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tools/scaling/study.pb.h"

namespace parsweep {

// AddCell appends a cell of `executor` on `workers` at `size` with these timed runs, which
// agrees with serial.
inline void AddCell(ScalingStudy& study, const std::string& executor, uint32_t workers,
                    uint64_t size, const std::vector<double>& seconds) {
  ScalingCell& cell = *study.add_cells();
  cell.set_executor(executor);
  cell.set_workers(workers);
  cell.set_size(size);
  for (double s : seconds) cell.add_seconds(s);
  cell.set_agrees(true);
}

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_SCALING_STUDY_TESTING_H_
