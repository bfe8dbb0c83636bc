#include "runtime/data/csv_parser.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace parsweep {
namespace {

// A field quoted in a message: escaped, so that a binary file cannot write control
// characters to the terminal, and cut short, so that a long field cannot flood it.
std::string Quote(absl::string_view field) {
  constexpr size_t kShown = 40;
  if (field.size() <= kShown) return absl::StrCat("'", absl::CHexEscape(field), "'");
  return absl::StrCat("'", absl::CHexEscape(field.substr(0, kShown)), "'... (", field.size(),
                      " bytes)");
}

// The position of the first byte of `text` that no text file of numbers holds: a control
// character other than the whitespace StripAsciiWhitespace removes (\t \n \v \f \r).
size_t FirstBinaryByte(absl::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && !absl::ascii_isspace(c)) return i;
  }
  return absl::string_view::npos;
}

std::string DescribeBytes(uint64_t bytes) {
  constexpr uint64_t kMiB = uint64_t{1} << 20;
  if (bytes >= kMiB && bytes % kMiB == 0) return absl::StrCat(bytes / kMiB, " MiB");
  return absl::StrCat(bytes, " bytes");
}

}  // namespace

CsvParser::CsvParser(std::string source, CsvLimits limits)
    : source_(std::move(source)), limits_(limits) {}

absl::Status CsvParser::Fail(absl::Status status) {
  status_ = std::move(status);
  return status_;
}

absl::Status CsvParser::Error(absl::string_view what) const {
  return absl::InvalidArgumentError(absl::StrCat(source_, ":", line_number_, ": ", what));
}

absl::Status CsvParser::Feed(absl::string_view bytes) {
  if (!status_.ok()) return status_;
  while (!bytes.empty()) {
    const size_t end = std::min(bytes.find('\n'), bytes.size());
    const absl::string_view piece = bytes.substr(0, end);
    // The current line may grow by `room` bytes; the byte after those makes it too long.
    // Bytes are checked in file order up to that one, so a NUL before the limit is reported
    // as a NUL however the bytes were cut.
    const size_t room = limits_.max_line_bytes - line_.size();
    const size_t checked = piece.size() > room ? room + 1 : piece.size();
    if (const size_t at = FirstBinaryByte(piece.substr(0, checked));
        at != absl::string_view::npos) {
      const unsigned char c = static_cast<unsigned char>(piece[at]);
      return Fail(Error(absl::StrCat(
          "byte ", offset_ + at, " of the file is ",
          c == 0 ? std::string("a NUL") : absl::StrFormat("0x%02x, a control character", c),
          ": a binary file, not a CSV file of numbers")));
    }
    if (piece.size() > room) {
      return Fail(Error(absl::StrCat("line ", line_number_, " is over ",
                                     DescribeBytes(limits_.max_line_bytes),
                                     " long with no newline: not a CSV file of numbers")));
    }
    if (end == bytes.size()) {  // The line goes on in the next piece.
      line_.append(piece.data(), piece.size());
      offset_ += piece.size();
      break;
    }
    absl::Status status;
    if (line_.empty()) {
      status = TakeLine(piece);
    } else {
      line_.append(piece.data(), piece.size());
      status = TakeLine(line_);
      line_.clear();
    }
    if (!status.ok()) return Fail(std::move(status));
    offset_ += end + 1;
    ++line_number_;
    bytes.remove_prefix(end + 1);
  }
  return absl::OkStatus();
}

absl::Status CsvParser::TakeLine(absl::string_view line) {
  line = absl::StripAsciiWhitespace(line);  // Also drops a CRLF's '\r'.
  if (line.empty()) return absl::OkStatus();
  fields_ = absl::StrSplit(line, ',');
  if (first_line_) {
    first_line_ = false;
    bool any_number = false;
    for (absl::string_view field : fields_) {
      double ignored;
      if (absl::SimpleAtod(absl::StripAsciiWhitespace(field), &ignored)) any_number = true;
    }
    if (!any_number) return absl::OkStatus();  // A header of column names.
  }
  if (cols_ == 0) {
    cols_ = fields_.size();
    cols_line_ = line_number_;
  } else if (fields_.size() != cols_) {
    return Error(absl::StrCat("ragged row: ", fields_.size(), " fields, but line ", cols_line_,
                              " has ", cols_));
  }
  if (values_.size() + cols_ > limits_.max_values) {
    return Error(
        absl::StrCat("more than ", limits_.max_values, " values, the most a dataset may hold"));
  }
  for (size_t j = 0; j < fields_.size(); ++j) {
    const absl::string_view field = absl::StripAsciiWhitespace(fields_[j]);
    double value;
    if (!absl::SimpleAtod(field, &value)) {
      return Error(absl::StrCat("field ", j + 1, " is not a number: ", Quote(field)));
    }
    if (!std::isfinite(value)) {
      return Error(absl::StrCat("field ", j + 1, " is not finite: ", Quote(field)));
    }
    values_.push_back(value);
    largest_magnitude_ = std::max(largest_magnitude_, std::abs(value));
  }
  ++rows_;
  return absl::OkStatus();
}

absl::StatusOr<Matrix> CsvParser::Finish() {
  if (!status_.ok()) return status_;
  if (!line_.empty()) {
    absl::Status status = TakeLine(line_);
    if (!status.ok()) return Fail(std::move(status));
    line_.clear();
  }
  if (rows_ == 0) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat(source_, ": no rows of numbers (the file is empty or holds only a header)")));
  }
  status_ = absl::FailedPreconditionError("CsvParser::Finish was called twice");
  return Matrix(rows_, cols_, std::move(values_));
}

}  // namespace parsweep
