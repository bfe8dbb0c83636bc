#include "tools/number_list.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/sweep/memory_estimate.h"

namespace parsweep {
namespace {

// The most widths a linspace may ask for: ample for any sweep, small enough that a typo
// ("1:2:1e12") is an error rather than an allocation failure.
constexpr uint64_t kMaxLinspaceCount = 100'000'000;

absl::StatusOr<double> ParseNumber(absl::string_view field, absl::string_view what) {
  field = absl::StripAsciiWhitespace(field);
  double value;
  if (field.empty()) return absl::InvalidArgumentError(absl::StrCat(what, ": empty entry"));
  if (!absl::SimpleAtod(field, &value)) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": '", field, "' is not a number"));
  }
  if (std::isinf(value) && !absl::StrContains(absl::AsciiStrToLower(field), "inf")) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": '", field, "' overflows a double (its magnitude is beyond 1.8e308)"));
  }
  if (!std::isfinite(value)) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": '", field, "' is not finite"));
  }
  return value;
}

absl::Status CheckWidths(const std::vector<double>& widths, absl::string_view text) {
  for (double h : widths) {
    if (!(h > 0.0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--widths '", text, "': width ", h, " is not positive; widths must be > 0"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<double>> ParseNumberList(absl::string_view text,
                                                    absl::string_view what) {
  if (absl::StripAsciiWhitespace(text).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": empty list"));
  }
  std::vector<double> values;
  for (absl::string_view field : absl::StrSplit(text, ',')) {
    absl::StatusOr<double> value = ParseNumber(field, what);
    if (!value.ok()) return value.status();
    values.push_back(*value);
  }
  return values;
}

std::vector<double> Linspace(double start, double stop, size_t count) {
  std::vector<double> values(count);
  if (count == 1) {
    values[0] = start;
    return values;
  }
  const double step = (stop - start) / static_cast<double>(count - 1);
  for (size_t i = 0; i + 1 < count; ++i) values[i] = start + static_cast<double>(i) * step;
  values[count - 1] = stop;
  return values;
}

absl::StatusOr<std::vector<double>> ParseWidths(absl::string_view text) {
  const std::string what = absl::StrCat("--widths '", text, "'");
  std::vector<double> widths;
  if (absl::StrContains(text, ':')) {
    std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
    if (parts.size() != 3) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": a range is start:stop:count, e.g. 1.0:1.2:100"));
    }
    absl::StatusOr<double> start = ParseNumber(parts[0], what);
    if (!start.ok()) return start.status();
    absl::StatusOr<double> stop = ParseNumber(parts[1], what);
    if (!stop.ok()) return stop.status();
    uint64_t count;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(parts[2]), &count) || count == 0 ||
        count > kMaxLinspaceCount) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, ": count '", parts[2], "' must be a whole number from 1 to ", kMaxLinspaceCount));
    }
    // Before the widths are made: a range whose results alone could not fit is refused at
    // once, with the figure, rather than after building it (seconds, for 10^8).
    SweepSize size;
    size.widths = count;
    if (absl::Status fits = CheckSweepMemory(size); !fits.ok()) {
      return absl::Status(fits.code(), absl::StrCat(what, ": ", fits.message()));
    }
    widths = Linspace(*start, *stop, count);
  } else {
    absl::StatusOr<std::vector<double>> list = ParseNumberList(text, what);
    if (!list.ok()) return list.status();
    widths = *std::move(list);
  }
  absl::Status status = CheckWidths(widths, text);
  if (!status.ok()) return status;
  return widths;
}

}  // namespace parsweep
