// SquaredDistances4x2D: the squared distances from a 2-D point to four 2-D samples, with
// AVX2, each summed as the scalar loops sum it (0 + dx^2 + dy^2, the 0 exact). The point
// comes as {x, y, x, y}; the four samples are the eight doubles at `s`. The result's lanes
// are the samples in the order 0, 2, 1, 3 (hadd's): callers that need sample order permute
// them (_mm256_permute4x64_pd(q, 0xD8)); sums, counts and multisets do not.
//
// Example:
//   const __m256d point = _mm256_setr_pd(x[0], x[1], x[0], x[1]);
//   const __m256d q = SquaredDistances4x2D(point, samples + 2 * i);
#ifndef PARSWEEP_KERNELS_AVX2_DISTANCES_H_
#define PARSWEEP_KERNELS_AVX2_DISTANCES_H_

#include "kernels/cpu_features.h"

#if PARSWEEP_X86_64_TARGETS
#include <immintrin.h>

namespace parsweep {

// Requires AVX2.
__attribute__((target("avx2"))) inline __m256d SquaredDistances4x2D(__m256d point,
                                                                    const double* s) {
  const __m256d a = _mm256_sub_pd(point, _mm256_loadu_pd(s));
  const __m256d b = _mm256_sub_pd(point, _mm256_loadu_pd(s + 4));
  return _mm256_hadd_pd(_mm256_mul_pd(a, a), _mm256_mul_pd(b, b));
}

}  // namespace parsweep
#endif  // PARSWEEP_X86_64_TARGETS

#endif  // PARSWEEP_KERNELS_AVX2_DISTANCES_H_
