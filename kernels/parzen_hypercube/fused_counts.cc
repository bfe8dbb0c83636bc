// The fused pass. parzen_hypercube.cc argues why it equals the per-width loop; in short:
// with d_j = |x_j - s_j| computed exactly as the loop computes it, "d_j <= h/2 for every
// j" holds exactly when c = max_j d_j <= h/2, since the maximum of doubles is one of them
// (no rounding), and a NaN d_j is carried into c (StickyMax) so it fails both tests. A
// sample then counts for exactly the widths with half-width >= c, and a histogram of the
// first sorted half-width >= c, prefix-summed, gives every width's count.
//
// Speed (d = 2, 10^7 samples, 100 widths; numbers in the benchmark): the pass streams the
// samples once, in blocks. Each block's distances are computed and classified without
// branches: c <= the smallest half-width counts for every width (one counter), c > the
// largest (or NaN) for none, and only the band in between is appended to a buffer. The
// AVX2 path does four samples per step and appends the band with one permute and one
// store. Band entries then find their index through a bucket table (SortedHalves) rather
// than a binary search: a multiply, a table load and one comparison, with no
// data-dependent branch. Measured on the benchmark's data: computing all distances first
// and classifying them in a second loop was 2.4x slower than classifying branch-free as
// they are computed; searching the band after every block instead of in batches was 1.7x
// slower at 1000 widths (the table is evicted by the streaming samples between blocks);
// software prefetching of the samples made the pass slower, not faster.
#include "kernels/parzen_hypercube/fused_counts.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "absl/base/optimization.h"
#include "kernels/avx2_compress.h"
#include "kernels/cpu_features.h"

#if PARSWEEP_X86_64_TARGETS
#include <immintrin.h>
#endif

