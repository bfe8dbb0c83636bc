// ReadCsvMatrix: loads a numeric CSV file, one row per line, into a Matrix.
//
// Accepted: comma-separated finite numbers, the same count on every line; blank lines are
// skipped; an optional first line of column names (a line none of whose fields is a number);
// CRLF line ends. Everything else is an InvalidArgument error that names the file, the line
// and the field, so a user can fix the file: a ragged row, a field that is not a number,
// NaN or infinity, a file with no rows, a binary file (a NUL or another control character),
// a line over 1 MiB, more than kMaxDatasetValues numbers (see csv_parser.h). A file that
// cannot be opened is NotFound, a directory InvalidArgument, a failed read DataLoss.
//
// The file is read 64 KiB at a time and parsed as it comes, so memory holds the numbers
// and no more than one line of text, and a file that is not CSV (/dev/zero, /dev/urandom,
// a huge sparse file) is rejected within its first bytes. Pipes and FIFOs work the same.
//
// Example:
//   ASSIGN_OR_RETURN(Matrix samples, ReadCsvMatrix("/data/samples.csv"));
#ifndef PARSWEEP_RUNTIME_DATA_CSV_READER_H_
#define PARSWEEP_RUNTIME_DATA_CSV_READER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime/data/data_file.h"
#include "runtime/data/matrix.h"

namespace parsweep {

// With `largest_magnitude`, the readers also say there the largest |value| read, found as
// the values are parsed (no second pass over them).
absl::StatusOr<Matrix> ReadCsvMatrix(const std::string& path, double* largest_magnitude = nullptr);

// ReadCsvMatrix reads CSV text from `source` to its end.
absl::StatusOr<Matrix> ReadCsvMatrix(ByteSource& source, double* largest_magnitude = nullptr);

// ParseCsvMatrix parses CSV text; `source` names it in error messages.
absl::StatusOr<Matrix> ParseCsvMatrix(absl::string_view text, absl::string_view source);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_DATA_CSV_READER_H_
