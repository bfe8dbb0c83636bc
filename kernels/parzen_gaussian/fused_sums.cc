// The naive and fused sums of the Gaussian kernel; fused_sums.h says what they compute,
// and gaussian_sums.h how the blocks make them independent of the plan.
#include "kernels/parzen_gaussian/fused_sums.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/parzen_gaussian/vector_exp.h"

namespace parsweep {
namespace parzen_gaussian_internal {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

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

// ExponentScale: a width's factors s1, s2 of the exponent (d s1) s2 = -d / (2 h^2), and
// 2 h^2 itself where it is a normal double (the naive pass divides by it).
struct ExponentScale {
  double s1;
  double s2;
  double twice_square;  // 0 where 2 h^2 is not normal: use s1, s2.
};

ExponentScale ScaleOf(double h) {
  const double twice_square = 2.0 * h * h;
  if (twice_square >= DBL_MIN && twice_square <= DBL_MAX) {
    return {-1.0 / twice_square, 1.0, twice_square};
  }
  return {-1.0 / h, 0.5 / h, 0.0};
}

// The exponent of a distance d >= 0 as the fused pass computes it.
inline double FusedExponent(double d, const ExponentScale& scale) {
  return (d * scale.s1) * scale.s2;
}

// The same as the naive pass computes it.
inline double NaiveExponent(double d, const ExponentScale& scale) {
  return scale.twice_square != 0.0 ? -d / scale.twice_square : (d * scale.s1) * scale.s2;
}

// ShiftedBlock: a block's r^2 in sample order, each positive one as it is and every other
// one (zero, or NaN from NaN data, which the loaders refuse) replaced by +infinity, whose
// term exp(-infinity) adds exactly +0 to a sum (the same bits as leaving it out); the
// smallest positive r^2 (`shift`, +infinity if none), and how many were zero. The passes
// subtract the shift as they read each r^2.
struct ShiftedBlock {
  size_t size = 0;  // Samples in the block (entries of `distances`).
  double shift = kInfinity;
  uint64_t zeros = 0;
};

// ShiftBlock fills `distances` (at least samples.rows() long) for the block `samples`: r^2
// first (a loop of its own, unrolled for small kDims: 0 reads the dimension from
// `samples`), then the shift and the zeros.
template <size_t kDims>
ShiftedBlock ShiftBlockOf(ConstMatrixView samples, const double* x, double* distances) {
  const size_t d = kDims > 0 ? kDims : samples.cols();
  const size_t rows = samples.rows();
  const double* row = samples.data();
  size_t first = 0;
  if constexpr (kDims == 2) {
    // Two 2-D samples per step on SSE2 vectors: (x_0 - s_0)^2 + (x_1 - s_1)^2 with the
    // operations of SquaredDistance (0 + a == a exactly), so the same bits.
    const V2d point = {x[0], x[1]};
    for (; first + 2 <= rows; first += 2, row += 4) {
      V2d a;
      V2d b;
      std::memcpy(&a, row, sizeof(a));
      std::memcpy(&b, row + 2, sizeof(b));
      const V2d da = point - a;
      const V2d db = point - b;
      const V2d sa = da * da;
      const V2d sb = db * db;
      const V2d r2 = __builtin_shuffle(sa, sb, V2u{0, 2}) + __builtin_shuffle(sa, sb, V2u{1, 3});
      std::memcpy(distances + first, &r2, sizeof(r2));
    }
  }
  for (size_t i = first; i < rows; ++i, row += d) distances[i] = SquaredDistance(row, x, d);
  // Then the shift and the zeros, two samples at a time on SSE2 vectors (the same
  // comparisons and minimum as one at a time: a minimum is exact).
  V2d shift = {kInfinity, kInfinity};
  V2u zeros = {0, 0};
  const V2d infinity = {kInfinity, kInfinity};
  const V2d zero = {0.0, 0.0};
  size_t i = 0;
  for (; i + 2 <= rows; i += 2) {
    V2d r2;
    std::memcpy(&r2, distances + i, sizeof(r2));
    const V2d kept = r2 > zero ? r2 : infinity;  // Lanes: all ones where r2 > 0.
    zeros -= BitCast<V2u>(r2 == zero);           // All ones is -1: one more zero.
    shift = kept < shift ? kept : shift;
    std::memcpy(distances + i, &kept, sizeof(kept));
  }
  ShiftedBlock block;
  block.size = rows;
  block.shift = std::min(shift[0], shift[1]);
  block.zeros = zeros[0] + zeros[1];
  for (; i < rows; ++i) {
    const double r2 = distances[i];
    block.zeros += r2 == 0.0;
    distances[i] = r2 > 0.0 ? r2 : kInfinity;
    block.shift = std::min(block.shift, distances[i]);
  }
  return block;
}

ShiftedBlock ShiftBlock(ConstMatrixView samples, const double* x, double* distances) {
  switch (samples.cols()) {
    case 1:
      return ShiftBlockOf<1>(samples, x, distances);
    case 2:
      return ShiftBlockOf<2>(samples, x, distances);
    case 3:
      return ShiftBlockOf<3>(samples, x, distances);
    default:
      return ShiftBlockOf<0>(samples, x, distances);
  }
}

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

template <typename V>
__attribute__((always_inline)) inline V Splat(double value) {
  V v{};  // Zeroed, then every lane set: what the compiler sees as initialized.
  for (size_t lane = 0; lane < sizeof(V) / sizeof(double); ++lane) v[lane] = value;
  return v;
}

// FusedPass adds exp((d_i s1[w]) s2[w]), d_i = r2[i] - shift, to totals[w] for every i and
// w < `padded` (a multiple of the lanes of V), one vector V (V2d, or V4d inside an AVX2
// function) of widths at a time. kTwoFactors false: every s2 is 1 and is not multiplied
// (multiplying by 1 is exact, so the bits are the same).
template <typename V, bool kTwoFactors>
__attribute__((always_inline)) inline void FusedPass(const double* r2, size_t size, double shift,
                                                     const double* s1, const double* s2,
                                                     double* totals, size_t padded) {
  constexpr size_t kLanes = sizeof(V) / sizeof(double);
  const auto exponent = [&](V d, size_t w) {
    const V product = d * LoadV<V>(s1 + w);
    if constexpr (kTwoFactors) {
      return product * LoadV<V>(s2 + w);
    } else {
      return product;
    }
  };
  size_t i = 0;
  // Two samples per pass over the widths (measured 6% faster: half the loads and stores of
  // the totals, two independent exps side by side). The totals still receive the terms in
  // sample order, (total + t_i) + t_{i+1}, so the bits are those of one sample at a time.
  for (; i + 2 <= size; i += 2) {
    const V first = Splat<V>(r2[i] - shift);
    const V second = Splat<V>(r2[i + 1] - shift);
    for (size_t w = 0; w < padded; w += kLanes) {
      const V term_first = ExpNonPositive(exponent(first, w));
      const V term_second = ExpNonPositive(exponent(second, w));
      StoreV(totals + w, (LoadV<V>(totals + w) + term_first) + term_second);
    }
  }
  if (i < size) {
    const V rr = Splat<V>(r2[i] - shift);
    for (size_t w = 0; w < padded; w += kLanes) {
      StoreV(totals + w, LoadV<V>(totals + w) + ExpNonPositive(exponent(rr, w)));
    }
  }
}

using PassFunction = void (*)(const double*, size_t, double, const double*, const double*, double*,
                              size_t);

template <bool kTwoFactors>
void FusedPassPortable(const double* r2, size_t size, double shift, const double* s1,
                       const double* s2, double* totals, size_t padded) {
  FusedPass<V2d, kTwoFactors>(r2, size, shift, s1, s2, totals, padded);
}

#if PARSWEEP_X86_64_TARGETS
// The same operations on four lanes: the same bits as the portable pass.
template <bool kTwoFactors>
__attribute__((target("avx2"))) void FusedPassAvx2(const double* r2, size_t size, double shift,
                                                   const double* s1, const double* s2,
                                                   double* totals, size_t padded) {
  FusedPass<V4d, kTwoFactors>(r2, size, shift, s1, s2, totals, padded);
}
#endif

PassFunction ChoosePass(bool avx2, bool two_factors) {
#if PARSWEEP_X86_64_TARGETS
  if (avx2) return two_factors ? FusedPassAvx2<true> : FusedPassAvx2<false>;
#endif
  return two_factors ? FusedPassPortable<true> : FusedPassPortable<false>;
}

}  // namespace

void AddNaiveSums(ConstMatrixView samples, ConstMatrixView points, absl::Span<const double> widths,
                  GaussianSums& sums) {
  const size_t m = widths.size();
  std::vector<double> distances(std::min<uint64_t>(samples.rows(), kSampleBlock));
  for (size_t p = 0; p < points.rows(); ++p) {
    const double* point = points.row(p).data();
    for (size_t w = 0; w < m; ++w) {
      const ExponentScale scale = ScaleOf(widths[w]);
      for (size_t begin = 0; begin < samples.rows(); begin += kSampleBlock) {
        const size_t end = std::min<uint64_t>(begin + kSampleBlock, samples.rows());
        const ShiftedBlock block =
            ShiftBlock(ConstMatrixView(samples.row(begin).data(), end - begin, samples.cols()),
                       point, distances.data());
        if (w == 0) sums.zeros(p) += block.zeros;
        double total = 0.0;
        if (block.shift == kInfinity) continue;  // No positive distance in the block.
        for (size_t i = 0; i < block.size; ++i) {
          if (distances[i] == kInfinity) continue;  // Distance zero, counted apart.
          total += std::exp(NaiveExponent(distances[i] - block.shift, scale));
        }
        sums.sum(p, w).Add(NaiveExponent(block.shift, scale), total);
      }
    }
  }
}

void AddFusedSums(ConstMatrixView samples, ConstMatrixView points, absl::Span<const double> widths,
                  GaussianSums& sums, Isa isa) {
  const bool avx2 = isa == Isa::kBest && CpuHasAvx2();
  const size_t lanes = avx2 ? 4 : 2;
  const size_t m = widths.size();
  // The factors, padded with 0 (s1) and 1 (s2) to whole vectors (padding lanes compute
  // exp(0) and are dropped), and the totals; built once for every point of the block.
  const size_t padded = (m + lanes - 1) / lanes * lanes;
  std::vector<ExponentScale> scales(m);
  std::vector<double> s1(padded, 0.0);
  std::vector<double> s2(padded, 1.0);
  bool two_factors = false;
  for (size_t w = 0; w < m; ++w) {
    scales[w] = ScaleOf(widths[w]);
    s1[w] = scales[w].s1;
    s2[w] = scales[w].s2;
    two_factors = two_factors || scales[w].s2 != 1.0;
  }
  const PassFunction pass = ChoosePass(avx2, two_factors);
  std::vector<double> totals(padded);
  std::vector<double> distances(std::min<uint64_t>(samples.rows(), kSampleBlock));
  for (size_t p = 0; p < points.rows(); ++p) {
    const double* point = points.row(p).data();
    for (size_t begin = 0; begin < samples.rows(); begin += kSampleBlock) {
      const size_t end = std::min<uint64_t>(begin + kSampleBlock, samples.rows());
      const ShiftedBlock block =
          ShiftBlock(ConstMatrixView(samples.row(begin).data(), end - begin, samples.cols()), point,
                     distances.data());
      sums.zeros(p) += block.zeros;
      if (block.shift == kInfinity) continue;  // No positive distance in the block.
      std::fill(totals.begin(), totals.end(), 0.0);
      pass(distances.data(), block.size, block.shift, s1.data(), s2.data(), totals.data(), padded);
      for (size_t w = 0; w < m; ++w) {
        sums.sum(p, w).Add(FusedExponent(block.shift, scales[w]), totals[w]);
      }
    }
  }
}

}  // namespace parzen_gaussian_internal
}  // namespace parsweep