namespace parsweep {
namespace parzen_hypercube_internal {
namespace {

// Bytes per cache line, for software prefetching, and the samples' size from which the
// fused pass prefetches (beyond any core's L2).
constexpr size_t kCacheLine = 64;
constexpr size_t kPrefetchMinBytes = size_t{4} << 20;
// Samples classified per step of the fused pass.
constexpr size_t kBlock = 512;
// Most band entries searched at once (see AddFusedCountsDims).
constexpr size_t kMaxBatch = 2048;
// Room past the band's end for the AVX2 path's four-wide store.
constexpr size_t kBandSlack = 4;
// Below this many samples per call, the fused pass skips the sort and the table and
// compares each sample's c with every half-width directly (still exact: c <= h/2 is the
// naive test, once the maximum is taken). Around 64 rows the two cost about the same for
// 100 and for 1000 widths (the sort and table take 2-3 us and 25-30 us).
constexpr size_t kDirectMaxRows = 64;
// Buckets of the lookup table per distinct half-width: enough that a bucket rarely holds
// two half-widths (which would need a binary search).
constexpr size_t kBucketsPerWidth = 4;
constexpr size_t kMaxBuckets = size_t{1} << 16;

using V2 = double __attribute__((vector_size(16)));
using V2u = uint64_t __attribute__((vector_size(16)));

inline V2 Load2(const double* p) {
  V2 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

inline V2 Abs2(V2 v) {
  const V2u mask = {~(uint64_t{1} << 63), ~(uint64_t{1} << 63)};
  return reinterpret_cast<V2>(reinterpret_cast<V2u>(v) & mask);
}

// StickyMax2 is the lane-wise max(a, b) for a, b >= 0 that is NaN when either is NaN. The
// select alone (one maxpd) returns b when a is NaN; adding a - a (+0 for finite a, NaN for
// NaN or infinite a) restores the NaN. Turning an infinite a into NaN is harmless: both are
// inside no window. For finite a the addition of +0 is exact.
inline V2 StickyMax2(V2 a, V2 b) { return (a > b ? a : b) + (a - a); }

// StickyMax is the scalar max(a, b) that is NaN when either is NaN.
inline double StickyMax(double a, double b) { return (a > b || a != a) ? a : b; }

// Chebyshev is max_j |x_j - s_j| over j < d, NaN if any term is NaN. Requires d >= 1.
inline double Chebyshev(const double* s, const double* x, size_t d) {
  double c = std::abs(x[0] - s[0]);
  for (size_t j = 1; j < d; ++j) c = StickyMax(std::abs(x[j] - s[j]), c);
  return c;
}

// ClassifyBlock computes c = Chebyshev(s_i, x) for `rows` samples of dimension `dims`
// starting at `s`, adds the number with c <= lo (inside every window) to *inside, and
// appends to `band` the c with lo < c <= hi (each needs a search); returns how many it
// appended. The rest (c > hi, or NaN) are inside no window. D > 0 fixes the dimension at
// compile time. Appends are branch-free: every c is stored at the band's end, and the end
// advances only for a c in the band.
template <int D>
size_t ClassifyBlock(const double* s, size_t rows, const double* x, size_t dims, double lo,
                     double hi, double* band, uint64_t* inside) {
  const size_t d = D > 0 ? D : dims;
  size_t in_band = 0;
  uint64_t in_all = 0;
  for (size_t i = 0; i < rows; ++i) {
    const double c = Chebyshev(s + i * d, x, d);
    in_all += c <= lo;
    band[in_band] = c;
    in_band += (c > lo) & (c <= hi);
  }
  *inside += in_all;
  return in_band;
}

// d = 2, portable: two samples per step; {dx0, dy0}, {dx1, dy1} are transposed to
// {dx0, dx1}, {dy0, dy1} so one vector max gives both distances.
template <>
size_t ClassifyBlock<2>(const double* s, size_t rows, const double* x, size_t, double lo, double hi,
                        double* band, uint64_t* inside) {
  const V2 point = {x[0], x[1]};
  const V2 lo2 = {lo, lo};
  const V2 hi2 = {hi, hi};
  V2u in_all = {0, 0};
  size_t in_band = 0;
  size_t i = 0;
  for (; i + 2 <= rows; i += 2) {
    const V2 a = Abs2(point - Load2(s + 2 * i));
    const V2 b = Abs2(point - Load2(s + 2 * i + 2));
    const V2 dx = __builtin_shufflevector(a, b, 0, 2);
    const V2 dy = __builtin_shufflevector(a, b, 1, 3);
    const V2 c = StickyMax2(dx, dy);
    in_all -= reinterpret_cast<V2u>(c <= lo2);  // A true lane is all ones: -1.
    const V2u in = reinterpret_cast<V2u>((c > lo2) & (c <= hi2));
    band[in_band] = c[0];
    in_band += in[0] & 1;
    band[in_band] = c[1];
    in_band += in[1] & 1;
  }
  *inside += in_all[0] + in_all[1];
  if (i < rows) {
    in_band += ClassifyBlock<0>(s + 2 * i, rows - i, x, 2, lo, hi, band + in_band, inside);
  }
  return in_band;
}

#if PARSWEEP_X86_64_TARGETS
// ClassifyBlock2Avx2 is ClassifyBlock<2> four samples per step. Writes up to kBandSlack
// doubles past the band's end. Requires AVX2.
__attribute__((target("avx2"))) size_t ClassifyBlock2Avx2(const double* s, size_t rows,
                                                          const double* x, double lo, double hi,
                                                          double* band, uint64_t* inside) {
  const __m256d point = _mm256_setr_pd(x[0], x[1], x[0], x[1]);
  const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffff));
  const __m256d lo4 = _mm256_set1_pd(lo);
  const __m256d hi4 = _mm256_set1_pd(hi);
  __m256i in_all = _mm256_setzero_si256();
  size_t in_band = 0;
  size_t i = 0;
  for (; i + 4 <= rows; i += 4) {
    // a = {dx0, dy0, dx1, dy1}, b = {dx2, dy2, dx3, dy3}; unpacking works within 128-bit
    // halves, so dx = {dx0, dx2, dx1, dx3}: the order of samples does not matter here.
    const __m256d a = _mm256_and_pd(_mm256_sub_pd(point, _mm256_loadu_pd(s + 2 * i)), abs_mask);
    const __m256d b = _mm256_and_pd(_mm256_sub_pd(point, _mm256_loadu_pd(s + 2 * i + 4)), abs_mask);
    const __m256d dx = _mm256_unpacklo_pd(a, b);
    const __m256d dy = _mm256_unpackhi_pd(a, b);
    // maxpd returns its second operand when either is NaN; + (dx - dx) carries a NaN dx.
    const __m256d c = _mm256_add_pd(_mm256_max_pd(dx, dy), _mm256_sub_pd(dx, dx));
    in_all = _mm256_sub_epi64(in_all, _mm256_castpd_si256(_mm256_cmp_pd(c, lo4, _CMP_LE_OQ)));
    const int mask = _mm256_movemask_pd(
        _mm256_and_pd(_mm256_cmp_pd(c, lo4, _CMP_GT_OQ), _mm256_cmp_pd(c, hi4, _CMP_LE_OQ)));
    in_band += Compress4x64(_mm256_castpd_si256(c), mask, band + in_band);
  }
  alignas(32) uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), in_all);
  *inside += lanes[0] + lanes[1] + lanes[2] + lanes[3];
  if (i < rows) {
    in_band += ClassifyBlock<0>(s + 2 * i, rows - i, x, 2, lo, hi, band + in_band, inside);
  }
  return in_band;
}
#endif  // PARSWEEP_X86_64_TARGETS

