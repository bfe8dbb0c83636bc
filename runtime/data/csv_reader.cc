#include "runtime/data/csv_reader.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/data/data_file.h"

namespace parsweep {

absl::StatusOr<Matrix> ParseCsvMatrix(absl::string_view text, absl::string_view source) {
  std::vector<double> values;
  size_t cols = 0;
  size_t rows = 0;
  size_t cols_line = 0;  // The line that fixed the column count, for ragged-row messages.
  size_t line_number = 0;
  bool first_line = true;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);  // Also drops a CRLF's '\r'.
    if (line.empty()) continue;
    std::vector<absl::string_view> fields = absl::StrSplit(line, ',');
    if (first_line) {
      first_line = false;
      bool any_number = false;
      for (absl::string_view field : fields) {
        double ignored;
        if (absl::SimpleAtod(absl::StripAsciiWhitespace(field), &ignored)) any_number = true;
      }
      if (!any_number) continue;  // A header of column names.
    }
    if (cols == 0) {
      cols = fields.size();
      cols_line = line_number;
    } else if (fields.size() != cols) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ":", line_number, ": ragged row: ", fields.size(),
                       " fields, but line ", cols_line, " has ", cols));
    }
    for (size_t j = 0; j < fields.size(); ++j) {
      const absl::string_view field = absl::StripAsciiWhitespace(fields[j]);
      double value;
      if (!absl::SimpleAtod(field, &value)) {
        return absl::InvalidArgumentError(absl::StrCat(source, ":", line_number, ": field ", j + 1,
                                                       " is not a number: '", field, "'"));
      }
      if (!std::isfinite(value)) {
        return absl::InvalidArgumentError(absl::StrCat(source, ":", line_number, ": field ", j + 1,
                                                       " is not finite: '", field, "'"));
      }
      values.push_back(value);
    }
    ++rows;
  }
  if (rows == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": no rows of numbers (the file is empty", " or holds only a header)"));
  }
  return Matrix(rows, cols, std::move(values));
}

absl::StatusOr<Matrix> ReadCsvMatrix(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadDataFile(path);
  if (!bytes.ok()) return bytes.status();
  return ParseCsvMatrix(*bytes, path);
}

}  // namespace parsweep
