// Fingerprint64: the 64-bit FNV-1a hash of a byte string, to check that bytes loaded in two
// places (a worker that regenerated or reread its data, and the caller) are the same bits.
// Not cryptographic: it guards against accidents (another libm, another copy of a file),
// not against an adversary.
//
// Example:
//   if (Fingerprint64(mine) != theirs) return absl::DataLossError("the samples differ");
#ifndef PARSWEEP_RUNTIME_BASE_FINGERPRINT_H_
#define PARSWEEP_RUNTIME_BASE_FINGERPRINT_H_

#include <cstdint>

#include "absl/types/span.h"

namespace parsweep {

inline uint64_t Fingerprint64(absl::Span<const char> bytes) {
  uint64_t hash = 14695981039346656037ull;
  for (const char byte : bytes) {
    hash ^= static_cast<unsigned char>(byte);
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_BASE_FINGERPRINT_H_
