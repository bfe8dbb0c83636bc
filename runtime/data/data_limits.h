// The limits every source of samples shares, so that generated data, the CSV and .npy
// readers and the sweep agree on what is too large.
//
// Example:
//   if (rows > kMaxDatasetValues / cols) return absl::InvalidArgumentError("too large");
#ifndef PARSWEEP_RUNTIME_DATA_DATA_LIMITS_H_
#define PARSWEEP_RUNTIME_DATA_DATA_LIMITS_H_

#include <cstdint>

namespace parsweep {

// kMaxDatasetValues is the most values (n * d) a dataset or a matrix file may hold: 2^30
// doubles, 8 GiB.
inline constexpr uint64_t kMaxDatasetValues = uint64_t{1} << 30;

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_DATA_DATA_LIMITS_H_
