// CsvParser: the incremental parser behind ReadCsvMatrix and ParseCsvMatrix. It is fed a
// file's bytes in pieces of any size and keeps only the numbers and at most one line of
// text (the line whose end has not arrived yet), so a reader streams a file of any size
// through a fixed buffer. The result does not depend on how the bytes were cut: each
// problem is reported at the first byte where it can be seen, lines in file order.
//
// What it accepts is documented in csv_reader.h. Problems are InvalidArgument errors that
// name the source and the line:
// - a control character that is not whitespace (a NUL, say): a binary file, reported as
//   soon as the byte is fed;
// - a line longer than `max_line_bytes`, reported as soon as the line passes the limit,
//   without waiting for a newline that may never come (/dev/zero);
// - more than `max_values` numbers;
// - a ragged row, a field that is not a number, NaN or infinity, no rows at all.
// After an error the parser keeps returning it.
//
// Thread safety: none; one parser per file.
//
// Example:
//   CsvParser parser("samples.csv");
//   RETURN_IF_ERROR(parser.Feed(first_piece));
//   RETURN_IF_ERROR(parser.Feed(second_piece));
//   ASSIGN_OR_RETURN(Matrix samples, parser.Finish());
#ifndef PARSWEEP_RUNTIME_DATA_CSV_PARSER_H_
#define PARSWEEP_RUNTIME_DATA_CSV_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime/data/data_limits.h"
#include "runtime/data/matrix.h"

namespace parsweep {

// kMaxCsvLineBytes bounds a line: 1 MiB holds over 40,000 numbers written at full precision
// ("-1.2345678901234567e-300," is 25 bytes), far more columns than any density estimate
// runs on. A longer line is not a row of numbers (a binary file without NULs, one huge
// line of text), and the bound keeps the parser's text to one such line.
inline constexpr size_t kMaxCsvLineBytes = size_t{1} << 20;

// CsvLimits: how much a CsvParser takes. Tests and fuzzing set small limits.
struct CsvLimits {
  size_t max_line_bytes = kMaxCsvLineBytes;
  uint64_t max_values = kMaxDatasetValues;
};

class CsvParser {
 public:
  // `source` names the file in error messages.
  explicit CsvParser(std::string source, CsvLimits limits = CsvLimits());

  // CsvParser::Feed parses the next `bytes` of the file.
  absl::Status Feed(absl::string_view bytes);

  // CsvParser::Finish parses the last line (which needs no newline) and returns the matrix.
  // Call it once, after the last Feed.
  absl::StatusOr<Matrix> Finish();
  // CsvParser::largest_magnitude is the largest |value| parsed so far (0 for none).
  double largest_magnitude() const { return largest_magnitude_; }

 private:
  // TakeLine parses one whole line (without its '\n').
  absl::Status TakeLine(absl::string_view line);
  // Fail keeps `status` as the parser's error and returns it.
  absl::Status Fail(absl::Status status);
  // Error is an InvalidArgument error about the current line.
  absl::Status Error(absl::string_view what) const;

  const std::string source_;
  const CsvLimits limits_;
  absl::Status status_;
  std::string line_;        // The start of the line whose end has not been fed yet.
  uint64_t offset_ = 0;     // Bytes of the file before the unparsed input.
  size_t line_number_ = 1;  // The line being read, from 1.
  bool first_line_ = true;  // No non-blank line seen yet (it may be a header).
  size_t cols_ = 0;         // Fields per row, once the first row fixed it.
  size_t cols_line_ = 0;    // The line that fixed it, for ragged-row messages.
  size_t rows_ = 0;
  std::vector<double> values_;
  double largest_magnitude_ = 0;           // Of values_.
  std::vector<absl::string_view> fields_;  // TakeLine's, kept to reuse its memory.
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_DATA_CSV_PARSER_H_
