// Each block takes three steps.
//   1. Pack: each sample's q; those below the largest threshold are packed to the front
//      (AVX2: four 2-D samples a step, a compress store; portable: one at a time, the same
//      operations, so the same q). The block's largest finite q, which fixes the grid,
//      comes out of the same pass.
//   2. Halves: each packed sample's cell, its half cell (one comparison with the cell's
//      threshold; AVX2: a gather for four) and its integer terms.
//   3. The terms are added to their half cell, one sample at a time (AVX2 has no
//      scatter); then the halves are summed in order and each width's sums read where its
//      halves end.
// The order in which samples are added does not matter (integers): the AVX2 path keeps
// hadd's lane order.
//
// Rounding to an integer without a conversion instruction (AVX2 has none for 64 bits): for
// 0 <= y < 2^51, y + 1.5 2^52 is rounded to an integer by the addition itself and that
// integer sits in the low mantissa bits, so bits(y + M) - bits(M) is round(y). Both paths
// use it, so both round alike.
#include "kernels/radial/power_sums.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "absl/base/optimization.h"
#include "kernels/avx2_compress.h"
#include "kernels/avx2_distances.h"
#include "kernels/radial/radial_profile.h"

#if PARSWEEP_X86_64_TARGETS
#include <immintrin.h>
#endif

namespace parsweep {
namespace radial {
namespace {

constexpr size_t kCacheLine = 64;
// Room past a packed array's end for the AVX2 path's four-wide stores.
constexpr size_t kSlack = 3;
constexpr double kMagic = 0x1.8p52;
constexpr double kMaxDouble = std::numeric_limits<double>::max();
// y < 2^kTermBits; lo = (y - hi) 2^kLowBits, |lo| <= 2^(kLowBits - 1).
constexpr int kTermBits = 38;
constexpr int kLowBits = 49;
// A sample's count, packed above the sum of hi (below 2^(kTermBits + 12) for 4096 samples).
constexpr uint64_t kCountUnit = uint64_t{1} << 51;
// A packed sample's half cell in a cell with two thresholds: it is searched for.
constexpr uint64_t kSearchHalf = ~uint64_t{0};

inline uint64_t Bits(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof(bits));
  return bits;
}

// Terms is the packed count and hi, and the lo (two's complement), of a sample with
// squared distance q, for P = 1 (r = fl(sqrt(q))) or 2 (q).
template <int P>
inline void Terms(double q, double scale, uint64_t* pair) {
  const double f = P == 1 ? std::sqrt(q) : q;
  const double y = f * scale;
  const double t = y + kMagic;
  const double hi = t - kMagic;
  const double t_low = (y - hi) * 0x1p49 + kMagic;
  pair[0] = Bits(t) - Bits(kMagic) + kCountUnit;
  pair[1] = Bits(t_low) - Bits(kMagic);
}

// Packed: the block's samples within the largest width.
struct Packed {
  uint64_t* cell;
  double* q;
  uint64_t* pair;  // Two a sample: its packed term and its lo.
};

// What a pack pass returns beside the packed samples.
struct PackCounts {
  size_t in = 0;           // Samples packed.
  uint64_t zeros = 0;      // Samples with q = 0.
  double largest_q = 0.0;  // The largest finite q (0 if none).
};

// Pack packs the samples of `block` with q below the largest threshold, in order, after the
// counts.in already packed.
// Branch-free: each sample is stored at the end, and the end advances only for one inside.
void Pack(const WidthCells& cells, ConstMatrixView block, const double* point, Packed out,
          PackCounts& counts) {
  const size_t d = block.cols();
  for (size_t i = 0; i < block.rows(); ++i) {
    const double* s = block.row(i).data();
    double q = 0.0;
    for (size_t j = 0; j < d; ++j) q += (point[j] - s[j]) * (point[j] - s[j]);
    out.q[counts.in] = q;
    counts.in += q < cells.largest();
    counts.zeros += q == 0.0;
    counts.largest_q = std::max(counts.largest_q, q <= kMaxDouble ? q : 0.0);
  }
}

// HalfOf is a packed sample's half cell: 2 c + (q >= cell c's threshold) for its cell c,
// or kSearchHalf.
inline uint64_t HalfOf(const WidthCells& cells, double q) {
  const uint64_t cell = static_cast<uint64_t>(cells.CellOf(q));
  const double boundary = cells.table()[cell].boundary;
  if (ABSL_PREDICT_FALSE(boundary != boundary)) return kSearchHalf;
  return 2 * cell + (q >= boundary);
}

// Halves sets each packed sample's half cell and its terms.
template <int P>
void Halves(const WidthCells& cells, size_t in, double scale, Packed out) {
  for (size_t j = 0; j < in; ++j) {
    out.cell[j] = HalfOf(cells, out.q[j]);
    if constexpr (P > 0) Terms<P>(out.q[j], scale, out.pair + 2 * j);
  }
}

#if PARSWEEP_X86_64_TARGETS
// Pack for 2-D samples, four a step. Writes up to kSlack entries past each array's end.
// Requires AVX2.
__attribute__((target("avx2"))) void PackTwoDimensionsAvx2(const WidthCells& cells,
                                                           ConstMatrixView block,
                                                           const double* point, Packed out,
                                                           PackCounts& counts) {
  const __m256d x = _mm256_setr_pd(point[0], point[1], point[0], point[1]);
  const __m256d largest = _mm256_set1_pd(cells.largest());
  const __m256d zero = _mm256_setzero_pd();
  // maxpd returns its second operand where either is NaN: NaN q are passed over.
  __m256d largest_q = zero;
  __m256i zeros = _mm256_setzero_si256();
  const double* s = block.data();
  const size_t n = block.rows();
  size_t in = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d q = SquaredDistances4x2D(x, s + 2 * i);  // Samples 0, 2, 1, 3.
    zeros = _mm256_sub_epi64(zeros, _mm256_castpd_si256(_mm256_cmp_pd(q, zero, _CMP_EQ_OQ)));
    largest_q = _mm256_max_pd(q, largest_q);
    const int mask = _mm256_movemask_pd(_mm256_cmp_pd(q, largest, _CMP_LT_OQ));
    in += Compress4x64(_mm256_castpd_si256(q), mask, out.q + in);
  }
  alignas(32) double top[4];
  _mm256_store_pd(top, largest_q);
  alignas(32) uint64_t zero_lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(zero_lanes), zeros);
  counts.in += in;
  counts.zeros += zero_lanes[0] + zero_lanes[1] + zero_lanes[2] + zero_lanes[3];
  counts.largest_q = std::max(std::max(top[0], top[1]), std::max(top[2], top[3]));
  if (counts.largest_q > kMaxDouble) {  // An infinite q: the largest finite one, again.
    counts.largest_q = 0.0;
    for (size_t k = 0; k < i; ++k) {
      const double dx = point[0] - s[2 * k];
      const double dy = point[1] - s[2 * k + 1];
      const double q = dx * dx + dy * dy;
      if (q <= kMaxDouble) counts.largest_q = std::max(counts.largest_q, q);
    }
  }
  if (i < n) Pack(cells, ConstMatrixView(s + 2 * i, n - i, 2), point, out, counts);
}

