// ReadCsvMatrix: loads a numeric CSV file, one row per line, into a Matrix.
//
// Accepted: comma-separated finite numbers, the same count on every line; blank lines are
// skipped; an optional first line of column names (a line none of whose fields is a number);
// CRLF line ends. Everything else is an InvalidArgument error that names the file, the line
// and the field, so a user can fix the file: a ragged row, a field that is not a number,
// NaN or infinity, a file with no rows. A file that cannot be opened is NotFound.
//
// Example:
//   ASSIGN_OR_RETURN(Matrix samples, ReadCsvMatrix("/data/samples.csv"));
#ifndef PARSWEEP_RUNTIME_DATA_CSV_READER_H_
#define PARSWEEP_RUNTIME_DATA_CSV_READER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime/data/matrix.h"

namespace parsweep {

absl::StatusOr<Matrix> ReadCsvMatrix(const std::string& path);

// ParseCsvMatrix parses CSV text; `source` names it in error messages.
absl::StatusOr<Matrix> ParseCsvMatrix(absl::string_view text, absl::string_view source);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_DATA_CSV_READER_H_
