// Each block takes three steps. The grid: the block's largest finite distance fixes S.
// Then, a chunk of samples at a time: the samples within the largest width are found four
// at a time (AVX2; the portable path one at a time, with the same operations, so the same
// integers) and packed to the front with their cell and integer terms; their terms are
// added to a count per half cell (below or at/above the cell's width), one sample at a
// time (AVX2 has no scatter). Last, the half cells are added to the widths' buckets and
// the buckets summed in width order.
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

#if PARSWEEP_X86_64_TARGETS
#include <immintrin.h>
#endif

namespace parsweep {
namespace radial {
namespace {

// Samples packed before their terms are added: the chunk's arrays stay in L1.
constexpr size_t kChunk = 512;
// Room past a packed array's end for the AVX2 path's four-wide stores.
constexpr size_t kSlack = 3;
constexpr double kMagic = 0x1.8p52;
// y < 2^kTermBits; lo = (y - hi) 2^kLowBits, |lo| <= 2^(kLowBits - 1).
constexpr int kTermBits = 38;
constexpr int kLowBits = 49;
// A sample's count, packed above the sum of hi (below 2^(kTermBits + 12) for 4096 samples).
constexpr uint64_t kCountUnit = uint64_t{1} << 51;

inline uint64_t Bits(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof(bits));
  return bits;
}

// Terms is sample r's packed count and hi, and its lo (two's complement); nothing for
// P = 0 (a count alone, added as kCountUnit).
template <int P>
inline void Terms(double r, double scale, uint64_t* term, uint64_t* low) {
  if constexpr (P > 0) {
    const double f = P == 1 ? r : r * r;
    const double y = f * scale;
    const double t = y + kMagic;
    const double hi = t - kMagic;
    const double t_low = (y - hi) * 0x1p49 + kMagic;
    *term = Bits(t) - Bits(kMagic) + kCountUnit;
    *low = Bits(t_low) - Bits(kMagic);
  }
}

// A packed sample's half cell: 2 c + (r >= the cell's width), or kSearchHalf in a cell
// with two widths.
constexpr uint64_t kSearchHalf = ~uint64_t{0};
inline uint64_t HalfOf(const WidthCells& cells, uint64_t cell, double r) {
  const double boundary = cells.table()[cell].boundary;
  if (ABSL_PREDICT_FALSE(boundary != boundary)) return kSearchHalf;
  return 2 * cell + (r >= boundary);
}

// Packed: a chunk's samples within the largest width, in order: their cells, distances and
// terms.
struct Packed {
  uint64_t* cell;
  double* r;
  uint64_t* term;
  uint64_t* low;
};

// PackChunk packs the samples of r[0..n) below the largest width (cell and distance) and
// returns how many.
// Branch-free: each sample is stored at the end, and the end advances only for one inside.
template <int P>
size_t PackChunk(const WidthCells& cells, const double* r, size_t n, Packed out) {
  size_t in = 0;
  for (size_t i = 0; i < n; ++i) {
    const double x = r[i];
    out.cell[in] = static_cast<uint64_t>(cells.CellOf(x));
    out.r[in] = x;
    in += x < cells.largest();
  }
  return in;
}

// Halves replaces each packed sample's cell by its half cell (HalfOf) and sets its terms.
template <int P>
void Halves(const WidthCells& cells, size_t in, double scale, Packed out) {
  for (size_t j = 0; j < in; ++j) {
    out.cell[j] = HalfOf(cells, out.cell[j], out.r[j]);
    Terms<P>(out.r[j], scale, out.term + j, out.low + j);
  }
}

#if PARSWEEP_X86_64_TARGETS
// PackChunk four samples a step. Writes up to kSlack entries past each array's end.
// Requires AVX2.
template <int P>
__attribute__((target("avx2"))) size_t PackChunkAvx2(const WidthCells& cells, const double* r,
                                                     size_t n, Packed out) {
  const __m256d largest = _mm256_set1_pd(cells.largest());
  const __m128i shift = _mm_cvtsi32_si128(cells.shift());
  const __m256i key_lo = _mm256_set1_epi64x(cells.key_lo());
  const __m256i last = _mm256_set1_epi64x(cells.cells() - 1);
  const __m256i zero = _mm256_setzero_si256();
  size_t in = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d x = _mm256_loadu_pd(r + i);
    const int mask = _mm256_movemask_pd(_mm256_cmp_pd(x, largest, _CMP_LT_OQ));
    // CellOf: the key, clamped to [0, last].
    __m256i key = _mm256_sub_epi64(_mm256_srl_epi64(_mm256_castpd_si256(x), shift), key_lo);
    key = _mm256_andnot_si256(_mm256_cmpgt_epi64(zero, key), key);
    key = _mm256_blendv_epi8(key, last, _mm256_cmpgt_epi64(key, last));
    Compress4x64(key, mask, out.cell + in);
    Compress4x64(_mm256_castpd_si256(x), mask, out.r + in);
    in += __builtin_popcount(mask);
  }
  if (i < n) {
    in += PackChunk<P>(cells, r + i, n - i, {out.cell + in, out.r + in, out.term, out.low});
  }
  return in;
}

// HalvesAvx2 replaces each packed sample's cell c by its half cell, 2 c + (r >= the cell's
// width), four at a time (one gather); a sample in a search cell (its width NaN) gets
// kSearchHalf. Requires AVX2.
template <int P>
__attribute__((target("avx2"))) void HalvesAvx2(const WidthCells& cells, size_t in, double scale,
                                                Packed out) {
  const double* boundaries = &cells.table()[0].boundary;
  const __m256d scale4 = _mm256_set1_pd(scale);
  const __m256d magic = _mm256_set1_pd(kMagic);
  const __m256i magic_bits = _mm256_set1_epi64x(static_cast<int64_t>(Bits(kMagic)));
  const __m256i count_unit = _mm256_set1_epi64x(static_cast<int64_t>(kCountUnit));
  const __m256d low_scale = _mm256_set1_pd(0x1p49);
  const __m256i search = _mm256_set1_epi64x(static_cast<int64_t>(kSearchHalf));
  size_t j = 0;
  for (; j + 4 <= in; j += 4) {
    const __m256i cell = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(out.cell + j));
    const __m256d x = _mm256_loadu_pd(out.r + j);
    const __m256d boundary = _mm256_i64gather_pd(boundaries, _mm256_slli_epi64(cell, 1), 8);
    const __m256i above = _mm256_castpd_si256(_mm256_cmp_pd(x, boundary, _CMP_GE_OQ));
    const __m256i unordered = _mm256_castpd_si256(_mm256_cmp_pd(boundary, boundary, _CMP_UNORD_Q));
    const __m256i half = _mm256_sub_epi64(_mm256_slli_epi64(cell, 1), above);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out.cell + j),
                        _mm256_blendv_epi8(half, search, unordered));
    if constexpr (P > 0) {
      const __m256d f = P == 1 ? x : _mm256_mul_pd(x, x);
      const __m256d y = _mm256_mul_pd(f, scale4);
      const __m256d t = _mm256_add_pd(y, magic);
      const __m256d hi = _mm256_sub_pd(t, magic);
      const __m256d t_low = _mm256_add_pd(_mm256_mul_pd(_mm256_sub_pd(y, hi), low_scale), magic);
      _mm256_storeu_si256(
          reinterpret_cast<__m256i*>(out.term + j),
          _mm256_add_epi64(_mm256_sub_epi64(_mm256_castpd_si256(t), magic_bits), count_unit));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out.low + j),
                          _mm256_sub_epi64(_mm256_castpd_si256(t_low), magic_bits));
    }
  }
  for (; j < in; ++j) {
    out.cell[j] = HalfOf(cells, out.cell[j], out.r[j]);
    Terms<P>(out.r[j], scale, out.term + j, out.low + j);
  }
}
#endif  // PARSWEEP_X86_64_TARGETS

