// Fuzzes the CSV parser: whatever the bytes, it returns a matrix of rows * cols finite
// values or an InvalidArgument error naming the file, and the same one however the bytes
// are cut into pieces (as 64 KiB reads or a pipe would cut them) and whether they come
// through ReadCsvMatrix or ParseCsvMatrix; small limits on lines and values are checked the
// same way. A parsed matrix printed back as CSV parses to the same bits.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "runtime/data/csv_parser.h"
#include "runtime/data/csv_reader.h"
#include "runtime/data/data_file.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/matrix_checks.h"

namespace parsweep {
namespace {

constexpr char kSource[] = "fuzz.csv";

// Same: both failed with the same status, or both gave the same bits.
bool Same(const absl::StatusOr<Matrix>& a, const absl::StatusOr<Matrix>& b) {
  if (a.ok() != b.ok()) return false;
  return a.ok() ? SameBits(*a, *b) : a.status() == b.status();
}

absl::StatusOr<Matrix> ParseWhole(absl::string_view text, CsvLimits limits) {
  CsvParser parser(kSource, limits);
  const absl::Status status = parser.Feed(text);
  if (!status.ok()) return status;
  return parser.Finish();
}

absl::StatusOr<Matrix> ParseInPieces(absl::string_view text, CsvLimits limits, uint32_t seed,
                                     size_t mean) {
  CsvParser parser(kSource, limits);
  for (absl::string_view piece : CutInPieces(text, seed, mean)) {
    const absl::Status status = parser.Feed(piece);
    if (!status.ok()) return status;
  }
  return parser.Finish();
}

void CheckMatrix(const absl::StatusOr<Matrix>& m, uint64_t max_values) {
  if (!m.ok()) {
    FUZZ_CHECK(m.status().code() == absl::StatusCode::kInvalidArgument) << m.status();
    FUZZ_CHECK(absl::StartsWith(m.status().message(), kSource)) << m.status();
    return;
  }
  CheckReadMatrix(*m, max_values);
}

}  // namespace
}  // namespace parsweep

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace parsweep;
  FuzzInput input(data, size);
  const uint8_t seed = input.TakeByte();
  const uint8_t line_limit = input.TakeByte();
  const uint8_t value_limit = input.TakeByte();
  const absl::string_view text = input.rest();

  const absl::StatusOr<Matrix> whole = ParseCsvMatrix(text, kSource);
  CheckMatrix(whole, kMaxDatasetValues);
  FUZZ_CHECK(Same(ParseInPieces(text, CsvLimits(), seed, 1 + seed % 16), whole))
      << "cut into pieces, the text parses differently";
  MemorySource source(text, kSource, /*size_known=*/seed % 2 == 0);
  FUZZ_CHECK(Same(ReadCsvMatrix(source), whole)) << "ReadCsvMatrix differs from ParseCsvMatrix";

  // Limits small enough for a fuzz input to reach.
  const CsvLimits small{1u + line_limit % 64, 1u + value_limit % 32};
  const absl::StatusOr<Matrix> limited = ParseWhole(text, small);
  CheckMatrix(limited, small.max_values);
  FUZZ_CHECK(Same(ParseInPieces(text, small, seed, 1 + seed % 8), limited))
      << "with limits, the text cut into pieces parses differently";
  if (limited.ok()) FUZZ_CHECK(Same(limited, whole)) << "a limit changed a result it allowed";

  if (whole.ok()) {  // Round trip: %.17g prints every double exactly.
    std::string printed;
    for (size_t i = 0; i < whole->rows(); ++i) {
      for (size_t j = 0; j < whole->cols(); ++j) {
        absl::StrAppendFormat(&printed, "%s%.17g", j == 0 ? "" : ",", (*whole)(i, j));
      }
      printed += '\n';
    }
    const absl::StatusOr<Matrix> again = ParseCsvMatrix(printed, kSource);
    FUZZ_CHECK(again.ok()) << again.status() << "\n" << printed;
    FUZZ_CHECK(SameBits(*again, *whole)) << "printed and parsed again, the values differ";
  }
  return 0;
}
