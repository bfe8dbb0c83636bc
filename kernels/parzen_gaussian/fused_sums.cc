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

// ShiftedBlock: one block's positive r^2, each less the smallest of them (`shift`), in
// sample order, and how many samples lay at distance zero.
struct ShiftedBlock {
  size_t size = 0;  // Positive distances in `distances`.
  double shift = kInfinity;
  uint64_t zeros = 0;
};

// ShiftBlock fills `distances` (at least samples.rows() long) for the block `samples`.
// A NaN r^2 (from NaN data, which the loaders refuse) is neither zero nor positive: left
// out.
ShiftedBlock ShiftBlock(ConstMatrixView samples, const double* x, double* distances) {
  const size_t d = samples.cols();
  ShiftedBlock block;
  for (size_t i = 0; i < samples.rows(); ++i) {
    const double r2 = SquaredDistance(samples.data() + i * d, x, d);
    distances[block.size] = r2;
    block.size += r2 > 0.0;
    block.zeros += r2 == 0.0;
    block.shift = std::min(block.shift, r2 > 0.0 ? r2 : kInfinity);
  }
  for (size_t i = 0; i < block.size; ++i) distances[i] -= block.shift;
  return block;
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

// FusedPass adds exp((d_i s1[w]) s2[w]) to totals[w] for every distance d_i and every
// w < `padded` (a multiple of the lanes of V), one vector V (V2d, or V4d inside an AVX2
// function) of widths at a time. kTwoFactors false: every s2 is 1 and is not multiplied
// (multiplying by 1 is exact, so the bits are the same).
template <typename V, bool kTwoFactors>
__attribute__((always_inline)) inline void FusedPass(const double* distances, size_t size,
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
    const V first = Splat<V>(distances[i]);
    const V second = Splat<V>(distances[i + 1]);
    for (size_t w = 0; w < padded; w += kLanes) {
      const V term_first = ExpNonPositive(exponent(first, w));
      const V term_second = ExpNonPositive(exponent(second, w));
      StoreV(totals + w, (LoadV<V>(totals + w) + term_first) + term_second);
    }
  }
  if (i < size) {
    const V rr = Splat<V>(distances[i]);
    for (size_t w = 0; w < padded; w += kLanes) {
      StoreV(totals + w, LoadV<V>(totals + w) + ExpNonPositive(exponent(rr, w)));
    }
  }
}

using PassFunction = void (*)(const double*, size_t, const double*, const double*, double*, size_t);

template <bool kTwoFactors>
void FusedPassPortable(const double* distances, size_t size, const double* s1, const double* s2,
                       double* totals, size_t padded) {
  FusedPass<V2d, kTwoFactors>(distances, size, s1, s2, totals, padded);
}

#if PARSWEEP_X86_64_TARGETS
// The same operations on four lanes: the same bits as the portable pass.
template <bool kTwoFactors>
__attribute__((target("avx2"))) void FusedPassAvx2(const double* distances, size_t size,
                                                   const double* s1, const double* s2,
                                                   double* totals, size_t padded) {
  FusedPass<V4d, kTwoFactors>(distances, size, s1, s2, totals, padded);
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
        for (size_t i = 0; i < block.size; ++i) {
          total += std::exp(NaiveExponent(distances[i], scale));
        }
        if (block.size > 0) sums.sum(p, w).Add(NaiveExponent(block.shift, scale), total);
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
      if (block.size == 0) continue;
      std::fill(totals.begin(), totals.end(), 0.0);
      pass(distances.data(), block.size, s1.data(), s2.data(), totals.data(), padded);
      for (size_t w = 0; w < m; ++w) {
        sums.sum(p, w).Add(FusedExponent(block.shift, scales[w]), totals[w]);
      }
    }
  }
}

}  // namespace parzen_gaussian_internal
}  // namespace parsweep
