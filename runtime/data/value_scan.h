// ScanValues: one pass over doubles that says whether every one is finite and the largest
// magnitude among them: what a data reader checks of each value it reads, and what the
// window-precision check (runtime/sweep/window_precision.h) needs to know of the samples.
// Done in the same pass, the magnitude costs nothing beside the check.
//
// It keeps four running results so that the compiler can hold them in vector registers
// (`|v| <= DBL_MAX` is false for NaN and infinity alike; `a > m ? a : m` skips NaN), rather
// than wait on one result per value.
//
// Example:
//   const ValueScan scan = ScanValues(absl::MakeConstSpan(values));
//   if (!scan.all_finite) return FindTheFirstBadValue(values);
#ifndef PARSWEEP_RUNTIME_DATA_VALUE_SCAN_H_
#define PARSWEEP_RUNTIME_DATA_VALUE_SCAN_H_

#include "absl/types/span.h"

namespace parsweep {

struct ValueScan {
  bool all_finite = true;
  double largest_magnitude = 0;  // Of the finite values; 0 for none.
};

ValueScan ScanValues(absl::Span<const double> values);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_DATA_VALUE_SCAN_H_
