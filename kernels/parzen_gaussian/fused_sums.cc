// The naive and fused sums of the Gaussian kernel; fused_sums.h says what they compute,
// and block_sums.h how the blocks make them independent of the plan.
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

#if PARSWEEP_X86_64_TARGETS
#include <immintrin.h>
#endif

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

// LaneShift keeps, kLanes r^2 at a time (V: vectors of doubles, U: their bits), each positive
// r^2 and +infinity for the others, and counts the zeros and takes the smallest kept one per
// lane; Into folds the lanes into a block (a minimum is exact, so the lanes' order does not
// matter). KeepOne is the same for one r^2, for the samples after the last whole vector.
template <typename V, typename U>
struct LaneShift {
  V shift = Splat<V>(kInfinity);
  U zeros{};

  __attribute__((always_inline)) void Keep(V r2, double* out) {
    const V kept = r2 > Splat<V>(0.0) ? r2 : Splat<V>(kInfinity);  // All ones where r2 > 0.
    zeros -= BitCast<U>(r2 == Splat<V>(0.0));                      // All ones is -1.
    shift = kept < shift ? kept : shift;
    StoreV(out, kept);
  }
  __attribute__((always_inline)) void Into(ShiftedBlock& block) const {
    for (size_t lane = 0; lane < sizeof(V) / sizeof(double); ++lane) {
      block.shift = std::min(block.shift, shift[lane]);
      block.zeros += zeros[lane];
    }
  }
};

inline void KeepOne(double r2, double* out, ShiftedBlock& block) {
  block.zeros += r2 == 0.0;
  *out = r2 > 0.0 ? r2 : kInfinity;
  block.shift = std::min(block.shift, *out);
}

// ShiftBlockOf fills `distances` (at least samples.rows() long) for the block `samples`: r^2
// first (a loop of its own, unrolled for small kDims: 0 reads the dimension from
// `samples`), then the shift and the zeros, two samples at a time on SSE2 vectors.
template <size_t kDims>
ShiftedBlock ShiftBlockOf(ConstMatrixView samples, const double* x, double* distances) {
  const size_t d = kDims > 0 ? kDims : samples.cols();
  const size_t rows = samples.rows();
  const double* row = samples.data();
  for (size_t i = 0; i < rows; ++i, row += d) distances[i] = SquaredDistance(row, x, d);
  LaneShift<V2d, V2u> lanes;
  size_t i = 0;
  for (; i + 2 <= rows; i += 2) lanes.Keep(LoadV<V2d>(distances + i), distances + i);
  ShiftedBlock block;
  block.size = rows;
  lanes.Into(block);
  for (; i < rows; ++i) KeepOne(distances[i], distances + i, block);
  return block;
}

// ShiftBlock2 is ShiftBlockOf<2> in one pass, kLanes samples per step on vectors V of
// doubles (U: their bits): (x_0 - s_0)^2 + (x_1 - s_1)^2 with the operations of
// SquaredDistance (0 + a == a exactly), then LaneShift, so the same bits for any V.
template <typename V, typename U>
__attribute__((always_inline)) inline ShiftedBlock ShiftBlock2(ConstMatrixView samples,
                                                               const double* x, double* distances) {
  constexpr size_t kLanes = sizeof(V) / sizeof(double);
  const size_t rows = samples.rows();
  const double* row = samples.data();
  V point{};
  U even{};
  U odd{};
  for (size_t lane = 0; lane < kLanes; ++lane) {
    point[lane] = x[lane % 2];
    even[lane] = 2 * lane;
    odd[lane] = 2 * lane + 1;
  }
  LaneShift<V, U> lanes;
  size_t i = 0;
  for (; i + kLanes <= rows; i += kLanes, row += 2 * kLanes) {
    const V da = point - LoadV<V>(row);
    const V db = point - LoadV<V>(row + kLanes);
    const V sa = da * da;
    const V sb = db * db;
    lanes.Keep(__builtin_shuffle(sa, sb, even) + __builtin_shuffle(sa, sb, odd), distances + i);
  }
  ShiftedBlock block;
  block.size = rows;
  lanes.Into(block);
  for (; i < rows; ++i, row += 2) KeepOne(SquaredDistance(row, x, 2), distances + i, block);
  return block;
}

#if PARSWEEP_X86_64_TARGETS
__attribute__((target("avx2"))) ShiftedBlock ShiftBlock2Avx2(ConstMatrixView samples,
                                                             const double* x, double* distances) {
  return ShiftBlock2<V4d, V4u>(samples, x, distances);
}
#endif

