// Renderings of a sweep's Report: a table for people, CSV and JSON for programs.
//
// The table shows, per width, the count, the density k / (n h^d), what the estimator
// averages to for the Gaussian source, the true density, and the tutorial's normalisation
// k / (n h), labelled as such; under it, the width closest to the true density. CSV has one
// row per (point, width) with a header line. JSON is protobuf's printing of the Report
// itself, with the .proto field names.
//
// Example:
//   std::cout << FormatTable(report);
#ifndef PARSWEEP_TOOLS_REPORT_FORMAT_H_
#define PARSWEEP_TOOLS_REPORT_FORMAT_H_

#include <string>

#include "absl/status/statusor.h"
#include "proto/sweep.pb.h"

namespace parsweep {

std::string FormatTable(const Report& report);
std::string FormatCsv(const Report& report);
absl::StatusOr<std::string> FormatJson(const Report& report);

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_REPORT_FORMAT_H_
