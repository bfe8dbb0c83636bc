#include "runtime/data/npy_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runtime/base/status_macros.h"
#include "runtime/data/data_limits.h"
#include "runtime/data/value_scan.h"

namespace parsweep {
namespace {

// Values are copied as they lie in the file, '<' (little-endian) order.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the .npy reader assumes little-endian");

constexpr absl::string_view kMagic("\x93NUMPY", 6);
// The data is read and converted 64 KiB at a time (a multiple of both item sizes).
constexpr size_t kChunkBytes = 64 * 1024;

uint32_t LittleEndian(absl::string_view bytes) {
  uint32_t value = 0;
  for (size_t i = bytes.size(); i-- > 0;) value = value << 8 | static_cast<uint8_t>(bytes[i]);
  return value;
}

// The value of `key` in the header dict: the text after "'key':" up to the next top-level
// comma or the closing brace.
absl::StatusOr<std::string> Field(absl::string_view header, absl::string_view key,
                                  absl::string_view source) {
  const std::string quoted = absl::StrCat("'", key, "'");
  const size_t at = header.find(quoted);
  if (at == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": the .npy header has no '", key, "' entry"));
  }
  absl::string_view rest = header.substr(at + quoted.size());
  rest = absl::StripLeadingAsciiWhitespace(rest);
  if (!absl::ConsumePrefix(&rest, ":")) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": malformed .npy header"));
  }
  int depth = 0;
  size_t end = 0;
  for (; end < rest.size(); ++end) {
    const char c = rest[end];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
  }
  return std::string(absl::StripAsciiWhitespace(rest.substr(0, end)));
}

// NpyLayout: what the header says of the data that follows it.
struct NpyLayout {
  size_t item_size = 0;  // 8 for '<f8', 4 for '<f4'.
  uint64_t rows = 0;
  uint64_t cols = 0;
  std::string shape;  // As the header writes it, for messages.
};

absl::StatusOr<NpyLayout> ParseHeader(absl::string_view header, absl::string_view source) {
  NpyLayout layout;
  ASSIGN_OR_RETURN(const std::string descr, Field(header, "descr", source));
  if (descr == "'<f8'") {
    layout.item_size = 8;
  } else if (descr == "'<f4'") {
    layout.item_size = 4;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": dtype ", descr, " is not supported; save float64 or float32, e.g. ",
                     "np.save(path, x.astype(np.float64))"));
  }
  ASSIGN_OR_RETURN(const std::string fortran, Field(header, "fortran_order", source));
  if (fortran != "False") {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": the array is in Fortran order; save np.ascontiguousarray(x) instead"));
  }
  ASSIGN_OR_RETURN(layout.shape, Field(header, "shape", source));
  absl::string_view shape = layout.shape;
  if (!absl::ConsumePrefix(&shape, "(") || !absl::ConsumeSuffix(&shape, ")")) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": malformed shape ", layout.shape, " in the .npy header"));
  }
  std::vector<uint64_t> dims;
  for (absl::string_view part : absl::StrSplit(shape, ',', absl::SkipWhitespace())) {
    uint64_t dim;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(part), &dim)) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": malformed shape ", layout.shape, " in the .npy header"));
    }
    dims.push_back(dim);
  }
  if (dims.empty() || dims.size() > 2) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": shape ", layout.shape,
                                                   " is not (n, d) or (n,): one sample per row"));
  }
  layout.rows = dims[0];
  layout.cols = dims.size() == 2 ? dims[1] : 1;
  if (layout.rows == 0 || layout.cols == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": the array ", layout.shape, " is empty"));
  }
  if (layout.rows > kMaxDatasetValues / layout.cols) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": shape ", layout.shape,
                                                   " has more than ", kMaxDatasetValues,
                                                   " values, the most a dataset may hold"));
  }
  return layout;
}

// SizeError says that the data is not the size the shape needs: `found` bytes of it, or,
// when `found` is unknown (a pipe), more than it needs.
absl::Status SizeError(absl::string_view source, const NpyLayout& layout, uint64_t needed,
                       std::optional<uint64_t> found) {
  return absl::InvalidArgumentError(absl::StrCat(
      source, ": shape ", layout.shape, " needs ", needed, " bytes of data but the file ",
      !found              ? absl::StrCat("is longer: it has more than ", needed)
      : (*found < needed) ? absl::StrCat("is truncated: it has ", *found)
                          : absl::StrCat("is longer: it has ", *found)));
}

}  // namespace