// ShiftBlock is ShiftBlockOf for the block's dimension; `avx2`: the CPU has AVX2.
ShiftedBlock ShiftBlock(ConstMatrixView samples, const double* x, double* distances, bool avx2) {
  switch (samples.cols()) {
    case 1:
      return ShiftBlockOf<1>(samples, x, distances);
    case 2:
#if PARSWEEP_X86_64_TARGETS
      if (avx2) return ShiftBlock2Avx2(samples, x, distances);
#endif
      return ShiftBlock2<V2d, V2u>(samples, x, distances);
    case 3:
      return ShiftBlockOf<3>(samples, x, distances);
    default:
      return ShiftBlockOf<0>(samples, x, distances);
  }
}

#if PARSWEEP_X86_64_TARGETS
// The fused multiply-add and maximum instructions, as ExpNonPositive's policy
// (vector_exp.h). Not always_inline: GCC would have to inline them into ExpNonPositive's
// own body, which has no target; the passes below are `flatten`, which inlines everything
// into them, where the target matches.
struct OpsAvx2 {
  __attribute__((target("avx2,fma"))) static V4d Max(V4d a, V4d b) {
    return reinterpret_cast<V4d>(
        _mm256_max_pd(reinterpret_cast<__m256d>(a), reinterpret_cast<__m256d>(b)));
  }
  __attribute__((target("avx2,fma"))) static V4d Fused(V4d a, V4d b, V4d c) {
    return reinterpret_cast<V4d>(_mm256_fmadd_pd(
        reinterpret_cast<__m256d>(a), reinterpret_cast<__m256d>(b), reinterpret_cast<__m256d>(c)));
  }
};
struct OpsAvx512 {
  __attribute__((target("avx512f"))) static V8d Max(V8d a, V8d b) {
    // _mm512_max_pd with every lane selected: the unmasked form starts from an undefined
    // register, which GCC 12 warns may be used uninitialized.
    const __m512d x = reinterpret_cast<__m512d>(a);
    return reinterpret_cast<V8d>(_mm512_mask_max_pd(x, 0xFF, x, reinterpret_cast<__m512d>(b)));
  }
  __attribute__((target("avx512f"))) static V8d Fused(V8d a, V8d b, V8d c) {
    return reinterpret_cast<V8d>(_mm512_fmadd_pd(
        reinterpret_cast<__m512d>(a), reinterpret_cast<__m512d>(b), reinterpret_cast<__m512d>(c)));
  }
};
// OpsAvx512's operations done as two AVX2 halves: the eight-lane passes (the AVX-512 path's
// code) on CPUs without AVX-512, so that its logic is tested on any AVX2 machine; only the
// instructions differ, lane by lane the same operations.
struct OpsAvx2Pairs {
  __attribute__((target("avx2,fma"))) static V8d Max(V8d a, V8d b) {
    __m256d x[2], y[2];
    std::memcpy(x, &a, sizeof(a));
    std::memcpy(y, &b, sizeof(b));
    for (int half = 0; half < 2; ++half) x[half] = _mm256_max_pd(x[half], y[half]);
    std::memcpy(&a, x, sizeof(a));
    return a;
  }
  __attribute__((target("avx2,fma"))) static V8d Fused(V8d a, V8d b, V8d c) {
    __m256d x[2], y[2], z[2];
    std::memcpy(x, &a, sizeof(a));
    std::memcpy(y, &b, sizeof(b));
    std::memcpy(z, &c, sizeof(c));
    for (int half = 0; half < 2; ++half) x[half] = _mm256_fmadd_pd(x[half], y[half], z[half]);
    std::memcpy(&a, x, sizeof(a));
    return a;
  }
};
#endif

// WidePass adds exp((d_i s1[w]) s2[w]), d_i = r2[i] - shift, to totals[w] for every i and
// w < `padded` (a multiple of the lanes of V), one vector V (V2d; V4d or V8d inside an AVX2
// or AVX-512 function) of widths at a time, with ExpNonPositive<Ops>. kTwoFactors false:
// every s2 is 1 and is not multiplied (multiplying by 1 is exact, so the bits are the same).
template <typename V, typename Ops, bool kTwoFactors>
__attribute__((always_inline)) inline void WidePass(const double* r2, size_t size, double shift,
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
      const V term_first = ExpNonPositive<Ops>(exponent(first, w));
      const V term_second = ExpNonPositive<Ops>(exponent(second, w));
      StoreV(totals + w, (LoadV<V>(totals + w) + term_first) + term_second);
    }
  }
  if (i < size) {
    const V rr = Splat<V>(r2[i] - shift);
    for (size_t w = 0; w < padded; w += kLanes) {
      StoreV(totals + w, LoadV<V>(totals + w) + ExpNonPositive<Ops>(exponent(rr, w)));
    }
  }
}