// NextUp is std::nextafter(h, +infinity) for a finite h > 0 (inline: the library call is
// most of a small table's cost), and the library's answer otherwise.
inline double NextUp(double h) {
  if (!(h > 0.0 && h < std::numeric_limits<double>::max())) {
    return std::nextafter(h, std::numeric_limits<double>::infinity());
  }
  uint64_t bits;
  std::memcpy(&bits, &h, sizeof(bits));
  ++bits;
  std::memcpy(&h, &bits, sizeof(h));
  return h;
}

// SortedHalves holds the half-widths sorted ascending, each with the slot it came from, and
// finds k(c) = the first sorted index with half-width >= c for c in the band
// lo() < c <= hi() through a table of buckets over the band.
//
// The bucket of c is B(c) = min(floor((c - lo) * scale), last): a monotone function of c
// (rounded subtraction and multiplication by a positive number are monotone), computed
// the same way here and when the table is built. For each distinct half-width H strictly
// inside the band, every c <= H has B(c) <= B(H) and every c > H has B(c) >= B(H+), H+ the
// next double above H. So if B(H) < B(H+), no bucket holds c on both sides of H; otherwise
// bucket B(H) does, and there c > H decides. A bucket with no such H has one k for all its
// c: base = (the half-widths equal to lo) + (the others with B(H) below the bucket). A
// bucket with one has k = base + (c > H ? duplicates of H : 0). A bucket with two or more
// (half-widths closer together than a bucket) falls back to a binary search. The result is
// exactly the lower bound, whatever the rounding of the bucket arithmetic.
class SortedHalves {
 public:
  explicit SortedHalves(absl::Span<const double> widths) {
    const size_t m = widths.size();
    std::vector<std::pair<double, uint32_t>> pairs(m);
    for (size_t w = 0; w < m; ++w) pairs[w] = {0.5 * widths[w], static_cast<uint32_t>(w)};
    // Sweeps list their widths in order, most often: then the pairs are sorted already.
    if (!std::is_sorted(pairs.begin(), pairs.end())) std::sort(pairs.begin(), pairs.end());
    halves_.resize(m);
    slots_.resize(m);
    size_t distinct = 0;
    for (size_t i = 0; i < m; ++i) {
      halves_[i] = pairs[i].first;
      slots_[i] = pairs[i].second;
      distinct += i == 0 || pairs[i].first != pairs[i - 1].first;
    }
    lo_ = halves_.front();
    hi_ = halves_.back();
    if (!(hi_ > lo_)) return;  // No band.
    const size_t buckets = std::min(kMaxBuckets, kBucketsPerWidth * distinct);
    last_bucket_ = static_cast<double>(buckets - 1);
    scale_ =
        std::min(static_cast<double>(buckets) / (hi_ - lo_), std::numeric_limits<double>::max());
    table_.assign(buckets, Bucket{0, 0});
    // below[b]: half-widths inside the band whose bucket is b (so below every later bucket).
    std::vector<uint32_t> below(buckets + 1, 0);
    size_t at_lo = 0;
    while (at_lo < m && halves_[at_lo] == lo_) ++at_lo;
    for (size_t i = at_lo; i < m && halves_[i] < hi_;) {
      const double h = halves_[i];
      size_t end = i;
      while (halves_[end] == h) ++end;  // Stops at hi_ > h.
      const size_t bucket = BucketOf(h);
      below[bucket + 1] += static_cast<uint32_t>(end - i);
      if (bucket == BucketOf(NextUp(h))) {
        Bucket& entry = table_[bucket];
        entry.step = entry.step == 0 ? static_cast<uint32_t>(end - i) : kSearch;
      }
      i = end;
    }
    uint32_t base = static_cast<uint32_t>(at_lo);
    for (size_t b = 0; b < buckets; ++b) {
      base += below[b];
      table_[b].base = base;
    }
  }

