// SlotKernel<T>: the shared part of every kernel whose partial result is one number per
// (point, width) that merges by addition: a count of samples (T = uint64_t, exact, so any
// split and any merge order give the same bits). A kernel derived from it writes only what it
// adds up (AccumulateSlots) and how a total becomes a density (Density). (A plain sum of
// doubles is not offered: its last bits would depend on where the plan cuts the samples. A
// summing kernel adds in fixed blocks into an exact accumulator, as parzen_gaussian does.)
//
// A sample at the point itself adds exactly 1 to its slot (a count of one), which gives
// every SlotKernel a leave-one-out density: Density(total - 1, n - 1, ...).
//
// Example:
//   class ParzenBall : public SlotKernel<uint64_t> {
//     absl::Status AccumulateSlots(ConstMatrixView samples, ConstMatrixView points,
//                                  absl::Span<const double> widths,
//                                  SlotPartial<uint64_t>& out) const override { ... }
//     double Density(double total, uint64_t n, size_t dims, double width) const override;
//   };
#ifndef PARSWEEP_KERNELS_SLOT_KERNEL_H_
#define PARSWEEP_KERNELS_SLOT_KERNEL_H_

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "runtime/base/status_macros.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {

// SlotPartial<T>: points() x widths() values of T, point-major. It travels as the values'
// bytes in this machine's byte order (workers run this same binary on the same kind of
// machine).
template <typename T>
class SlotPartial final : public Partial {
 public:
  static_assert(std::is_same_v<T, uint64_t>,
                "a count: sums of doubles would depend on the plan (see the header comment)");

  SlotPartial(size_t points, size_t widths) : widths_(widths), values_(points * widths, T{0}) {}

  size_t points() const { return widths_ == 0 ? 0 : values_.size() / widths_; }
  size_t widths() const { return widths_; }
  // SlotPartial::point is point p's slot for each width, in the order of the widths.
  absl::Span<T> point(size_t p) { return absl::MakeSpan(values_).subspan(p * widths_, widths_); }
  absl::Span<const T> point(size_t p) const {
    return absl::MakeConstSpan(values_).subspan(p * widths_, widths_);
  }
  // SlotPartial::values is every slot, point-major.
  absl::Span<T> values() { return absl::MakeSpan(values_); }
  absl::Span<const T> values() const { return values_; }

  absl::Status Merge(const Partial& other) override {
    const auto* same = dynamic_cast<const SlotPartial<T>*>(&other);
    if (same == nullptr || same->widths_ != widths_ || same->values_.size() != values_.size()) {
      return absl::InvalidArgumentError("merging partials of different kinds or shapes");
    }
    for (size_t i = 0; i < values_.size(); ++i) values_[i] += same->values_[i];
    return absl::OkStatus();
  }

  std::string Serialize() const override {
    return std::string(reinterpret_cast<const char*>(values_.data()), values_.size() * sizeof(T));
  }

  absl::Status Parse(absl::string_view bytes) override {
    if (bytes.size() != values_.size() * sizeof(T)) {
      return absl::DataLossError(absl::StrCat("a partial of ", bytes.size(), " bytes; expected ",
                                              values_.size(), " values of ", sizeof(T), " bytes"));
    }
    std::memcpy(values_.data(), bytes.data(), bytes.size());
    return absl::OkStatus();
  }

 private:
  size_t widths_;
  std::vector<T> values_;
};

template <typename T>
class SlotKernel : public Kernel {
 public:
  using Slots = SlotPartial<T>;

  // SlotKernel::AccumulateSlots is Accumulate with the partial's type known: add to
  // out.point(p)[w] the contribution of every sample at points.row(p) for widths[w].
  virtual absl::Status AccumulateSlots(ConstMatrixView samples, ConstMatrixView points,
                                       absl::Span<const double> widths, Slots& out) const = 0;

  // SlotKernel::Density is the estimate given a slot's `total` over `n` samples of
  // dimension `dims`, for `width`.
  virtual double Density(double total, uint64_t n, size_t dims, double width) const = 0;

  // SlotKernel::Describe fills what a result reports of a slot: the density, and the count
  // (T = uint64_t) or the sum (T = double). Kernels may add more.
  virtual void Describe(T total, uint64_t n, size_t dims, double width, WidthResult& result) const {
    result.set_density(Density(static_cast<double>(total), n, dims, width));
    if constexpr (std::is_same_v<T, uint64_t>) {
      result.set_count(static_cast<double>(total));
    } else {
      result.set_sum(total);
    }
  }

  std::unique_ptr<Partial> NewPartial(size_t points, size_t widths) const final {
    return std::make_unique<Slots>(points, widths);
  }

  bool MergesInAnyOrder() const final { return std::is_integral_v<T>; }

  absl::Status Accumulate(ConstMatrixView samples, ConstMatrixView points,
                          absl::Span<const double> widths, Partial& partial) const final {
    return AccumulateSlots(samples, points, widths, static_cast<Slots&>(partial));
  }

  absl::Status Estimate(const Partial& total, uint64_t n, size_t dims,
                        absl::Span<const double> widths, WidthResults results) const final {
    const auto* slots = dynamic_cast<const Slots*>(&total);
    if (slots == nullptr || slots->values().size() != results.size() ||
        slots->widths() != widths.size()) {
      return absl::InternalError("estimating from a partial of another kind or shape");
    }
    for (size_t i = 0; i < results.size(); ++i) {
      Describe(slots->values()[i], n, dims, widths[i % widths.size()], results[i]);
    }
    return absl::OkStatus();
  }

  // The held-out sample's own contribution is exactly 1 (a count of one): take it away
  // before normalising over n - 1 samples, where a count stays exact.
  absl::Status EstimateHeldOut(const Partial& total, uint64_t n, size_t dims,
                               absl::Span<const double> widths,
                               WidthResults results) const override {
    RETURN_IF_ERROR(Estimate(total, n, dims, widths, results));
    for (WidthResult& result : results) {
      const double others = (std::is_integral_v<T> ? result.count() : result.sum()) - 1;
      const double density = n > 1 ? Density(others, n - 1, dims, result.width()) : 0.0;
      result.set_density(density);
      result.set_log_density(std::log(density));
    }
    return absl::OkStatus();
  }
};

}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_SLOT_KERNEL_H_
