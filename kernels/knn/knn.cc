// knn: the k-nearest-neighbour density estimate, p(x) = k / (n V_d r_k(x)^d), with r_k(x)
// the distance from x to its k-th nearest sample and V_d = pi^(d/2) / Gamma(d/2 + 1) the
// unit ball's volume. The sweep's widths are the values of k: whole numbers from 1 to
// kMaxK (--widths=1,5,10,50 or --widths=1:50:50).
//
// One pass over the samples serves every k: per point, the partial (NearestDistances) keeps
// the k_max + 1 smallest squared distances, k_max the largest k of the cell (the one more is
// for a held-out estimate, which skips the point's own sample). It merges exactly, so every
// executor and split gives the same bits.
//
// Defined cases:
//  - Ties: r_k is the k-th of the sorted distances with ties counted one by one (as sorting
//    every distance with numpy does): three samples at distance 1 make r_1 = r_2 = r_3 = 1.
//  - k > n: an error naming k and n (there is no k-th nearest sample).
//  - r_k = 0 (k or more samples exactly at the point): the density is +infinity, and
//    log_density too; a table prints "inf", CSV "inf", JSON "Infinity".
//  - A width that is not a whole number from 1 to kMaxK: InvalidArgument naming it, at the
//    first task (the runtime gives a kernel its widths only with the work).
//  - Held out (--select=loo_cv): each point is a sample; the nearest distance, its own
//    sample's 0, is dropped and the estimate is k / ((n - 1) V_d r^d) with r the (k+1)-th
//    smallest distance; k > n - 1 is an error.
//  - No expected density (the mean of r_k^-d has no closed form) and no Gaussian-equivalent
//    width: --select=scott, silverman and nrd0 refuse (their bandwidths are no k).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "kernels/knn/nearest_distances.h"
#include "runtime/base/math_constants.h"
#include "runtime/base/status_macros.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace {

// The largest k: a partial keeps k_max + 1 doubles per point.
constexpr uint64_t kMaxK = 10'000'000;
static_assert(NearestDistances::kMaxKept == kMaxK + 1);

// The most doubles one task's partial may hold (1 GiB), so that a large k at many points is
// an error rather than an allocation that fails.
constexpr uint64_t kMaxPartialValues = uint64_t{1} << 27;

// KOf is `width` as a k.
absl::StatusOr<uint64_t> KOf(double width) {
  if (!(width >= 1 && width <= static_cast<double>(kMaxK) && width == std::floor(width))) {
    return absl::InvalidArgumentError(
        absl::StrCat("width ", width,
                     " is not a k: the knn kernel's widths are numbers of neighbours, whole "
                     "numbers from 1 to ",
                     kMaxK));
  }
  return static_cast<uint64_t>(width);
}

// The unit d-ball's volume, pi^(d/2) / Gamma(d/2 + 1), by the recurrence V_d = V_{d-2} 2 pi
// / d from V_0 = 1 and V_1 = 2: the same operations in the test's Python reference give the
// same bits, which std::tgamma against Python's math.gamma would not promise.
double UnitBallVolume(size_t dims) {
  double volume = dims % 2 == 0 ? 1.0 : 2.0;
  for (size_t d = dims % 2 == 0 ? 2 : 3; d <= dims; d += 2) {
    volume = volume * (2 * kPi) / static_cast<double>(d);
  }
  return volume;
}

// Sets `result`'s density k / (m V_d r^d), r^2 = `squared`, V_d = `volume`, and its log,
// which stays exact where the density over- or underflows. r = 0: +infinity, both.
void SetDensity(uint64_t k, uint64_t m, size_t dims, double volume, double squared,
                WidthResult& result) {
  const double d = static_cast<double>(dims);
  if (squared == 0) {
    result.set_density(std::numeric_limits<double>::infinity());
    result.set_log_density(std::numeric_limits<double>::infinity());
    return;
  }
  result.set_density(static_cast<double>(k) /
                     (static_cast<double>(m) * volume * std::pow(std::sqrt(squared), d)));
  result.set_log_density(std::log(static_cast<double>(k)) - std::log(static_cast<double>(m)) -
                         std::log(volume) - d * 0.5 * std::log(squared));
}

class Knn : public Kernel {
 public:
  std::unique_ptr<Partial> NewPartial(size_t points, size_t) const override {
    return std::make_unique<NearestDistances>(points);
  }

  bool MergesInAnyOrder() const override { return true; }

