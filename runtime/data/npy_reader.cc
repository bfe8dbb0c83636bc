#include "runtime/data/npy_reader.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runtime/data/data_file.h"

namespace parsweep {
namespace {

// Values are copied as they lie in the file, '<' (little-endian) order.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the .npy reader assumes little-endian");

constexpr absl::string_view kMagic("\x93NUMPY", 6);
// 2^30 values (8 GiB), as for every dataset (runtime/data/dataset.h).
constexpr uint64_t kMaxValues = uint64_t{1} << 30;

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

}  // namespace

absl::StatusOr<Matrix> ParseNpyMatrix(absl::string_view bytes, absl::string_view source) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != kMagic) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": not a .npy file (it does not start with \\x93NUMPY)"));
  }
  const int major = static_cast<uint8_t>(bytes[6]);
  if (major < 1 || major > 3) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": .npy format version ", major, " is not supported (1 to 3 are)"));
  }
  const size_t length_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + length_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": truncated .npy header"));
  }
  const uint64_t header_length = LittleEndian(bytes.substr(8, length_bytes));
  const uint64_t data_offset = 8 + length_bytes + header_length;
  if (bytes.size() < data_offset) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": truncated .npy header"));
  }
  const absl::string_view header = bytes.substr(8 + length_bytes, header_length);

  absl::StatusOr<std::string> descr = Field(header, "descr", source);
  if (!descr.ok()) return descr.status();
  size_t item_size;
  if (*descr == "'<f8'") {
    item_size = 8;
  } else if (*descr == "'<f4'") {
    item_size = 4;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": dtype ", *descr, " is not supported; save float64 or float32, e.g. ",
        "np.save(path, x.astype(np.float64))"));
  }
  absl::StatusOr<std::string> fortran = Field(header, "fortran_order", source);
  if (!fortran.ok()) return fortran.status();
  if (*fortran != "False") {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": the array is in Fortran order; save np.ascontiguousarray(x) instead"));
  }
  absl::StatusOr<std::string> shape_text = Field(header, "shape", source);
  if (!shape_text.ok()) return shape_text.status();
  absl::string_view shape = *shape_text;
  if (!absl::ConsumePrefix(&shape, "(") || !absl::ConsumeSuffix(&shape, ")")) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": malformed shape ", *shape_text, " in the .npy header"));
  }
  std::vector<uint64_t> dims;
  for (absl::string_view part : absl::StrSplit(shape, ',', absl::SkipWhitespace())) {
    uint64_t dim;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(part), &dim)) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": malformed shape ", *shape_text, " in the .npy header"));
    }
    dims.push_back(dim);
  }
  if (dims.empty() || dims.size() > 2) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": shape ", *shape_text,
                                                   " is not (n, d) or (n,): one sample per row"));
  }
  const uint64_t rows = dims[0];
  const uint64_t cols = dims.size() == 2 ? dims[1] : 1;
  if (rows == 0 || cols == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": the array ", *shape_text, " is empty"));
  }
  if (rows > kMaxValues / cols) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": shape ", *shape_text, " has more than ", kMaxValues, " values"));
  }
  const uint64_t data_bytes = rows * cols * item_size;
  const uint64_t found = bytes.size() - data_offset;
  if (found != data_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": shape ", *shape_text, " needs ", data_bytes, " bytes of data but the file ",
        found < data_bytes ? "is truncated: it has " : "is longer: it has ", found));
  }

  std::vector<double> values(rows * cols);
  const char* data = bytes.data() + data_offset;
  for (uint64_t i = 0; i < rows * cols; ++i) {
    if (item_size == 8) {
      std::memcpy(&values[i], data + 8 * i, 8);
    } else {
      float f;
      std::memcpy(&f, data + 4 * i, 4);
      values[i] = f;
    }
    if (!std::isfinite(values[i])) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": row ", i / cols + 1, ", column ",
                                                     i % cols + 1, " is not finite"));
    }
  }
  return Matrix(rows, cols, std::move(values));
}

absl::StatusOr<Matrix> ReadNpyMatrix(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadDataFile(path);
  if (!bytes.ok()) return bytes.status();
  return ParseNpyMatrix(*bytes, path);
}

}  // namespace parsweep
