#include "runtime/sweep/window_precision.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_format.h"
#include "runtime/data/value_scan.h"

namespace parsweep {

double LargestMagnitude(ConstMatrixView values) {
  return ScanValues(absl::MakeConstSpan(values.data(), values.rows() * values.cols()))
      .largest_magnitude;
}

namespace {

// The distance from `m` (>= 0, finite) to the next double up: 2 for 1e16.
double UnitInLastPlace(double m) {
  if (m < std::numeric_limits<double>::min()) return std::numeric_limits<double>::denorm_min();
  return std::ldexp(1.0, std::ilogb(m) - (std::numeric_limits<double>::digits - 1));
}

}  // namespace

std::optional<std::string> WindowPrecisionWarning(ConstMatrixView samples, ConstMatrixView points,
                                                  absl::Span<const double> widths) {
  return WindowPrecisionWarning(std::max(LargestMagnitude(samples), LargestMagnitude(points)),
                                widths);
}

std::optional<std::string> WindowPrecisionWarning(double magnitude,
                                                  absl::Span<const double> widths) {
  if (widths.empty()) return std::nullopt;
  const double spacing = UnitInLastPlace(magnitude);
  const double smallest = *std::min_element(widths.begin(), widths.end());
  const double bits = std::log2(smallest / spacing);
  if (!(bits < kMinWindowTestBits)) return std::nullopt;
  return absl::StrFormat(
      "the data's coordinates reach %g in magnitude, where doubles are %g apart: the window "
      "test |x_j - s_j| <= h/2 keeps %.1f significant bits for h = %g (fewer than %d), so the "
      "densities of widths below %g are unreliable; subtract a center from the data (and the "
      "points), or use wider windows",
      magnitude, spacing, bits, smallest, kMinWindowTestBits,
      std::ldexp(spacing, kMinWindowTestBits));
}

}  // namespace parsweep