// Halves four packed samples a step (one gather for their thresholds). Writes up to
// kSlack entries past each array's end. Requires AVX2.
template <int P>
__attribute__((target("avx2"))) void HalvesAvx2(const WidthCells& cells, size_t in, double scale,
                                                Packed out) {
  const double* boundaries = &cells.table()[0].boundary;
  const __m128i shift = _mm_cvtsi32_si128(cells.shift());
  const __m256i key_lo = _mm256_set1_epi64x(cells.key_lo());
  const __m256i last = _mm256_set1_epi64x(cells.cells() - 1);
  const __m256i zero = _mm256_setzero_si256();
  const __m256i search = _mm256_set1_epi64x(static_cast<int64_t>(kSearchHalf));
  const __m256d scale4 = _mm256_set1_pd(scale);
  const __m256d magic = _mm256_set1_pd(kMagic);
  const __m256i magic_bits = _mm256_set1_epi64x(static_cast<int64_t>(Bits(kMagic)));
  const __m256i count_unit = _mm256_set1_epi64x(static_cast<int64_t>(kCountUnit));
  const __m256d low_scale = _mm256_set1_pd(0x1p49);
  size_t j = 0;
  for (; j + 4 <= in; j += 4) {
    const __m256d q = _mm256_loadu_pd(out.q + j);
    // CellOf: the key, clamped to [0, last].
    __m256i cell = _mm256_sub_epi64(_mm256_srl_epi64(_mm256_castpd_si256(q), shift), key_lo);
    cell = _mm256_andnot_si256(_mm256_cmpgt_epi64(zero, cell), cell);
    cell = _mm256_blendv_epi8(cell, last, _mm256_cmpgt_epi64(cell, last));
    const __m256d boundary = _mm256_i64gather_pd(boundaries, _mm256_slli_epi64(cell, 1), 8);
    // above is all ones (-1) where q >= the threshold.
    const __m256i above = _mm256_castpd_si256(_mm256_cmp_pd(q, boundary, _CMP_GE_OQ));
    const __m256i unordered = _mm256_castpd_si256(_mm256_cmp_pd(boundary, boundary, _CMP_UNORD_Q));
    const __m256i half = _mm256_sub_epi64(_mm256_slli_epi64(cell, 1), above);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out.cell + j),
                        _mm256_blendv_epi8(half, search, unordered));
    if constexpr (P > 0) {
      const __m256d f = P == 1 ? _mm256_sqrt_pd(q) : q;
      const __m256d y = _mm256_mul_pd(f, scale4);
      const __m256d t = _mm256_add_pd(y, magic);
      const __m256d hi = _mm256_sub_pd(t, magic);
      const __m256d t_low = _mm256_add_pd(_mm256_mul_pd(_mm256_sub_pd(y, hi), low_scale), magic);
      const __m256i term =
          _mm256_add_epi64(_mm256_sub_epi64(_mm256_castpd_si256(t), magic_bits), count_unit);
      const __m256i low = _mm256_sub_epi64(_mm256_castpd_si256(t_low), magic_bits);
      // Interleaved in pairs, {term, lo} for samples j to j + 3.
      const __m256i even = _mm256_unpacklo_epi64(term, low);  // Samples j, j + 2.
      const __m256i odd = _mm256_unpackhi_epi64(term, low);   // Samples j + 1, j + 3.
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out.pair + 2 * j),
                          _mm256_permute2x128_si256(even, odd, 0x20));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out.pair + 2 * j + 4),
                          _mm256_permute2x128_si256(even, odd, 0x31));
    }
  }
  if (j < in) {
    Halves<P>(cells, in - j, scale, {out.cell + j, out.q + j, out.pair + 2 * j});
  }
}
#endif  // PARSWEEP_X86_64_TARGETS

