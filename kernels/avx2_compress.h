// Compress4x64: AVX2's missing compress store (AVX-512 has one): the 64-bit lanes of a
// vector that a 4-bit mask selects, stored to the front of `out` in lane order, one permute
// and one 32-byte store. Writes 4 lanes whatever the mask (callers keep 3 lanes of slack
// past the end) and returns how many it meant. Branch-free, for filters whose pass rate is
// unpredictable (the hypercube's band, the radial kernels' samples within the widths).
//
// Example:
//   const int mask = _mm256_movemask_pd(_mm256_cmp_pd(x, limit, _CMP_LT_OQ));
//   end += Compress4x64(_mm256_castpd_si256(x), mask, out + end);
#ifndef PARSWEEP_KERNELS_AVX2_COMPRESS_H_
#define PARSWEEP_KERNELS_AVX2_COMPRESS_H_

#include <cstddef>
#include <cstdint>

#include "kernels/cpu_features.h"

#if PARSWEEP_X86_64_TARGETS
#include <immintrin.h>

namespace parsweep {
namespace avx2_compress_internal {

// For each mask, perm[mask] moves the selected lanes' 32-bit halves to the front, in order;
// count[mask] is how many lanes it selects.
struct CompressTable {
  alignas(32) int32_t perm[16][8];
  uint8_t count[16];
};

constexpr CompressTable MakeCompressTable() {
  CompressTable t{};
  for (int mask = 0; mask < 16; ++mask) {
    int k = 0;
    for (int lane = 0; lane < 4; ++lane) {
      if (mask & (1 << lane)) {
        t.perm[mask][2 * k] = 2 * lane;
        t.perm[mask][2 * k + 1] = 2 * lane + 1;
        ++k;
      }
    }
    for (int rest = k; rest < 4; ++rest) {
      t.perm[mask][2 * rest] = 0;
      t.perm[mask][2 * rest + 1] = 1;
    }
    t.count[mask] = static_cast<uint8_t>(k);
  }
  return t;
}

inline constexpr CompressTable kCompressTable = MakeCompressTable();

}  // namespace avx2_compress_internal

// Requires AVX2; `out` may be unaligned.
__attribute__((target("avx2"))) inline size_t Compress4x64(__m256i lanes, int mask, void* out) {
  using avx2_compress_internal::kCompressTable;
  const __m256i perm =
      _mm256_load_si256(reinterpret_cast<const __m256i*>(kCompressTable.perm[mask]));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_permutevar8x32_epi32(lanes, perm));
  return kCompressTable.count[mask];
}

}  // namespace parsweep
#endif  // PARSWEEP_X86_64_TARGETS

#endif  // PARSWEEP_KERNELS_AVX2_COMPRESS_H_