absl::StatusOr<Matrix> ReadNpyMatrix(ByteSource& in, double* largest_magnitude) {
  const std::string& source = in.name();
  // The magic string, the version and the header's length, which takes 2 bytes in
  // version 1 and 4 after.
  char prefix[12];
  ASSIGN_OR_RETURN(const size_t got, in.Read(prefix, 10));
  if (got < 10 || absl::string_view(prefix, 6) != kMagic) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": not a .npy file (it does not start with \\x93NUMPY)"));
  }
  const int major = static_cast<uint8_t>(prefix[6]);
  if (major < 1 || major > 3) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": .npy format version ", major, " is not supported (1 to 3 are)"));
  }
  const size_t length_bytes = major == 1 ? 2 : 4;
  if (length_bytes == 4) {
    ASSIGN_OR_RETURN(const size_t more, in.Read(prefix + 10, 2));
    if (more < 2)
      return absl::InvalidArgumentError(absl::StrCat(source, ": truncated .npy header"));
  }
  const uint64_t header_length = LittleEndian(absl::string_view(prefix + 8, length_bytes));
  if (header_length > kMaxNpyHeaderBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": the .npy header says it is ", header_length, " bytes long; numpy writes ",
        "about 128 and np.load refuses headers over ", kMaxNpyHeaderBytes));
  }
  std::string header(header_length, '\0');
  ASSIGN_OR_RETURN(const size_t header_got, in.Read(header.data(), header.size()));
  if (header_got < header.size()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": truncated .npy header"));
  }
  ASSIGN_OR_RETURN(const NpyLayout layout, ParseHeader(header, source));
  const uint64_t count = layout.rows * layout.cols;
  const uint64_t data_bytes = count * layout.item_size;

  // A regular file's size is known: check it before allocating anything.
  const std::optional<uint64_t> size = in.size();
  if (size.has_value()) {
    const uint64_t data_offset = 8 + length_bytes + header_length;
    const uint64_t found = *size > data_offset ? *size - data_offset : 0;
    if (found != data_bytes) return SizeError(source, layout, data_bytes, found);
  }

  // A file whose size is known holds all the values; a stream's grow as they arrive.
  std::vector<double> values;
  values.reserve(size.has_value() ? count : std::min<uint64_t>(count, kChunkBytes / 8));
  const std::unique_ptr<char[]> chunk(new char[kChunkBytes]);
  uint64_t first_not_finite = count;  // Reported after the size, as for a regular file.
  double largest = 0;
  uint64_t read = 0;
  while (read < data_bytes) {
    const size_t wanted = static_cast<size_t>(std::min<uint64_t>(kChunkBytes, data_bytes - read));
    const size_t old_size = values.size();
    size_t n;
    if (layout.item_size == 8) {
      // float64 is read straight into the values (whole ones: `wanted` is a multiple of 8;
      // a file that ends inside a value is truncated, reported below).
      values.resize(old_size + wanted / 8);
      ASSIGN_OR_RETURN(n, in.Read(reinterpret_cast<char*>(values.data() + old_size), wanted));
      values.resize(old_size + n / 8);
    } else {
      ASSIGN_OR_RETURN(n, in.Read(chunk.get(), wanted));
      const size_t items = n / 4;
      values.resize(old_size + items);
      for (size_t i = 0; i < items; ++i) {
        float f;
        std::memcpy(&f, chunk.get() + 4 * i, 4);
        values[old_size + i] = f;
      }
    }
    read += n;
    // One pass checks the values and finds their magnitude; the first bad value is looked
    // for only where there is one.
    const ValueScan scan =
        ScanValues(absl::MakeConstSpan(values.data() + old_size, values.size() - old_size));
    largest = std::max(largest, scan.largest_magnitude);
    for (size_t i = old_size; !scan.all_finite && first_not_finite == count; ++i) {
      if (!std::isfinite(values[i])) first_not_finite = i;
    }
    if (n < wanted) break;
  }
  if (read < data_bytes) return SizeError(source, layout, data_bytes, read);
  if (!size.has_value()) {
    char extra;
    ASSIGN_OR_RETURN(const size_t more, in.Read(&extra, 1));
    if (more > 0) return SizeError(source, layout, data_bytes, std::nullopt);
  }
  if (first_not_finite < count) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": row ", first_not_finite / layout.cols + 1, ", column ",
                     first_not_finite % layout.cols + 1, " is not finite"));
  }
  if (largest_magnitude != nullptr) *largest_magnitude = largest;
  return Matrix(layout.rows, layout.cols, std::move(values));
}

absl::StatusOr<Matrix> ParseNpyMatrix(absl::string_view bytes, absl::string_view source) {
  MemorySource in(bytes, std::string(source));
  return ReadNpyMatrix(in);
}

absl::StatusOr<Matrix> ReadNpyMatrix(const std::string& path, double* largest_magnitude) {
  ASSIGN_OR_RETURN(const std::unique_ptr<DataFile> file, DataFile::Open(path));
  return ReadNpyMatrix(*file, largest_magnitude);
}

}  // namespace parsweep
