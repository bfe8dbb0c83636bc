// The naive and fused sums of the Gaussian kernel; parzen_gaussian.cc says what they
// compute, and fused_sums.h what each promises.
#include "kernels/parzen_gaussian/fused_sums.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/parzen_gaussian/vector_exp.h"

namespace parsweep {
namespace parzen_gaussian_internal {
namespace {

// SquaredDistance is |x - s|^2, summed in coordinate order (both algorithms use it, so
// they see the same r^2).
inline double SquaredDistance(const double* s, const double* x, size_t d) {
  double r2 = 0.0;
  for (size_t j = 0; j < d; ++j) {
    const double diff = x[j] - s[j];
    r2 += diff * diff;
  }
  return r2;
}

// TwiceSquare is 2 h^2, at least DBL_MIN: for a width so small that 2 h^2 underflows, a
// sample exactly at the point still contributes exp(0) = 1 rather than NaN.
inline double TwiceSquare(double h) { return std::max(2.0 * h * h, DBL_MIN); }

}  // namespace

void AddNaiveSums(ConstMatrixView samples, ConstMatrixView points, absl::Span<const double> widths,
                  absl::Span<double> sums) {
  const size_t d = samples.cols();
  const size_t m = widths.size();
  for (size_t p = 0; p < points.rows(); ++p) {
    const double* point = points.row(p).data();
    for (size_t w = 0; w < m; ++w) {
      const double twice_square = TwiceSquare(widths[w]);
      double sum = 0.0;
      for (size_t i = 0; i < samples.rows(); ++i) {
        const double r2 = SquaredDistance(samples.data() + i * d, point, d);
        sum += std::exp(-r2 / twice_square);
      }
      sums[p * m + w] += sum;
    }
  }
}

namespace {

// LoadV and StoreV move a vector of doubles through memcpy: no alignment needed, and no
// aliasing question between the double arrays and the vector type.
template <typename V>
__attribute__((always_inline)) inline V LoadV(const double* p) {
  V v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

template <typename V>
__attribute__((always_inline)) inline void StoreV(double* p, V v) {
  std::memcpy(p, &v, sizeof(v));
}

// FusedPass adds exp(r_i^2 * scales[w]) to totals[w] for every sample i and every
// w < `padded` (a multiple of the lanes of V), one vector V (V2d, or V4d inside an AVX2
// function) of widths at a time.
template <typename V>
__attribute__((always_inline)) inline void FusedPass(ConstMatrixView samples, const double* x,
                                                     const double* scales, double* totals,
                                                     size_t padded) {
  constexpr size_t kLanes = sizeof(V) / sizeof(double);
  const size_t d = samples.cols();
  const size_t rows = samples.rows();
  size_t i = 0;
  // Two samples per pass over the widths (measured 6% faster: half the loads and stores of
  // the totals, two independent exps side by side). The totals still receive the terms in
  // sample order, (total + t_i) + t_{i+1}, so the bits are those of one sample at a time.
  for (; i + 2 <= rows; i += 2) {
    const double r2_first = SquaredDistance(samples.data() + i * d, x, d);
    const double r2_second = SquaredDistance(samples.data() + (i + 1) * d, x, d);
    V first{};  // Zeroed, then every lane set: what the compiler sees as initialized.
    V second{};
    for (size_t lane = 0; lane < kLanes; ++lane) {
      first[lane] = r2_first;
      second[lane] = r2_second;
    }
    for (size_t w = 0; w < padded; w += kLanes) {
      const V scale = LoadV<V>(scales + w);
      const V term_first = ExpNonPositive(first * scale);
      const V term_second = ExpNonPositive(second * scale);
      StoreV(totals + w, (LoadV<V>(totals + w) + term_first) + term_second);
    }
  }
  if (i < rows) {
    const double r2 = SquaredDistance(samples.data() + i * d, x, d);
    V rr{};
    for (size_t lane = 0; lane < kLanes; ++lane) rr[lane] = r2;
    for (size_t w = 0; w < padded; w += kLanes) {
      StoreV(totals + w, LoadV<V>(totals + w) + ExpNonPositive(rr * LoadV<V>(scales + w)));
    }
  }
}

void FusedPassPortable(ConstMatrixView samples, const double* x, const double* scales,
                       double* totals, size_t padded) {
  FusedPass<V2d>(samples, x, scales, totals, padded);
}

#if PARSWEEP_X86_64_TARGETS
// The same operations on four lanes: the same bits as the portable pass.
__attribute__((target("avx2"))) void FusedPassAvx2(ConstMatrixView samples, const double* x,
                                                   const double* scales, double* totals,
                                                   size_t padded) {
  FusedPass<V4d>(samples, x, scales, totals, padded);
}
#endif

}  // namespace

void AddFusedSums(ConstMatrixView samples, ConstMatrixView points, absl::Span<const double> widths,
                  absl::Span<double> sums, Isa isa) {
  const bool avx2 = isa == Isa::kBest && CpuHasAvx2();
  const size_t lanes = avx2 ? 4 : 2;
  const size_t m = widths.size();
  // a_w, padded with 0 to whole vectors (padding lanes compute exp(0) and are dropped),
  // and the totals; built once for every point of the block.
  const size_t padded = (m + lanes - 1) / lanes * lanes;
  std::vector<double> scales(padded, 0.0);
  std::vector<double> totals(padded);
  for (size_t w = 0; w < m; ++w) scales[w] = -1.0 / TwiceSquare(widths[w]);
  for (size_t p = 0; p < points.rows(); ++p) {
    std::fill(totals.begin(), totals.end(), 0.0);
    const double* point = points.row(p).data();
#if PARSWEEP_X86_64_TARGETS
    if (avx2) {
      FusedPassAvx2(samples, point, scales.data(), totals.data(), padded);
    } else {
      FusedPassPortable(samples, point, scales.data(), totals.data(), padded);
    }
#else
    FusedPassPortable(samples, point, scales.data(), totals.data(), padded);
#endif
    for (size_t w = 0; w < m; ++w) sums[p * m + w] += totals[w];
  }
}

void AddNaiveSums(ConstMatrixView samples, absl::Span<const double> point,
                  absl::Span<const double> widths, absl::Span<double> sums) {
  AddNaiveSums(samples, ConstMatrixView(point.data(), 1, point.size()), widths, sums);
}

void AddFusedSums(ConstMatrixView samples, absl::Span<const double> point,
                  absl::Span<const double> widths, absl::Span<double> sums, Isa isa) {
  AddFusedSums(samples, ConstMatrixView(point.data(), 1, point.size()), widths, sums, isa);
}

}  // namespace parzen_gaussian_internal
}  // namespace parsweep