// LargestFinite is the largest finite r[i] (0 if none), four running maxima so that no
// comparison waits on the one before.
double LargestFinite(const double* r, size_t n) {
  constexpr double kMax = std::numeric_limits<double>::max();
  double m[4] = {0.0, 0.0, 0.0, 0.0};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (size_t j = 0; j < 4; ++j) {
      const double x = r[i + j];
      m[j] = std::max(m[j], x <= kMax ? x : 0.0);
    }
  }
  for (; i < n; ++i) m[0] = std::max(m[0], r[i] <= kMax ? r[i] : 0.0);
  return std::max(std::max(m[0], m[1]), std::max(m[2], m[3]));
}

}  // namespace

PowerSums::PowerSums(int power) : power_(power) {}

bool PowerSums::Precise(double h) const {
  if (power_ == 0) return true;
  if (!(h >= 1e-12 && h <= 1e12)) return false;
  return 0.5 * quantum_ <= 0x1p-60 * (power_ == 1 ? h : h * h);
}

void PowerSums::Run(const WidthCells& cells, const double* r, size_t count, uint64_t zeros,
                    Isa isa) {
  const size_t m = cells.size();
  const size_t halves = 2 * static_cast<size_t>(cells.cells());
  // Zero between blocks (see the end): resized only for new cells.
  half_term_.resize(halves, 0);
  half_low_.resize(halves, 0);
  packed_.assign(m + 1, 0);
  low_.assign(m + 1, 0);
  counts_.resize(m);
  sums_.resize(m);
  // The grid: y = r^p 2^S < 2^38 for the largest finite r. S is kept within [-1000, 1000]
  // so that 2^S and the quantum are doubles; the lower clamp never binds (r^p <= 2^1024).
  int exponent = 0;
  if (power_ > 0) {
    const double largest = LargestFinite(r, count);
    const double f =
        std::min(power_ == 1 ? largest : largest * largest, std::numeric_limits<double>::max());
    std::frexp(f, &exponent);  // f < 2^exponent (f = 0: exponent 0).
  }
  const int s = std::clamp(kTermBits - exponent, -1000, 1000);
  const double scale = std::ldexp(1.0, s);
  quantum_ = std::ldexp(1.0, -(s + kLowBits));
  cell_.resize(kChunk + kSlack);
  r_.resize(kChunk + kSlack);
  term_.resize(kChunk + kSlack);
  term_low_.resize(kChunk + kSlack);
  const Packed packed{cell_.data(), r_.data(), term_.data(), term_low_.data()};
#if PARSWEEP_X86_64_TARGETS
  const bool avx2 = isa != Isa::kPortable && CpuHasAvx2();
#endif
  const auto run = [&](auto power) {
    constexpr int P = decltype(power)::value;
    for (size_t begin = 0; begin < count; begin += kChunk) {
      const size_t n = std::min(kChunk, count - begin);
#if PARSWEEP_X86_64_TARGETS
      const size_t in = avx2 ? PackChunkAvx2<P>(cells, r + begin, n, packed)
                             : PackChunk<P>(cells, r + begin, n, packed);
#else
      const size_t in = PackChunk<P>(cells, r + begin, n, packed);
#endif
#if PARSWEEP_X86_64_TARGETS
      if (avx2) {
        HalvesAvx2<P>(cells, in, scale, packed);
      } else {
        Halves<P>(cells, in, scale, packed);
      }
#else
      Halves<P>(cells, in, scale, packed);
#endif
      for (size_t j = 0; j < in; ++j) {
        const uint64_t half = packed.cell[j];
        if (ABSL_PREDICT_FALSE(half == kSearchHalf)) {  // Two widths in the cell: search.
          const size_t b = cells.Search(packed.r[j]);
          packed_[b] += P == 0 ? kCountUnit : packed.term[j];
          if constexpr (P > 0) low_[b] += packed.low[j];
          continue;
        }
        half_term_[half] += P == 0 ? kCountUnit : packed.term[j];
        if constexpr (P > 0) half_low_[half] += packed.low[j];
      }
    }
  };
  if (power_ == 0) {
    run(std::integral_constant<int, 0>());
  } else if (power_ == 1) {
    run(std::integral_constant<int, 1>());
  } else {
    run(std::integral_constant<int, 2>());
  }
  // The halves summed in order, each width's sums read where its halves end; the halves
  // are left zero for the next block. Samples in search cells were added to their width
  // directly.
  uint64_t sum_packed = 0;
  uint64_t sum_low = 0;
  size_t half = 0;
  for (size_t k = 0; k < m; ++k) {
    for (const size_t end = cells.HalfEnd(k); half < end; ++half) {
      sum_packed += half_term_[half];
      sum_low += half_low_[half];
      half_term_[half] = 0;
      half_low_[half] = 0;
    }
    sum_packed += packed_[k];
    sum_low += low_[k];
    counts_[k] = (sum_packed >> 51) - zeros;
    if (power_ > 0) {
      // hi sum 2^49 + lo sum: below 2^100 in magnitude; one rounding to a double.
      const __int128 exact =
          static_cast<__int128>(sum_packed & (kCountUnit - 1)) * (__int128{1} << kLowBits) +
          static_cast<int64_t>(sum_low);
      sums_[k] = static_cast<double>(exact) * quantum_;
    } else {
      sums_[k] = 0.0;
    }
  }
  std::fill(half_term_.begin() + half, half_term_.end(), 0);
  std::fill(half_low_.begin() + half, half_low_.end(), 0);
}

}  // namespace radial
}  // namespace parsweep
