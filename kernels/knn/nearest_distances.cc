#include "kernels/knn/nearest_distances.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "kernels/avx2_compress.h"
#include "kernels/avx2_distances.h"
#include "kernels/cpu_features.h"

#if PARSWEEP_X86_64_TARGETS
#include <immintrin.h>
#endif

namespace parsweep {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Samples per block: their squared distances are computed in one loop (which the compiler
// vectorises, each distance summed in coordinate order all the same) and then scanned
// against the threshold, a branch almost never taken once the nearest are found.
constexpr size_t kBlock = 256;

// How far ahead MinimaAvx2 asks for the samples.
constexpr uintptr_t kPrefetchAhead = 4096;

// Points per pass over the samples (see Add).
constexpr size_t kPointGroup = NearestDistances::kPointGroup;

// The squared distances from `x` to `count` samples of `dims` coordinates at `s`
// (row-major), and how many are below `threshold`: once the nearest are found few blocks
// hold one, and a block without spares the per-sample branch. D > 0 is `dims` known to the
// compiler, which then vectorises across samples (the count too: it has no branch).
template <size_t D>
size_t SquaredDistancesOf(const double* x, const double* s, size_t count, size_t dims,
                          double threshold, double* out) {
  const size_t d = D > 0 ? D : dims;
  size_t below = 0;
  for (size_t i = 0; i < count; ++i) {
    double sum = 0;
    for (size_t j = 0; j < d; ++j) {
      const double diff = x[j] - s[i * d + j];
      sum += diff * diff;
    }
    out[i] = sum;
    below += sum < threshold;
  }
  return below;
}

#if PARSWEEP_X86_64_TARGETS
// BelowAvx2 writes to `out` the squared distances from the 2-D point `x` to the `count`
// 2-D samples at `s` that are below `threshold` (the same sums as SquaredDistancesOf<2>),
// and returns how many: four samples a step, the ones below packed to the front with a
// compress store (up to 3 doubles past the end). Their order differs from the samples'
// (hadd's, 0, 2, 1, 3 of each four): the kept distances are a multiset, so the order they
// are offered in does not matter. Requires AVX2.
__attribute__((target("avx2"))) size_t BelowAvx2(const double* x, const double* s, size_t count,
                                                 double threshold, double* out) {
  const __m256d point = _mm256_setr_pd(x[0], x[1], x[0], x[1]);
  const __m256d limit = _mm256_set1_pd(threshold);
  size_t below = 0;
  size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    const __m256d q = SquaredDistances4x2D(point, s + 2 * i);
    const int mask = _mm256_movemask_pd(_mm256_cmp_pd(q, limit, _CMP_LT_OQ));
    below += Compress4x64(_mm256_castpd_si256(q), mask, out + below);
  }
  for (; i < count; ++i) {
    const double dx = x[0] - s[2 * i];
    const double dy = x[1] - s[2 * i + 1];
    out[below] = dx * dx + dy * dy;
    below += out[below] < threshold;
  }
  return below;
}

// MinimaAvx2: for G points at `x` (row-major, 2-D), the smallest squared distance to the
// `count` 2-D samples at `s` (the same sums as SquaredDistancesOf<2>), each sample loaded
// once for all the points. A block whose minimum is not below a point's threshold has
// nothing for it. Requires AVX2.
template <size_t G>
__attribute__((target("avx2"))) void MinimaAvx2(const double* x, const double* s, size_t count,
                                                double* minima) {
  __m256d point_x[G];
  __m256d point_y[G];
  __m256d smallest[G];
  for (size_t g = 0; g < G; ++g) {
    point_x[g] = _mm256_set1_pd(x[2 * g]);
    point_y[g] = _mm256_set1_pd(x[2 * g + 1]);
    smallest[g] = _mm256_set1_pd(kInfinity);
  }
  size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    // The samples 4 KiB ahead, from memory: the hardware prefetcher alone falls behind
    // (measured: 1.4 -> 1.1 ms at n = 10^6). A prefetch past the samples' end is harmless
    // (it cannot fault); the address is formed as an integer.
    __builtin_prefetch(
        reinterpret_cast<const void*>(reinterpret_cast<uintptr_t>(s + 2 * i) + kPrefetchAhead));
    const __m256d first = _mm256_loadu_pd(s + 2 * i);
    const __m256d second = _mm256_loadu_pd(s + 2 * i + 4);
    // The four samples' x and y coordinates (in the order 0, 2, 1, 3), once for every point.
    const __m256d xs = _mm256_unpacklo_pd(first, second);
    const __m256d ys = _mm256_unpackhi_pd(first, second);
    for (size_t g = 0; g < G; ++g) {
      const __m256d dx = _mm256_sub_pd(point_x[g], xs);
      const __m256d dy = _mm256_sub_pd(point_y[g], ys);
      // dx^2 + dy^2 as the scalar loop adds them. minpd returns its second operand where
      // either is NaN: a NaN distance is passed over (it is below no threshold).
      smallest[g] =
          _mm256_min_pd(_mm256_add_pd(_mm256_mul_pd(dx, dx), _mm256_mul_pd(dy, dy)), smallest[g]);
    }
  }
  for (size_t g = 0; g < G; ++g) {
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, smallest[g]);
    double m = std::min(std::min(lanes[0], lanes[1]), std::min(lanes[2], lanes[3]));
    for (size_t k = i; k < count; ++k) {
      const double dx = x[2 * g] - s[2 * k];
      const double dy = x[2 * g + 1] - s[2 * k + 1];
      const double q = dx * dx + dy * dy;
      if (q < m) m = q;
    }
    minima[g] = m;
  }
}

