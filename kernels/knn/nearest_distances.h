// NearestDistances: the partial result of the kNN density kernel (knn.cc): for each point of
// a cell, the `kept` smallest squared distances from the point to the samples seen so far,
// ascending, with +infinity where fewer than `kept` samples were seen.
//
// Two partials over disjoint samples merge into the `kept` smallest of both. The kept values
// are a multiset (ties count one by one, as sorting every distance would), so they do not
// depend on the order the samples came in or how they were cut: every executor and split
// gives the same bits, and partials merge in any order.
//
// Example:
//   NearestDistances nearest(points.rows());
//   nearest.SetKept(51);                       // The 50 nearest, and one for a held-out point.
//   nearest.Add(samples, points);              // A task's samples.
//   nearest.Merge(other);                      // Another task's, over other samples.
//   const double r2 = nearest.point(p)[k - 1];  // The k-th smallest squared distance.
#ifndef PARSWEEP_KERNELS_KNN_NEAREST_DISTANCES_H_
#define PARSWEEP_KERNELS_KNN_NEAREST_DISTANCES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "kernels/cpu_features.h"
#include "runtime/data/matrix.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {

class NearestDistances final : public Partial {
 public:
  // kMaxKept: the most distances a point may keep (Parse refuses a partial claiming more).
  static constexpr uint64_t kMaxKept = 10'000'001;
  // kPointGroup: points served by one pass over the samples in Add.
  static constexpr size_t kPointGroup = 8;

  // A partial for `points` points keeping nothing yet: SetKept or Parse sets what it keeps.
  explicit NearestDistances(size_t points) : points_(points) {}

  size_t points() const { return points_; }
  // How many distances each point keeps; 0 before SetKept or Parse.
  size_t kept() const { return kept_; }

  // SetKept makes each point keep the `kept` (>= 1) smallest distances and forgets any it
  // had: all +infinity.
  void SetKept(size_t kept);

  // Point p's kept squared distances, ascending.
  absl::Span<const double> point(size_t p) const {
    return absl::MakeConstSpan(distances_.data() + p * kept_, kept_);
  }

  // Add adds every row of `samples` at every row of `points` (points.rows() == points(),
  // the same columns as the samples; requires kept() > 0). Each squared distance is summed
  // over the coordinates in order, sum_j (x_j - s_j)^2, which is how the test's numpy
  // reference sums it.
  // `isa` picks a path for tests (cpu_features.h; 2-D has an AVX2 path): all keep the same.
  void Add(ConstMatrixView samples, ConstMatrixView points, Isa isa = Isa::kBest);

  // Merge keeps the smallest of both; InvalidArgument if `other` is not a NearestDistances
  // of the same points and kept().
  absl::Status Merge(const Partial& other) override;

  // Serialize: kept() as a little-endian uint64, then the distances, point by point.
  std::string Serialize() const override;

  // Parse reads Serialize()'s bytes for this partial's number of points. DataLoss for bytes
  // of another size, a kept() of 0 or above kMaxKept, or distances that are not ascending
  // non-negative numbers (NaN included): the merge relies on their order.
  absl::Status Parse(absl::string_view bytes) override;

 private:
  // Keeps the smallest of point p's distances and `candidates` (which it reorders).
  void KeepSmallest(size_t p, std::vector<double>& candidates);

  const size_t points_;
  size_t kept_ = 0;
  std::vector<double> distances_;
};

}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_KNN_NEAREST_DISTANCES_H_
