// Test helpers for checkpoint files (sweep_checkpoint.h): a fresh path in the test's
// temporary directory, whole-file reads and writes, and where a file's records lie, so that
// tests can cut a checkpoint the way a crash would.
//
// Example:
//   const std::string path = TempPath("sweep.checkpoint");
//   ... run a sweep with --checkpoint=path ...
//   const std::string bytes = ReadFile(path);
//   WriteFile(path, bytes.substr(0, RecordBounds(bytes)[5]));  // The first 5 records only.
#ifndef PARSWEEP_RUNTIME_SWEEP_CHECKPOINT_TESTING_H_
#define PARSWEEP_RUNTIME_SWEEP_CHECKPOINT_TESTING_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace parsweep {

// TempPath is `name` in $TEST_TMPDIR (else /tmp), with no file there.
std::string TempPath(absl::string_view name);

// ReadFile is the whole file at `path` ("" if it cannot be read).
std::string ReadFile(const std::string& path);
// WriteFile replaces the file at `path` with `bytes`.
void WriteFile(const std::string& path, const std::string& bytes);

// RecordBounds: where each record of the checkpoint `bytes` begins, then where the last one
// ends: entry i is the length of the file cut after i records. Empty if `bytes` is not a
// checkpoint.
std::vector<size_t> RecordBounds(absl::string_view bytes);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SWEEP_CHECKPOINT_TESTING_H_
