#include "runtime/data/csv_reader.h"

#include <memory>
#include <utility>

#include "runtime/base/status_macros.h"
#include "runtime/data/csv_parser.h"

namespace parsweep {
namespace {

// Reads are 64 KiB: large enough that system calls cost nothing next to parsing, small
// enough that a file which is not CSV is rejected after one read.
constexpr size_t kReadBytes = 64 * 1024;

}  // namespace

absl::StatusOr<Matrix> ReadCsvMatrix(ByteSource& source, double* largest_magnitude) {
  CsvParser parser(source.name());
  const std::unique_ptr<char[]> buffer(new char[kReadBytes]);
  for (;;) {
    ASSIGN_OR_RETURN(const size_t n, source.Read(buffer.get(), kReadBytes));
    RETURN_IF_ERROR(parser.Feed(absl::string_view(buffer.get(), n)));
    if (n < kReadBytes) break;  // Read fills the buffer unless the data ended.
  }
  absl::StatusOr<Matrix> matrix = parser.Finish();
  if (largest_magnitude != nullptr) *largest_magnitude = parser.largest_magnitude();
  return matrix;
}

absl::StatusOr<Matrix> ReadCsvMatrix(const std::string& path, double* largest_magnitude) {
  ASSIGN_OR_RETURN(const std::unique_ptr<DataFile> file, DataFile::Open(path));
  return ReadCsvMatrix(*file, largest_magnitude);
}

absl::StatusOr<Matrix> ParseCsvMatrix(absl::string_view text, absl::string_view source) {
  CsvParser parser{std::string(source)};
  RETURN_IF_ERROR(parser.Feed(text));
  return parser.Finish();
}

}  // namespace parsweep
