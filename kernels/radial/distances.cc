#include "kernels/radial/distances.h"

#include <cmath>
#include <cstddef>

#include "kernels/avx2_distances.h"

#if PARSWEEP_X86_64_TARGETS
#include <immintrin.h>
#endif

namespace parsweep {
namespace radial {
namespace {

uint64_t Portable(ConstMatrixView samples, const double* point, double* out) {
  uint64_t zeros = 0;
  const size_t d = samples.cols();
  for (size_t i = 0; i < samples.rows(); ++i) {
    const double* s = samples.row(i).data();
    double squared = 0.0;
    for (size_t j = 0; j < d; ++j) squared += (point[j] - s[j]) * (point[j] - s[j]);
    out[i] = std::sqrt(squared);
    zeros += out[i] == 0.0;
  }
  return zeros;
}

#if PARSWEEP_X86_64_TARGETS
// Four 2-D samples a step: their squared distances (SquaredDistances4x2D, summed as the
// scalar loop sums them), put back in sample order, and a vector square root.
__attribute__((target("avx2"))) uint64_t TwoDimensionsAvx2(ConstMatrixView samples,
                                                           const double* point, double* out) {
  const __m256d x = _mm256_setr_pd(point[0], point[1], point[0], point[1]);
  const __m256d zero = _mm256_setzero_pd();
  const double* s = samples.data();
  const size_t n = samples.rows();
  uint64_t zeros = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d sums = SquaredDistances4x2D(x, s + 2 * i);  // Samples 0, 2, 1, 3.
    const __m256d r = _mm256_sqrt_pd(_mm256_permute4x64_pd(sums, 0xD8));
    _mm256_storeu_pd(out + i, r);
    zeros += __builtin_popcount(_mm256_movemask_pd(_mm256_cmp_pd(r, zero, _CMP_EQ_OQ)));
  }
  if (i < n) {
    zeros += Portable(ConstMatrixView(s + 2 * i, n - i, 2), point, out + i);
  }
  return zeros;
}
#endif

}  // namespace

uint64_t BlockDistances(ConstMatrixView samples, const double* point, double* out, Isa isa) {
#if PARSWEEP_X86_64_TARGETS
  if (samples.cols() == 2 && isa != Isa::kPortable && IsaRuns(Isa::kAvx2)) {
    return TwoDimensionsAvx2(samples, point, out);
  }
#endif
  return Portable(samples, point, out);
}

}  // namespace radial
}  // namespace parsweep
