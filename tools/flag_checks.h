// Checks of the sweep tool's command line that Abseil's flag parser does not make, so that
// every flag a user types either takes effect or is an error naming it:
//
// - CheckCommandLine refuses a flag that takes a value given an empty one (`--widths=`,
//   `--n ""`, `--plot= `). Abseil reads an empty value as "unset" for a std::optional flag
//   and as "" for a string, so the run would quietly use the default.
// - CheckCommandLine refuses a flag given twice (`--n=5 --n=6`): Abseil keeps the last.
// - SplitFlagList splits a flag's comma-separated list and refuses empty entries and
//   entries given twice (`--select=scott,,scott`), which the lists used to skip or repeat.
//
// CheckCommandLine is generic: it asks Abseil's registry which flags exist and which are
// boolean, so a flag added later is checked with no change here.
//
// Example:
//   ExpandBareCompare(argc, argv);
//   if (absl::Status s = CheckCommandLine(argc, argv); !s.ok()) { ... exit 1 ... }
//   absl::ParseCommandLine(argc, argv);
//   ASSIGN_OR_RETURN(std::vector<std::string> methods, SplitFlagList("--select", text));
#ifndef PARSWEEP_TOOLS_FLAG_CHECKS_H_
#define PARSWEEP_TOOLS_FLAG_CHECKS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace parsweep {

// CheckCommandLine returns InvalidArgument naming the flag for an empty value or a flag
// given twice, as described above; OK otherwise. It reads argv[1..argc) up to a "--" and
// leaves unknown flags, missing values and malformed values to Abseil's parser. Flags from
// a --flagfile are not seen.
absl::Status CheckCommandLine(int argc, char** argv);

// SplitFlagList splits `text` at commas into its entries, each stripped of surrounding
// white space. InvalidArgument naming `flag` for an empty list, an empty entry, or an
// entry that appears twice.
absl::StatusOr<std::vector<std::string>> SplitFlagList(absl::string_view flag,
                                                       absl::string_view text);

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_FLAG_CHECKS_H_
