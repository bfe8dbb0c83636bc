// Fuzzes the command line's number lists: ParseNumberList gives one finite number per
// comma-separated field or an InvalidArgument error naming the flag, and its numbers
// printed back parse to the same bits; ParseWidths gives finite, positive widths (a list
// equal to ParseNumberList's, or a range from start exactly to stop) or an InvalidArgument
// error quoting the input.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "tests/fuzz/fuzz_check.h"
#include "tools/number_list.h"

namespace parsweep {
namespace {

// The most widths a range may ask for here. The parser allows 10^8 (ample for a sweep); an
// input asking for that many would spend the fuzzer's time filling 800 MB, not parsing.
constexpr uint64_t kMaxFuzzedCount = 100000;

bool AsksForManyWidths(absl::string_view text) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  uint64_t count = 0;
  return parts.size() == 3 && absl::SimpleAtoi(absl::StripAsciiWhitespace(parts[2]), &count) &&
         count > kMaxFuzzedCount;
}

void CheckNumberList(absl::string_view text) {
  const absl::StatusOr<std::vector<double>> values = ParseNumberList(text, "--mean");
  if (!values.ok()) {
    FUZZ_CHECK(values.status().code() == absl::StatusCode::kInvalidArgument) << values.status();
    FUZZ_CHECK(absl::StartsWith(values.status().message(), "--mean: ")) << values.status();
    return;
  }
  FUZZ_CHECK(values->size() == static_cast<size_t>(std::count(text.begin(), text.end(), ',')) + 1)
      << values->size() << " numbers";
  std::string printed;
  for (double v : *values) {
    FUZZ_CHECK(std::isfinite(v)) << v;
    absl::StrAppendFormat(&printed, "%s%.17g", printed.empty() ? "" : ",", v);
  }
  const absl::StatusOr<std::vector<double>> again = ParseNumberList(printed, "--mean");
  FUZZ_CHECK(again.ok()) << again.status();
  FUZZ_CHECK(again->size() == values->size()) << printed;
  for (size_t i = 0; i < values->size(); ++i) {
    FUZZ_CHECK(std::signbit((*again)[i]) == std::signbit((*values)[i]) &&
               (*again)[i] == (*values)[i])
        << printed;
  }
}

void CheckWidths(absl::string_view text) {
  if (AsksForManyWidths(text)) return;
  const absl::StatusOr<std::vector<double>> widths = ParseWidths(text);
  if (!widths.ok()) {
    FUZZ_CHECK(widths.status().code() == absl::StatusCode::kInvalidArgument) << widths.status();
    FUZZ_CHECK(absl::StartsWith(widths.status().message(), "--widths '")) << widths.status();
    return;
  }
  FUZZ_CHECK(!widths->empty());
  for (double h : *widths) FUZZ_CHECK(std::isfinite(h) && h > 0) << "width " << h;
  if (!absl::StrContains(text, ':')) {
    const absl::StatusOr<std::vector<double>> list = ParseNumberList(text, "--widths");
    FUZZ_CHECK(list.ok() && *list == *widths) << "a list of widths is not the list of numbers";
    return;
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  double start = 0;
  double stop = 0;
  FUZZ_CHECK(parts.size() == 3 && absl::SimpleAtod(absl::StripAsciiWhitespace(parts[0]), &start) &&
             absl::SimpleAtod(absl::StripAsciiWhitespace(parts[1]), &stop))
      << "a range that does not parse gave widths";
  FUZZ_CHECK(widths->front() == start) << widths->front() << " is not the start " << start;
  if (widths->size() > 1) {
    FUZZ_CHECK(widths->back() == stop) << widths->back() << " is not the stop " << stop;
  }
}

}  // namespace
}  // namespace parsweep

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  parsweep::CheckNumberList(text);
  parsweep::CheckWidths(text);
  return 0;
}