  absl::Status Accumulate(ConstMatrixView samples, ConstMatrixView points,
                          absl::Span<const double> widths, Partial& partial) const override {
    uint64_t k_max = 0;
    for (double width : widths) {
      ASSIGN_OR_RETURN(const uint64_t k, KOf(width));
      k_max = std::max(k_max, k);
    }
    const uint64_t kept = k_max + 1;
    if (points.rows() * kept > kMaxPartialValues) {
      return absl::InvalidArgumentError(
          absl::StrCat("k = ", k_max, " at ", points.rows(), " points of one task keeps ", kept,
                       " distances per point, more than the ", kMaxPartialValues,
                       " a task may hold: sweep smaller k, or fewer points at a time"));
    }
    auto& nearest = static_cast<NearestDistances&>(partial);
    if (nearest.kept() != kept) nearest.SetKept(kept);
    nearest.Add(samples, points);
    return absl::OkStatus();
  }

  absl::Status Estimate(const Partial& total, uint64_t n, size_t dims,
                        absl::Span<const double> widths, WidthResults results) const override {
    return EstimateFrom(total, n, dims, widths, results, /*held_out=*/false);
  }

  absl::Status EstimateHeldOut(const Partial& total, uint64_t n, size_t dims,
                               absl::Span<const double> widths,
                               WidthResults results) const override {
    return EstimateFrom(total, n, dims, widths, results, /*held_out=*/true);
  }

  // The widths are k: the table's column "neighbours" of whole numbers, "k = 10".
  WidthParameter Width() const override { return {"k", "neighbours", /*integral=*/true}; }

  std::string IsolatedSampleText() const override {
    return "have their k-th nearest other sample too far for a double";
  }

  // One pass for all k. Per (sample, width) nothing: a sample's work, a distance and one
  // comparison, is the same for one k or a hundred, like reading it. The partial is k_max + 1
  // doubles per point, which for widths k = 1..K is about 8 bytes per result (more for
  // sparse k: 1,5,10,50 keep 51 doubles for 4 results); the cost model has no way to know the
  // widths, so it takes the dense case.
  KernelCost Cost() const override {
    KernelCost cost;
    cost.evaluation_bytes = 0;
    cost.partial_bytes_per_result = 8;
    cost.points_per_pass = NearestDistances::kPointGroup;
    return cost;
  }

  // No rule of thumb gives a k: NaN, which SelectBandwidth refuses with its own message.
  double GaussianEquivalentWidth(double, size_t) const override {
    return std::numeric_limits<double>::quiet_NaN();
  }

 private:
  absl::Status EstimateFrom(const Partial& total, uint64_t n, size_t dims,
                            absl::Span<const double> widths, WidthResults results,
                            bool held_out) const {
    const auto& nearest = static_cast<const NearestDistances&>(total);
    // A held-out point's own sample is one of the n, at distance 0: the others are n - 1.
    const uint64_t others = held_out ? n - 1 : n;
    const double volume = UnitBallVolume(dims);
    for (size_t i = 0; i < results.size(); ++i) {
      const size_t p = i / widths.size();
      ASSIGN_OR_RETURN(const uint64_t k, KOf(widths[i % widths.size()]));
      if (k > others) {
        return absl::InvalidArgumentError(
            held_out ? absl::StrCat("k = ", k, " but a held-out sample has only ", others,
                                    " other samples (n = ", n, "): use k <= n - 1")
                     : absl::StrCat("k = ", k, " but there are only n = ", n,
                                    " samples: the k-th nearest sample does not exist; use k "
                                    "<= n"));
      }
      const uint64_t index = held_out ? k : k - 1;
      if (p >= nearest.points() || index >= nearest.kept()) {
        return absl::DataLossError(absl::StrCat("the kNN partial keeps ", nearest.kept(),
                                                " distances at ", nearest.points(),
                                                " points, not k = ", k, " at point ", p + 1));
      }
      const absl::Span<const double> squared = nearest.point(p);
      if (held_out && squared[0] != 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("held-out point ", p + 1, " is not one of the samples"));
      }
      SetDensity(k, others, dims, volume, squared[index], results[i]);
    }
    return absl::OkStatus();
  }
};

absl::StatusOr<std::unique_ptr<Kernel>> CreateKnn(const KernelSpec&, const PluginOptions&) {
  return std::make_unique<Knn>();
}

}  // namespace
}  // namespace parsweep

// --kernel=knn; the summary is the table's footer line "density: ...".
PARSWEEP_REGISTER_KERNEL(knn,
                         "k-nearest-neighbour density; the widths are k, the number of "
                         "neighbours (whole numbers): p = k / (n V_d r_k^d), r_k the distance to "
                         "the k-th nearest sample, V_d the unit ball's volume",
                         parsweep::CreateKnn);
