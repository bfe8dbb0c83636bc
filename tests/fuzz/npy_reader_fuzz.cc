// Fuzzes the .npy reader: whatever the bytes, it returns a matrix of rows * cols finite
// values or an InvalidArgument error naming the file; read as a stream whose size is
// unknown (a pipe) it gives the same result (the message may only differ in how much
// longer than its shape a stream was); a matrix written back as .npy reads to the same bits.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runtime/data/data_file.h"
#include "runtime/data/data_limits.h"
#include "runtime/data/npy_reader.h"
#include "runtime/data/npy_testing.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/matrix_checks.h"

namespace parsweep {
namespace {

constexpr char kSource[] = "fuzz.npy";

}  // namespace
}  // namespace parsweep

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace parsweep;
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<Matrix> file = ParseNpyMatrix(bytes, kSource);
  MemorySource pipe(bytes, kSource, /*size_known=*/false);
  const absl::StatusOr<Matrix> stream = ReadNpyMatrix(pipe);

  FUZZ_CHECK(file.ok() == stream.ok()) << file.status() << " / " << stream.status();
  if (!file.ok()) {
    FUZZ_CHECK(file.status().code() == absl::StatusCode::kInvalidArgument) << file.status();
    FUZZ_CHECK(absl::StartsWith(file.status().message(), kSource)) << file.status();
    FUZZ_CHECK(stream.status().code() == absl::StatusCode::kInvalidArgument) << stream.status();
    const bool longer = absl::StrContains(file.status().message(), "the file is longer");
    FUZZ_CHECK(longer == absl::StrContains(stream.status().message(), "the file is longer"))
        << file.status() << " / " << stream.status();
    if (!longer) FUZZ_CHECK(file.status() == stream.status()) << stream.status();
    return 0;
  }
  FUZZ_CHECK(SameBits(*file, *stream)) << "a stream read differently from a file";
  const Matrix& m = *file;
  CheckReadMatrix(m, kMaxDatasetValues);
  const size_t count = m.rows() * m.cols();
  // The values came from the file: 4 or 8 bytes each.
  FUZZ_CHECK(count * 4 <= size) << count << " values from " << size << " bytes";
  const std::vector<double> values(m.data(), m.data() + count);
  const std::string shape = absl::StrCat("(", m.rows(), ", ", m.cols(), ")");
  const absl::StatusOr<Matrix> again =
      ParseNpyMatrix(NpyBytes(NpyDict("<f8", shape), RawBytes(values)), kSource);
  FUZZ_CHECK(again.ok()) << again.status();
  FUZZ_CHECK(SameBits(*again, m)) << "written and read again, the values differ";
  return 0;
}
