// Test-only: runs runtime/stats/testdata/stats_reference.py, the numpy/scipy references of
// the bandwidth rules and of leave-one-out cross-validation, and reads what it prints.
//
// The references are computed at test time from data the script itself writes (as .npy
// files in the test's temporary directory), so a test compares parsweep with numpy and
// scipy on the same numbers and no stored value can drift from the code that made it.
// The test's BUILD rule lists "testdata/stats_reference.py" in `data`.
//
// Example:
//   const std::string data = TestFilePath("normal.npy");  // runtime/data/data_file_testing.h
//   ASSERT_TRUE(RunReference({"normal", data, "1000", "7"}).ok());
//   auto rules = ReferenceRules({data});  // (*rules)[data]["scott"]
#ifndef PARSWEEP_RUNTIME_STATS_PYTHON_REFERENCE_H_
#define PARSWEEP_RUNTIME_STATS_PYTHON_REFERENCE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace parsweep {

// RunReference runs the script with `args` and returns its standard output. Internal if
// python cannot run it or it exits with a failure (its stderr goes to the test's log).
absl::StatusOr<std::string> RunReference(const std::vector<std::string>& args);

// RunPythonScript is RunReference for another script, `script` (relative to the test's
// working directory, as a BUILD rule's `data` puts it): a kernel's own reference.
absl::StatusOr<std::string> RunPythonScript(const std::string& script,
                                            const std::vector<std::string>& args);

// ReferenceRules: the script's `rules` for the .npy files `data` (one run of python for
// all of them), by file and then by rule name.
absl::StatusOr<std::map<std::string, std::map<std::string, double>>> ReferenceRules(
    const std::vector<std::string>& data);

// LooReference: one width's line of the script's `loo`.
struct LooReference {
  double width = 0;
  double score = 0;           // -infinity when some held-out sample's density is 0.
  double standard_error = 0;  // NaN when the score is -infinity.
  uint64_t isolated = 0;
};

// ReferenceLoo: the script's `loo` for `data`, `kernel` and `widths`, over `rows` (every
// row when empty).
absl::StatusOr<std::vector<LooReference>> ReferenceLoo(const std::string& data,
                                                       const std::string& kernel,
                                                       absl::Span<const double> widths,
                                                       absl::Span<const uint64_t> rows = {});

// ExactList: the values comma-separated with 17 significant digits, which read back as the
// same doubles.
std::string ExactList(absl::Span<const double> values);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_STATS_PYTHON_REFERENCE_H_