void Minima2Avx2(const double* x, size_t group, const double* s, size_t count, double* minima) {
  switch (group) {
    case 1:
      return MinimaAvx2<1>(x, s, count, minima);
    case 2:
      return MinimaAvx2<2>(x, s, count, minima);
    case 3:
      return MinimaAvx2<3>(x, s, count, minima);
    case 4:
      return MinimaAvx2<4>(x, s, count, minima);
    default:
      for (size_t g = 0; g < group; g += 4) {
        const size_t part = std::min<size_t>(4, group - g);
        Minima2Avx2(x + 2 * g, part, s, count, minima + g);
      }
  }
}
#endif  // PARSWEEP_X86_64_TARGETS

size_t SquaredDistances(const double* x, const double* s, size_t count, size_t dims,
                        double threshold, double* out) {
  switch (dims) {
    case 1:
      return SquaredDistancesOf<1>(x, s, count, dims, threshold, out);
    case 2:
      return SquaredDistancesOf<2>(x, s, count, dims, threshold, out);
    case 3:
      return SquaredDistancesOf<3>(x, s, count, dims, threshold, out);
    default:
      return SquaredDistancesOf<0>(x, s, count, dims, threshold, out);
  }
}

}  // namespace

void NearestDistances::SetKept(size_t kept) {
  kept_ = kept;
  distances_.assign(points_ * kept, kInfinity);
}

void NearestDistances::KeepSmallest(size_t p, std::vector<double>& candidates) {
  if (candidates.size() > kept_) {
    std::nth_element(candidates.begin(), candidates.begin() + (kept_ - 1), candidates.end());
    candidates.resize(kept_);
  }
  std::sort(candidates.begin(), candidates.end());
  double* out = distances_.data() + p * kept_;
  std::copy(candidates.begin(), candidates.end(), out);
  std::fill(out + candidates.size(), out + kept_, kInfinity);
}

