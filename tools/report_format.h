// Renderings of a sweep's Report: a table for people, CSV and JSON for programs.
//
// The table shows, per width, the count (counting kernels), the density, what the
// estimator averages to for the Gaussian source, the true density, and the tutorial's
// normalisation k / (n h) (the hypercube), labelled as such; under it, the width closest to
// the true density when one is (see MeaningfulClosest); after the points, each width chosen
// by --select with what chose it (a rule's own width and Gaussian bandwidth; leave-one-out's
// score, its standard error, the held-out samples, and the widths scoring -infinity with
// their isolated samples). Its footer says what the columns
// are in the kernel's own words (TableNotes), so that a line true of one kernel is never
// shown for another. Values print in fixed point with 9 decimals where that keeps at least 7
// significant digits and fits the column (0, and 1e-3 <= |v| < 1e3: every value of the
// tutorial's sweep); others in scientific notation with 7 ("1.521000e+199"), so that a huge
// density is not 200 digits wide and a tiny one is not printed as 0.000000000. A density
// outside a double's normal range (below DBL_MIN, where it underflows to 0 or keeps fewer
// digits, or infinite) whose log_density is finite is printed from that log, in the same
// notation ("3.970000e-400"), and the footer says so.
//
// The table names the widths the kernel's way (TableNotes::width: knn's "neighbours" column,
// "k = 10"). CSV's column and JSON's field are `width` for every kernel, knn's k included:
// a program that reads one kernel's output reads every kernel's, and the kernel is in the
// output (JSON's spec.kernel) where a reader needs to know what the widths mean.
//
// CSV has one row per (point, width) with a header line, every number with 17 significant
// digits ("-inf" for a log density of -infinity); its last column, log_density, is there
// when any result has one, empty where a result has none. JSON is protobuf's printing of
// the Report itself, with the .proto field names; protobuf writes an infinite or NaN double
// as a string ("-Infinity", "NaN"), which every JSON parser reads (as a string).
//
// Example:
//   KeepMeaningfulSelections(report);
//   std::cout << FormatTable(report, {summary, kernel.ExpectedDensityNote(), kernel.Width()});
#ifndef PARSWEEP_TOOLS_REPORT_FORMAT_H_
#define PARSWEEP_TOOLS_REPORT_FORMAT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "proto/sweep.pb.h"
#include "runtime/plugin/width_parameter.h"

namespace parsweep {

// MeaningfulClosest returns the result, among one point's `rows` (each with a true
// density), whose density is nearest the true density, when that names a width: there are
// at least two widths, the true density is positive, and exactly one width is nearest.
// Otherwise null: with one width "closest" compares nothing, a true density of 0 (below the
// smallest double) leaves nothing to be near, and a tie names no width; the usual tie is
// every density 0 at a point far from the data, where "closest" used to name the first
// width.
const WidthResult* MeaningfulClosest(const std::vector<const WidthResult*>& rows);

// KeepMeaningfulSelections removes each "closest_to_true" selection whose point has no
// MeaningfulClosest, so that no rendering (JSON included) names a width that means nothing.
void KeepMeaningfulSelections(Report& report);

// FormattedBytesPerResult: about how many bytes `format` ("table", "csv", "json") holds per
// (point, width) result while the output is built, for the memory estimate
// (runtime/sweep/memory_estimate.h). Measured as the growth of peak RSS from 10^5 to 10^6
// widths (tools/sweep, fused hypercube), less kRuntimeBytesPerResult: about 330 bytes a row
// in all for the text formats, 3.3 kB for JSON (protobuf's JSON printer holds a tree of the
// whole report).
uint64_t FormattedBytesPerResult(absl::string_view format);

// TableNotes: what the table says that only the kernel knows, in the kernel's own words:
// its footer, and how it names and prints the widths (the tool takes them from the kernel's
// registration and the kernel; tools/ names no kernel).
struct TableNotes {
  // What the density is: the kernel's registered summary, e.g. "the tutorial's hypercube
  // window of side h: p = k / (n h^d)". Empty: the footer has no such line.
  std::string density;
  // What the expected column is (Kernel::ExpectedDensityNote()), completing "expected =
  // what the estimator averages to for this Gaussian: ...". Empty: the line stops there.
  std::string expected_density;
  // What the widths are (Kernel::Width()): the widths' column header, "closest to the true
  // density: h = 0.7" and the selections' lines use its name and symbol, and integral widths
  // print as integers. The default: a width h.
  WidthParameter width;
};

// FormatPlan says how `plan` cut the sweep of `report` (for its sizes) and why: "split by
// samples, 8 tasks of 1,250,000 samples (auto: 160 MB of samples read, ...)". The table's
// header shows the report's own plan; compare mode each executor's.
std::string FormatPlan(const TaskPlanSummary& plan, const Report& report);

std::string FormatTable(const Report& report, const TableNotes& notes);
std::string FormatCsv(const Report& report);
absl::StatusOr<std::string> FormatJson(const Report& report);

// MessageToJson prints any message the way FormatJson prints a report (indented, the .proto
// field names, every field even at its default); Internal naming `what` if protobuf refuses.
absl::StatusOr<std::string> MessageToJson(const google::protobuf::Message& message,
                                          absl::string_view what);

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_REPORT_FORMAT_H_
