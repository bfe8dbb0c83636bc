#include "kernels/knn/nearest_distances.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"

namespace parsweep {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Samples per block: their squared distances are computed in one loop (which the compiler
// vectorises, each distance summed in coordinate order all the same) and then scanned
// against the threshold, a branch almost never taken once the nearest are found.
constexpr size_t kBlock = 256;

// Points per pass over the samples (see Add).
constexpr size_t kPointGroup = 8;

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

void NearestDistances::Add(ConstMatrixView samples, ConstMatrixView points) {
  const size_t dims = samples.cols();
  // Candidates below a point's threshold gather unsorted; when there are `limit`, the kept
  // smallest stay (nth_element) and the threshold drops to the largest of them. Each sample
  // costs a distance and a comparison; the selection work is O(kept) per compaction.
  const size_t limit = 2 * kept_ + 16;
  std::vector<double> squared(kBlock);
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
      for (size_t g = 0; g < group; ++g) {
        if (SquaredDistances(points.row(first + g).data(), samples.data() + begin * dims, count,
                             dims, thresholds[g], squared.data()) == 0) {
          continue;
        }
        std::vector<double>& kept = candidates[g];
        for (size_t i = 0; i < count; ++i) {
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