// NextUp and NextDown step to the adjacent double (for q >= 0, finite).
inline double NextUp(double q) {
  return std::nextafter(q, std::numeric_limits<double>::infinity());
}
inline double NextDown(double q) { return std::nextafter(q, 0.0); }

}  // namespace

PowerSums::PowerSums(int power) : power_(power) {}

double PowerSums::SquaredThreshold(double h) {
  double q = h * h;
  if (!(q <= kMaxDouble)) {  // h^2 beyond the doubles: is any finite q's root h or above?
    if (std::sqrt(kMaxDouble) < h) return std::numeric_limits<double>::infinity();
    q = kMaxDouble;
  }
  // The rounded root is monotone in q: step down while the next q below still qualifies,
  // then up until q does (one or two steps from h^2 in the normal range).
  while (q > 0.0 && std::sqrt(NextDown(q)) >= h) q = NextDown(q);
  while (std::sqrt(q) < h) q = NextUp(q);
  return q;
}

bool PowerSums::Precise(double h) const {
  if (power_ == 0) return true;
  if (!(h >= kMomentWidthMin && h <= kMomentWidthMax)) return false;
  return 0.5 * quantum_ <= 0x1p-60 * (power_ == 1 ? h : h * h);
}

uint64_t PowerSums::Run(const WidthCells& cells, ConstMatrixView block, const double* point,
                        ConstMatrixView next, Isa isa) {
  const size_t m = cells.size();
  const size_t halves = 2 * static_cast<size_t>(cells.cells());
  // Zero between blocks (see the end): resized only for new cells.
  half_sums_.resize(2 * halves, 0);
  packed_.assign(m + 1, 0);
  low_.assign(m + 1, 0);
  counts_.resize(m);
  sums_.resize(m);
  cell_.resize(block.rows() + kSlack);
  q_.resize(block.rows() + kSlack);
  pair_.resize(2 * (block.rows() + kSlack));
  const Packed packed{cell_.data(), q_.data(), pair_.data()};
#if PARSWEEP_X86_64_TARGETS
  const bool avx2 = isa != Isa::kPortable && CpuHasAvx2();
#endif
  PackCounts counts;
#if PARSWEEP_X86_64_TARGETS
  if (avx2 && block.cols() == 2) {
    PackTwoDimensionsAvx2(cells, block, point, packed, counts);
  } else {
    Pack(cells, block, point, packed, counts);
  }
#else
  Pack(cells, block, point, packed, counts);
#endif
  // The grid: y = r^p 2^S < 2^38 for the largest finite r (r^2 as q). S is kept within
  // [-1000, 1000] so that 2^S and the quantum are doubles; the lower clamp never binds.
  int exponent = 0;
  if (power_ > 0) {
    const double f = power_ == 1 ? std::sqrt(counts.largest_q) : counts.largest_q;
    std::frexp(f, &exponent);  // f < 2^exponent (f = 0: exponent 0).
  }
  const int s = std::clamp(kTermBits - exponent, -1000, 1000);
  const double scale = std::ldexp(1.0, s);
  quantum_ = std::ldexp(1.0, -(s + kLowBits));
  const size_t in = counts.in;
  const auto add = [&](auto power) {
    constexpr int P = decltype(power)::value;
#if PARSWEEP_X86_64_TARGETS
    if (avx2) {
      HalvesAvx2<P>(cells, in, scale, packed);
    } else {
      Halves<P>(cells, in, scale, packed);
    }
#else
    Halves<P>(cells, in, scale, packed);
#endif
    // While the terms are added no sample is loaded, and the hardware prefetcher, which
    // follows loads, stops: the adds ask for the next block's lines, one per two samples,
    // so that memory keeps streaming under them (as the hypercube's band search does).
    const char* next_bytes = reinterpret_cast<const char*>(next.data());
    const size_t next_lines = next.rows() * next.cols() * sizeof(double) / kCacheLine;
    // Plain pointers: the stores through them could alias a vector's own, which the
    // compiler would then reload every step.
    uint64_t* const half_sums = half_sums_.data();
    for (size_t j = 0; j < in; ++j) {
      if ((j & 1) == 0 && j / 2 < next_lines) __builtin_prefetch(next_bytes + (j / 2) * kCacheLine);
      const uint64_t half = packed.cell[j];
      if (ABSL_PREDICT_FALSE(half == kSearchHalf)) {  // Two thresholds in the cell: search.
        const size_t b = cells.Search(packed.q[j]);
        packed_[b] += P == 0 ? kCountUnit : packed.pair[2 * j];
        if constexpr (P > 0) low_[b] += packed.pair[2 * j + 1];
        continue;
      }
      uint64_t* sums = half_sums + 2 * half;
      if constexpr (P == 0) {
        sums[0] += kCountUnit;
      } else {
#if PARSWEEP_X86_64_TARGETS
        // Both words in one 16-byte add (SSE2, every x86-64).
        const __m128i pair = _mm_loadu_si128(reinterpret_cast<const __m128i*>(packed.pair + 2 * j));
        __m128i* both = reinterpret_cast<__m128i*>(sums);
        _mm_storeu_si128(both, _mm_add_epi64(_mm_loadu_si128(both), pair));
#else
        sums[0] += packed.pair[2 * j];
        sums[1] += packed.pair[2 * j + 1];
#endif
      }
    }
  };
  if (power_ == 0) {
    add(std::integral_constant<int, 0>());
  } else if (power_ == 1) {
    add(std::integral_constant<int, 1>());
  } else {
    add(std::integral_constant<int, 2>());
  }
  // The halves summed in order, each width's sums read where its halves end; the halves
  // are left zero for the next block. Samples in search cells were added to their width
  // directly.
  uint64_t sum_packed = 0;
  uint64_t sum_low = 0;
  size_t half = 0;
  size_t half_low_begin = 0;  // The lo sums are read only for p > 0 (zero otherwise).
  for (size_t k = 0; k < m; ++k) {
    for (const size_t end = cells.HalfEnd(k); half < end; ++half) {
      sum_packed += half_sums_[2 * half];
      half_sums_[2 * half] = 0;
    }
    sum_packed += packed_[k];
    sum_low += low_[k];
    if (power_ > 0) {
      for (size_t h = half_low_begin; h < half; ++h) {
        sum_low += half_sums_[2 * h + 1];
        half_sums_[2 * h + 1] = 0;
      }
      half_low_begin = half;
    }
    counts_[k] = (sum_packed >> 51) - counts.zeros;
    if (power_ > 0) {
      // hi sum 2^49 + lo sum, with lo's carry moved into hi: both parts are then exact
      // doubles (hi < 2^53, 0 <= lo < 2^49), and their one addition rounds the exact sum.
      const int64_t low = static_cast<int64_t>(sum_low);
      const int64_t high = static_cast<int64_t>(sum_packed & (kCountUnit - 1)) + (low >> kLowBits);
      const int64_t rest = low & ((int64_t{1} << kLowBits) - 1);
      sums_[k] = (static_cast<double>(high) * 0x1p49 + static_cast<double>(rest)) * quantum_;
    } else {
      sums_[k] = 0.0;
    }
  }
  std::fill(half_sums_.begin() + 2 * half, half_sums_.end(), 0);
  return counts.zeros;
}

}  // namespace radial
}  // namespace parsweep