void NearestDistances::Add(ConstMatrixView samples, ConstMatrixView points, Isa isa) {
  const size_t dims = samples.cols();
  // Candidates below a point's threshold gather unsorted; when there are `limit`, the kept
  // smallest stay (nth_element) and the threshold drops to the largest of them. Each sample
  // costs a distance and a comparison; the selection work is O(kept) per compaction.
  const size_t limit = 2 * kept_ + 16;
  std::vector<double> squared(kBlock + 3);  // Room for BelowAvx2's compress stores.
  std::vector<std::vector<double>> candidates(std::min(kPointGroup, points_));
  std::vector<double> thresholds(candidates.size());
  // Points in groups, so that a block of samples read from memory serves every point of a
  // group from the cache.
  for (size_t first = 0; first < points_; first += kPointGroup) {
    const size_t group = std::min(kPointGroup, points_ - first);
    for (size_t g = 0; g < group; ++g) {
      const absl::Span<const double> had = point(first + g);
      candidates[g].assign(had.begin(), std::find(had.begin(), had.end(), kInfinity));
      thresholds[g] = candidates[g].size() == kept_ ? candidates[g].back() : kInfinity;
    }
    for (size_t begin = 0; begin < samples.rows(); begin += kBlock) {
      const size_t count = std::min(kBlock, samples.rows() - begin);
#if PARSWEEP_X86_64_TARGETS
      // In 2-D with AVX2, each block's smallest distance to every point of the group comes
      // first, each sample loaded once; a point's distances are kept only where that is
      // below its threshold (after the first blocks, rarely).
      const bool minima_first = dims == 2 && isa != Isa::kPortable && CpuHasAvx2();
      double minima[kPointGroup];
      if (minima_first) {
        Minima2Avx2(points.row(first).data(), group, samples.data() + begin * dims, count, minima);
      }
#endif
      for (size_t g = 0; g < group; ++g) {
        const double* x = points.row(first + g).data();
        const double* s = samples.data() + begin * dims;
        // The block's distances to offer: all of them, or (AVX2, 2-D) those below the
        // threshold, where the block's minimum says there are any.
        size_t offered = count;
#if PARSWEEP_X86_64_TARGETS
        if (minima_first) {
          if (!(minima[g] < thresholds[g])) continue;
          offered = BelowAvx2(x, s, count, thresholds[g], squared.data());
        } else if (SquaredDistances(x, s, count, dims, thresholds[g], squared.data()) == 0) {
          continue;
        }
#else
        if (SquaredDistances(x, s, count, dims, thresholds[g], squared.data()) == 0) continue;
#endif
        std::vector<double>& kept = candidates[g];
        for (size_t i = 0; i < offered; ++i) {
          if (!(squared[i] < thresholds[g])) continue;
          kept.push_back(squared[i]);
          if (kept.size() < limit) continue;
          std::nth_element(kept.begin(), kept.begin() + (kept_ - 1), kept.end());
          kept.resize(kept_);
          thresholds[g] = kept.back();
        }
      }
    }
    for (size_t g = 0; g < group; ++g) KeepSmallest(first + g, candidates[g]);
  }
}

absl::Status NearestDistances::Merge(const Partial& other) {
  const auto* same = dynamic_cast<const NearestDistances*>(&other);
  if (same == nullptr || same->points_ != points_ || same->kept_ != kept_) {
    return absl::InvalidArgumentError(
        absl::StrCat("merging into a kNN partial of ", points_, " points keeping ", kept_,
                     " distances each a partial of another kind or shape"));
  }
  std::vector<double> both(kept_);
  for (size_t p = 0; p < points_; ++p) {
    // Both lists are ascending: the first kept_ of their merge are the smallest of both.
    const double* a = distances_.data() + p * kept_;
    const double* b = same->distances_.data() + p * kept_;
    size_t i = 0, j = 0;
    for (double& out : both) out = b[j] < a[i] ? b[j++] : a[i++];
    std::copy(both.begin(), both.end(), distances_.data() + p * kept_);
  }
  return absl::OkStatus();
}

std::string NearestDistances::Serialize() const {
  const uint64_t kept = kept_;
  std::string bytes(sizeof(kept) + distances_.size() * sizeof(double), '\0');
  std::memcpy(bytes.data(), &kept, sizeof(kept));
  std::memcpy(bytes.data() + sizeof(kept), distances_.data(), distances_.size() * sizeof(double));
  return bytes;
}

absl::Status NearestDistances::Parse(absl::string_view bytes) {
  uint64_t kept = 0;
  if (bytes.size() < sizeof(kept)) {
    return absl::DataLossError(absl::StrCat("a kNN partial of ", bytes.size(),
                                            " bytes, too short to say how many distances it "
                                            "keeps"));
  }
  std::memcpy(&kept, bytes.data(), sizeof(kept));
  // kept <= kMaxKept first, so that the product cannot overflow.
  if (kept == 0 || kept > kMaxKept ||
      bytes.size() - sizeof(kept) != points_ * kept * sizeof(double)) {
    return absl::DataLossError(absl::StrCat("a kNN partial of ", bytes.size(), " bytes claiming ",
                                            kept, " distances per point does not hold that for ",
                                            points_, " points"));
  }
  std::vector<double> distances(points_ * kept);
  std::memcpy(distances.data(), bytes.data() + sizeof(kept), distances.size() * sizeof(double));
  for (size_t p = 0; p < points_; ++p) {
    const double* d = distances.data() + p * kept;
    for (size_t i = 0; i < kept; ++i) {
      // Written so that NaN fails: every comparison with it is false.
      if (!(d[i] >= 0) || (i > 0 && !(d[i] >= d[i - 1]))) {
        return absl::DataLossError(absl::StrCat("a kNN partial whose distance ", i + 1,
                                                " of point ", p + 1, " is ", d[i],
                                                ", not an ascending squared distance"));
      }
    }
  }
  kept_ = kept;
  distances_ = std::move(distances);
  return absl::OkStatus();
}

}  // namespace parsweep