  double lo() const { return lo_; }
  double hi() const { return hi_; }
  size_t size() const { return slots_.size(); }
  uint32_t slot(size_t i) const { return slots_[i]; }

  // SortedHalves::Find is k(c). Requires lo() < c <= hi() (so c is not NaN).
  size_t Find(double c) const {
    const Bucket& entry = table_[BucketOf(c)];
    if (ABSL_PREDICT_FALSE(entry.step == kSearch)) {
      return std::lower_bound(halves_.begin(), halves_.end(), c) - halves_.begin();
    }
    // Branch-free: the comparison is unpredictable in a bucket with a boundary.
    const uint32_t above = c > halves_[entry.base];
    return entry.base + (entry.step & (0u - above));
  }

 private:
  // A bucket with one boundary inside has k = base for c <= H and base + step for c > H,
  // where H = halves_[base] (the first of its duplicates); with none, step = 0 and k = base
  // (base < size() since c <= hi). kSearch marks two or more boundaries.
  struct Bucket {
    uint32_t base;
    uint32_t step;
  };
  static constexpr uint32_t kSearch = std::numeric_limits<uint32_t>::max();

  // Requires c > lo_ (then 0 <= t <= last_bucket_, and the signed conversion, one instruction,
  // truncates exactly).
  size_t BucketOf(double c) const {
    const double t = std::min((c - lo_) * scale_, last_bucket_);
    return static_cast<size_t>(static_cast<int64_t>(t));
  }

  std::vector<double> halves_;
  std::vector<uint32_t> slots_;
  std::vector<Bucket> table_;
  double lo_ = 0;
  double hi_ = 0;
  double scale_ = 0;
  double last_bucket_ = 0;  // The last bucket's index.
};

// AddDirectCounts is the fused pass for a block of at most kDirectMaxRows samples: each
// sample's c once, compared with every half-width (the naive test, once the maximum is
// taken), without the sort and the table.
void AddDirectCounts(ConstMatrixView samples, const double* point, absl::Span<const double> widths,
                     absl::Span<uint64_t> counts) {
  const size_t rows = samples.rows();
  const size_t d = samples.cols();
  double c[kDirectMaxRows];
  for (size_t i = 0; i < rows; ++i) c[i] = Chebyshev(samples.data() + i * d, point, d);
  for (size_t w = 0; w < widths.size(); ++w) {
    const double half = 0.5 * widths[w];
    uint64_t inside = 0;
    for (size_t i = 0; i < rows; ++i) inside += c[i] <= half;
    counts[w] += inside;
  }
}

// FusedPass is the fused pass over every sample for one point, with the half-widths and the
// buffers (`hist`, one count per half-width, and `band`) prepared by the caller once for all
// points.
template <int D>
void FusedPass(ConstMatrixView samples, const double* point, const SortedHalves& halves, bool avx2,
               uint64_t* hist, double* band, absl::Span<uint64_t> counts) {
  const size_t rows = samples.rows();
  const size_t d = samples.cols();
  const size_t m = halves.size();
  const double lo = halves.lo();
  const double hi = halves.hi();
  // hist[k] = samples whose first half-width >= c is sorted index k; k = m (inside no
  // window) is not kept.
  std::fill(hist, hist + halves.size(), 0);
  uint64_t inside_all = 0;  // k = 0, counted apart.
  // The band is searched in batches of about two entries per half-width: enough to
  // amortise bringing the table back into L1 after the samples streamed through it, small
  // enough that the batch itself stays there (measured: 100 widths want a batch per block,
  // 1000 widths one per ~4 blocks).
  const size_t batch = std::min(kMaxBatch, 2 * m);
  // While the band is searched no sample is loaded, and the hardware prefetcher, which
  // follows loads, stops: where the samples come from memory, the search asks for the lines
  // that come next, one per two entries searched, so that memory keeps streaming under it.
  // (From cache there is nothing to gain, and the prefetches cost instructions.)
  const size_t size = rows * d * sizeof(double);
  const bool prefetch = size >= kPrefetchMinBytes;
  size_t in_band = 0;
  for (size_t begin = 0; begin < rows; begin += kBlock) {
    const size_t block = std::min(kBlock, rows - begin);
    const double* s = samples.data() + begin * d;
    double* end = band + in_band;
#if PARSWEEP_X86_64_TARGETS
    if (D == 2 && avx2) {
      in_band += ClassifyBlock2Avx2(s, block, point, lo, hi, end, &inside_all);
    } else {
      in_band += ClassifyBlock<D>(s, block, point, d, lo, hi, end, &inside_all);
    }
#else
    in_band += ClassifyBlock<D>(s, block, point, d, lo, hi, end, &inside_all);
#endif
    if (in_band >= batch || begin + block == rows) {
      if (prefetch) {
        const char* data = reinterpret_cast<const char*>(samples.data());
        const size_t next = (begin + block) * d * sizeof(double);
        for (size_t i = 0; i < in_band; ++i) {
          const size_t line = next + (i / 2) * kCacheLine;
          if ((i & 1) == 0 && line < size) __builtin_prefetch(data + line);
          ++hist[halves.Find(band[i])];
        }
      } else {
        for (size_t i = 0; i < in_band; ++i) ++hist[halves.Find(band[i])];
      }
      in_band = 0;
    }
  }
  hist[0] += inside_all;
  uint64_t running = 0;
  for (size_t i = 0; i < m; ++i) {
    running += hist[i];
    counts[halves.slot(i)] += running;
  }
}

