// Parsers for the numeric lists users type on the command line.
//
// Example:
//   ASSIGN_OR_RETURN(std::vector<double> mean, ParseNumberList("0,0", "--mean"));
//   ASSIGN_OR_RETURN(std::vector<double> widths, ParseWidths("1.0:1.2:100"));
#ifndef PARSWEEP_TOOLS_NUMBER_LIST_H_
#define PARSWEEP_TOOLS_NUMBER_LIST_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace parsweep {

// ParseNumberList parses comma-separated finite numbers ("1, 2.5,-3e2"). InvalidArgument,
// naming `what` and the offending field, for an empty list, an empty field, a field that is
// not a number, NaN or infinity.
absl::StatusOr<std::vector<double>> ParseNumberList(absl::string_view text, absl::string_view what);

// ParseWidths parses window widths: a list "0.1,0.5,1", or "start:stop:count" for `count`
// evenly spaced widths from start to stop inclusive (numpy's linspace). Every width must be
// finite and positive. Errors are InvalidArgument and quote the input.
absl::StatusOr<std::vector<double>> ParseWidths(absl::string_view text);

// Linspace is `count` evenly spaced values from start to stop inclusive; the last is
// exactly `stop`. Requires count >= 1.
std::vector<double> Linspace(double start, double stop, size_t count);

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_NUMBER_LIST_H_