// PackedPass is WidePass for at most kGroup widths (kGroup < the lanes of V, a power of
// two): each vector holds kLanes / kGroup samples side by side, kGroup widths each, so a
// grid swept over one or two widths does not spend most lanes on padding. Every lane
// computes what WidePass's lane for that sample and width computes, and each total still
// receives its terms in sample order: the same bits.
template <typename V, typename Ops, bool kTwoFactors, size_t kGroup>
__attribute__((always_inline)) inline void PackedPass(const double* r2, size_t size, double shift,
                                                      const double* s1, const double* s2,
                                                      double* totals) {
  constexpr size_t kLanes = sizeof(V) / sizeof(double);
  constexpr size_t kPerVector = kLanes / kGroup;
  V f1{};
  V f2{};
  for (size_t lane = 0; lane < kLanes; ++lane) {
    f1[lane] = s1[lane % kGroup];
    f2[lane] = s2[lane % kGroup];
  }
  double sums[kGroup];
  for (size_t g = 0; g < kGroup; ++g) sums[g] = totals[g];
  const auto terms = [&](V d) {
    const V product = d * f1;
    if constexpr (kTwoFactors) {
      return ExpNonPositive<Ops>(product * f2);
    } else {
      return ExpNonPositive<Ops>(product);
    }
  };
  size_t i = 0;
  for (; i + kPerVector <= size; i += kPerVector) {
    V d{};
    for (size_t lane = 0; lane < kLanes; ++lane) d[lane] = r2[i + lane / kGroup] - shift;
    const V t = terms(d);
    for (size_t j = 0; j < kPerVector; ++j) {
      for (size_t g = 0; g < kGroup; ++g) sums[g] += t[j * kGroup + g];
    }
  }
  for (; i < size; ++i) {
    const V t = terms(Splat<V>(r2[i] - shift));
    for (size_t g = 0; g < kGroup; ++g) sums[g] += t[g];
  }
  for (size_t g = 0; g < kGroup; ++g) totals[g] = sums[g];
}

// FusedPass is the pass over one block for `widths` widths (padded to `padded`, a multiple
// of the lanes of V): PackedPass where the widths fill at most half a vector, else WidePass.
template <typename V, typename Ops, bool kTwoFactors>
__attribute__((always_inline)) inline void FusedPass(const double* r2, size_t size, double shift,
                                                     const double* s1, const double* s2,
                                                     double* totals, size_t widths, size_t padded) {
  constexpr size_t kLanes = sizeof(V) / sizeof(double);
  if constexpr (kLanes >= 4) {
    if (widths == 1) return PackedPass<V, Ops, kTwoFactors, 1>(r2, size, shift, s1, s2, totals);
    if (widths == 2) return PackedPass<V, Ops, kTwoFactors, 2>(r2, size, shift, s1, s2, totals);
  }
  if constexpr (kLanes >= 8) {
    if (widths <= 4) return PackedPass<V, Ops, kTwoFactors, 4>(r2, size, shift, s1, s2, totals);
  }
  WidePass<V, Ops, kTwoFactors>(r2, size, shift, s1, s2, totals, padded);
}

using PassFunction = void (*)(const double*, size_t, double, const double*, const double*, double*,
                              size_t, size_t);

template <bool kTwoFactors>
void FusedPassPortable(const double* r2, size_t size, double shift, const double* s1,
                       const double* s2, double* totals, size_t widths, size_t padded) {
  FusedPass<V2d, OpsPortable, kTwoFactors>(r2, size, shift, s1, s2, totals, widths, padded);
}

#if PARSWEEP_X86_64_TARGETS
// The same operations on four and eight lanes: the same bits as the portable pass.
template <bool kTwoFactors>
__attribute__((target("avx2,fma"), flatten)) void FusedPassAvx2(const double* r2, size_t size,
                                                                double shift, const double* s1,
                                                                const double* s2, double* totals,
                                                                size_t widths, size_t padded) {
  FusedPass<V4d, OpsAvx2, kTwoFactors>(r2, size, shift, s1, s2, totals, widths, padded);
}
template <bool kTwoFactors>
__attribute__((target("avx512f"), flatten)) void FusedPassAvx512(const double* r2, size_t size,
                                                                 double shift, const double* s1,
                                                                 const double* s2, double* totals,
                                                                 size_t widths, size_t padded) {
  FusedPass<V8d, OpsAvx512, kTwoFactors>(r2, size, shift, s1, s2, totals, widths, padded);
}
template <bool kTwoFactors>
__attribute__((target("avx2,fma"), flatten)) void FusedPassAvx2Pairs(const double* r2, size_t size,
                                                                     double shift, const double* s1,
                                                                     const double* s2,
                                                                     double* totals, size_t widths,
                                                                     size_t padded) {
  FusedPass<V8d, OpsAvx2Pairs, kTwoFactors>(r2, size, shift, s1, s2, totals, widths, padded);
}
#endif

