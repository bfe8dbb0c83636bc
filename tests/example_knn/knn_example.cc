// knn_example: a k-nearest-neighbour density estimate, p(x) = k / (n V_d r_k(x)^d), with
// r_k(x) the distance from x to its k-th nearest sample and V_d = pi^(d/2) / Gamma(d/2 + 1)
// the unit ball's volume. The sweep's widths are the values of k (whole numbers >= 1).
//
// It is here to show that a kernel's partial result may be anything that merges: neither a
// count nor a sum, but, per point, the k_max smallest squared distances (k_max the largest k
// of the task). Two partials over disjoint samples merge into the k_max smallest of both,
// which is exact and independent of order, so every executor and split gives the same
// bits. The folder is the whole kernel: one line in a BUILD file links it into a tool.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "runtime/base/math_constants.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Per point, the k smallest squared distances seen so far, ascending; +infinity where fewer
// than k samples were seen.
class NearestDistances final : public Partial {
 public:
  explicit NearestDistances(size_t points) : points_(points) {}

  size_t k() const { return k_; }
  // Requires k to be set once, before any distance is added.
  void SetK(size_t k) {
    k_ = k;
    distances_.assign(points_ * k, kInfinity);
  }
  double* point(size_t p) { return distances_.data() + p * k_; }
  const double* point(size_t p) const { return distances_.data() + p * k_; }

  // Keeps `squared` if it is among the k smallest of point p's.
  void Add(size_t p, double squared) {
    double* d = point(p);
    if (!(squared < d[k_ - 1])) return;
    size_t i = k_ - 1;
    while (i > 0 && d[i - 1] > squared) {
      d[i] = d[i - 1];
      --i;
    }
    d[i] = squared;
  }

  absl::Status Merge(const Partial& other) override {
    const auto* same = dynamic_cast<const NearestDistances*>(&other);
    if (same == nullptr || same->points_ != points_ || same->k_ != k_) {
      return absl::InvalidArgumentError("merging nearest distances of another shape");
    }
    std::vector<double> both(2 * k_);
    for (size_t p = 0; p < points_; ++p) {
      // Both lists are ascending; the first k of their merge are the k smallest of both.
      std::merge(point(p), point(p) + k_, same->point(p), same->point(p) + k_, both.begin());
      std::copy(both.begin(), both.begin() + k_, point(p));
    }
    return absl::OkStatus();
  }

  std::string Serialize() const override {
    std::string bytes(sizeof(uint64_t) + distances_.size() * sizeof(double), '\0');
    const uint64_t k = k_;
    std::memcpy(bytes.data(), &k, sizeof(k));
    std::memcpy(bytes.data() + sizeof(k), distances_.data(), distances_.size() * sizeof(double));
    return bytes;
  }

  absl::Status Parse(absl::string_view bytes) override {
    uint64_t k = 0;
    if (bytes.size() < sizeof(k)) return absl::DataLossError("a partial without its k");
    std::memcpy(&k, bytes.data(), sizeof(k));
    if (k == 0 || k > (bytes.size() - sizeof(k)) / sizeof(double) ||
        bytes.size() != sizeof(k) + points_ * k * sizeof(double)) {
      return absl::DataLossError(absl::StrCat("a partial of ", bytes.size(),
                                              " bytes does not hold k nearest distances for ",
                                              points_, " points"));
    }
    SetK(k);
    std::memcpy(distances_.data(), bytes.data() + sizeof(k), distances_.size() * sizeof(double));
    return absl::OkStatus();
  }

 private:
  const size_t points_;
  size_t k_ = 0;
  std::vector<double> distances_;
};

// The width as k: a whole number from 1 to 10^6.
absl::StatusOr<size_t> KOf(double width) {
  if (width != std::floor(width) || width < 1 || width > 1e6) {
    return absl::InvalidArgumentError(
        absl::StrCat("width ", width, " is not a k (a whole number from 1 to 1000000)"));
  }
  return static_cast<size_t>(width);
}

class KnnExample : public Kernel {
 public:
  std::unique_ptr<Partial> NewPartial(size_t points, size_t) const override {
    return std::make_unique<NearestDistances>(points);
  }

  bool MergesInAnyOrder() const override { return true; }

  absl::Status Accumulate(ConstMatrixView samples, ConstMatrixView points,
                          absl::Span<const double> widths, Partial& partial) const override {
    size_t k_max = 0;
    for (double width : widths) {
      absl::StatusOr<size_t> k = KOf(width);
      if (!k.ok()) return k.status();
      k_max = std::max(k_max, *k);
    }
    auto& nearest = static_cast<NearestDistances&>(partial);
    nearest.SetK(k_max);
    for (size_t p = 0; p < points.rows(); ++p) {
      const absl::Span<const double> x = points.row(p);
      for (size_t i = 0; i < samples.rows(); ++i) {
        const absl::Span<const double> s = samples.row(i);
        double squared = 0;
        for (size_t j = 0; j < s.size(); ++j) squared += (x[j] - s[j]) * (x[j] - s[j]);
        nearest.Add(p, squared);
      }
    }
    return absl::OkStatus();
  }

  absl::Status Estimate(const Partial& total, uint64_t n, size_t dims,
                        absl::Span<const double> widths, WidthResults results) const override {
    const auto& nearest = static_cast<const NearestDistances&>(total);
    const double d = static_cast<double>(dims);
    const double unit_ball = std::pow(kPi, d / 2) / std::tgamma(d / 2 + 1);
    for (size_t i = 0; i < results.size(); ++i) {
      const size_t p = i / widths.size();
      const size_t k = static_cast<size_t>(widths[i % widths.size()]);
      if (k > n) {
        return absl::InvalidArgumentError(
            absl::StrCat("k = ", k, " but there are only ", n, " samples"));
      }
      const double radius = std::sqrt(nearest.point(p)[k - 1]);
      results[i].set_density(static_cast<double>(k) /
                             (static_cast<double>(n) * unit_ball * std::pow(radius, d)));
    }
    return absl::OkStatus();
  }
};

absl::StatusOr<std::unique_ptr<Kernel>> CreateKnnExample(const KernelSpec&, const PluginOptions&) {
  return std::make_unique<KnnExample>();
}

}  // namespace
}  // namespace parsweep

PARSWEEP_REGISTER_KERNEL(knn_example,
                         "k-nearest-neighbour density, widths are k: p = k / (n V_d r_k^d)",
                         parsweep::CreateKnnExample);
