#include "runtime/sweep/window_precision.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_format.h"

namespace parsweep {

double LargestMagnitude(ConstMatrixView values) {
  const double* v = values.data();
  const size_t size = values.rows() * values.cols();
  // Four running maxima, so that the compiler can keep them in vector registers (one maxpd
  // per pair of values) instead of waiting on one maximum per value; `a > m ? a : m` is
  // false for NaN, which is skipped.
  double m[4] = {0, 0, 0, 0};
  size_t i = 0;
  for (; i + 4 <= size; i += 4) {
    for (int k = 0; k < 4; ++k) {
      const double a = std::abs(v[i + k]);
      m[k] = a > m[k] ? a : m[k];
    }
  }
  for (; i < size; ++i) {
    const double a = std::abs(v[i]);
    m[0] = a > m[0] ? a : m[0];
  }
  return std::max(std::max(m[0], m[1]), std::max(m[2], m[3]));
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