// Path: the pass an Isa resolves to on this CPU, and its vector's lanes.
struct Path {
  PassFunction pass;
  size_t lanes;
};

Path ChoosePath(Isa isa, bool two_factors) {
#if PARSWEEP_X86_64_TARGETS
  const bool avx512 = (isa == Isa::kBest || isa == Isa::kAvx512) && IsaRuns(Isa::kAvx512);
  const bool avx2 =
      (isa == Isa::kBest || isa == Isa::kAvx2 || isa == Isa::kAvx512) && IsaRuns(Isa::kAvx2);
  if (avx512) return {two_factors ? FusedPassAvx512<true> : FusedPassAvx512<false>, 8};
  if (avx2 && isa == Isa::kAvx512) {  // The eight-lane code on AVX2 (see OpsAvx2Pairs).
    return {two_factors ? FusedPassAvx2Pairs<true> : FusedPassAvx2Pairs<false>, 8};
  }
  if (avx2) return {two_factors ? FusedPassAvx2<true> : FusedPassAvx2<false>, 4};
#endif
  return {two_factors ? FusedPassPortable<true> : FusedPassPortable<false>, 2};
}

}  // namespace

void AddNaiveSums(ConstMatrixView samples, ConstMatrixView points, absl::Span<const double> widths,
                  BlockSums& sums) {
  const bool avx2 = CpuHasAvx2();
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
                       point, distances.data(), avx2);
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
                  BlockSums& sums, Isa isa) {
  const size_t m = widths.size();
  std::vector<ExponentScale> scales(m);
  bool two_factors = false;
  for (size_t w = 0; w < m; ++w) {
    scales[w] = ScaleOf(widths[w]);
    two_factors = two_factors || scales[w].s2 != 1.0;
  }
  const auto [pass, lanes] = ChoosePath(isa, two_factors);
  const bool shift_avx2 = lanes > 2;  // The wide paths run where the CPU has AVX2.
  // The factors, padded with 0 (s1) and 1 (s2) to whole vectors (padding lanes compute
  // exp(0) and are dropped), and the totals; built once for every point of the block.
  const size_t padded = (m + lanes - 1) / lanes * lanes;
  std::vector<double> s1(padded, 0.0);
  std::vector<double> s2(padded, 1.0);
  for (size_t w = 0; w < m; ++w) {
    s1[w] = scales[w].s1;
    s2[w] = scales[w].s2;
  }
  std::vector<double> totals(padded);
  std::vector<double> distances(std::min<uint64_t>(samples.rows(), kSampleBlock));
  for (size_t p = 0; p < points.rows(); ++p) {
    const double* point = points.row(p).data();
    for (size_t begin = 0; begin < samples.rows(); begin += kSampleBlock) {
      const size_t end = std::min<uint64_t>(begin + kSampleBlock, samples.rows());
      const ShiftedBlock block =
          ShiftBlock(ConstMatrixView(samples.row(begin).data(), end - begin, samples.cols()), point,
                     distances.data(), shift_avx2);
      sums.zeros(p) += block.zeros;
      if (block.shift == kInfinity) continue;  // No positive distance in the block.
      std::fill(totals.begin(), totals.end(), 0.0);
      pass(distances.data(), block.size, block.shift, s1.data(), s2.data(), totals.data(), m,
           padded);
      for (size_t w = 0; w < m; ++w) {
        sums.sum(p, w).Add(FusedExponent(block.shift, scales[w]), totals[w]);
      }
    }
  }
}

ShiftedExpPass::ShiftedExpPass(absl::Span<const double> s1, absl::Span<const double> s2, Isa isa)
    : widths_(s1.size()) {
  bool two_factors = false;
  for (double factor : s2) two_factors = two_factors || factor != 1.0;
  const Path path = ChoosePath(isa, two_factors);
  pass_ = path.pass;
  // Padded with 0 (s1) and 1 (s2) to whole vectors: padding lanes compute exp(0), dropped.
  padded_ = (widths_ + path.lanes - 1) / path.lanes * path.lanes;
  s1_.assign(padded_, 0.0);
  s2_.assign(padded_, 1.0);
  std::copy(s1.begin(), s1.end(), s1_.begin());
  std::copy(s2.begin(), s2.end(), s2_.begin());
  totals_.resize(padded_);
}

absl::Span<const double> ShiftedExpPass::Run(const double* values, size_t size, double shift) {
  std::fill(totals_.begin(), totals_.end(), 0.0);
  pass_(values, size, shift, s1_.data(), s2_.data(), totals_.data(), widths_, padded_);
  return absl::MakeConstSpan(totals_).subspan(0, widths_);
}

}  // namespace parzen_gaussian_internal
}  // namespace parsweep