template <int D>
void AddFusedCountsDims(ConstMatrixView samples, ConstMatrixView points,
                        absl::Span<const double> widths, absl::Span<uint64_t> counts, bool avx2) {
  const size_t m = widths.size();
  if (samples.rows() <= kDirectMaxRows) {
    for (size_t p = 0; p < points.rows(); ++p) {
      AddDirectCounts(samples, points.row(p).data(), widths, counts.subspan(p * m, m));
    }
    return;
  }
  // Built once for every point of the block.
  const SortedHalves halves(widths);
  std::vector<uint64_t> hist(m, 0);
  std::vector<double> band(std::min(kMaxBatch, 2 * m) + kBlock + kBandSlack);
  for (size_t p = 0; p < points.rows(); ++p) {
    FusedPass<D>(samples, points.row(p).data(), halves, avx2, hist.data(), band.data(),
                 counts.subspan(p * m, m));
  }
}

}  // namespace

void AddNaiveCounts(ConstMatrixView samples, ConstMatrixView points,
                    absl::Span<const double> widths, absl::Span<uint64_t> counts) {
  const size_t d = samples.cols();
  const size_t m = widths.size();
  for (size_t p = 0; p < points.rows(); ++p) {
    const double* point = points.row(p).data();
    for (size_t w = 0; w < m; ++w) {
      const double half = 0.5 * widths[w];
      uint64_t inside = 0;
      for (size_t i = 0; i < samples.rows(); ++i) {
        const double* s = samples.data() + i * d;
        bool in = true;
        for (size_t j = 0; j < d; ++j) in &= std::abs(point[j] - s[j]) <= half;
        inside += in;
      }
      counts[p * m + w] += inside;
    }
  }
}

void AddFusedCounts(ConstMatrixView samples, ConstMatrixView points,
                    absl::Span<const double> widths, absl::Span<uint64_t> counts, Isa isa) {
  if (widths.empty() || samples.rows() == 0) return;
  if (widths.size() >= std::numeric_limits<uint32_t>::max()) {  // Beyond the table's indices.
    return AddNaiveCounts(samples, points, widths, counts);
  }
  if (samples.cols() == 0) {  // No coordinate to fail: every sample is inside.
    for (uint64_t& count : counts) count += samples.rows();
    return;
  }
  // The hypercube has an AVX2 path and a portable one: kAvx512 takes the AVX2 path.
  const bool avx2 = isa != Isa::kPortable && CpuHasAvx2();
  switch (samples.cols()) {
    case 1:
      return AddFusedCountsDims<1>(samples, points, widths, counts, avx2);
    case 2:
      return AddFusedCountsDims<2>(samples, points, widths, counts, avx2);
    case 3:
      return AddFusedCountsDims<3>(samples, points, widths, counts, avx2);
    default:
      return AddFusedCountsDims<0>(samples, points, widths, counts, avx2);
  }
}

void AddNaiveCounts(ConstMatrixView samples, absl::Span<const double> point,
                    absl::Span<const double> widths, absl::Span<uint64_t> counts) {
  AddNaiveCounts(samples, ConstMatrixView(point.data(), 1, point.size()), widths, counts);
}

void AddFusedCounts(ConstMatrixView samples, absl::Span<const double> point,
                    absl::Span<const double> widths, absl::Span<uint64_t> counts, Isa isa) {
  AddFusedCounts(samples, ConstMatrixView(point.data(), 1, point.size()), widths, counts, isa);
}

}  // namespace parzen_hypercube_internal
}  // namespace parsweep
