// Kernel: what a density estimator computes, kept apart from how a sweep runs it.
//
// A kernel adds up the contributions of a block of samples to the estimate at one point,
// for a list of widths, into one accumulator per width. Accumulators of disjoint sample
// blocks merge by addition, so the runtime may cut a sweep across widths, samples or points,
// and run the pieces anywhere (a thread, a worker process, an MPI rank). Density() turns the
// merged total over all n samples into the estimate.
//
// A kernel is built once from its KernelSpec and never changes afterwards: Accumulate() and
// every other const method must be safe to call from many threads at once.
//
// A kernel lives in its own folder under kernels/ and registers itself with one line at the
// bottom of its .cc file; kernels/parzen_hypercube/ is the model to copy.
//
// Example:
//   class MyKernel : public Kernel { ... };
//   PARSWEEP_REGISTER_KERNEL(my_kernel, [](const KernelSpec& spec) { ... });
#ifndef PARSWEEP_RUNTIME_PLUGIN_KERNEL_H_
#define PARSWEEP_RUNTIME_PLUGIN_KERNEL_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "proto/sweep.pb.h"
#include "runtime/data/gaussian.h"
#include "runtime/data/matrix.h"
#include "runtime/plugin/registry.h"

namespace parsweep {

// What a kernel accumulates per width: an exact count of samples (merges bit for bit in
// any order) or a floating-point sum.
enum class AccumulatorKind { kCount, kSum };

// Accumulators: one slot per width, in the order of the widths passed to Accumulate. Only
// the span matching the kernel's AccumulatorKind is non-empty.
struct Accumulators {
  absl::Span<uint64_t> counts;
  absl::Span<double> sums;
};

class Kernel {
 public:
  using Config = KernelSpec;
  static constexpr const char kKind[] = "kernel";

  virtual ~Kernel() = default;

  virtual AccumulatorKind accumulator() const = 0;

  // Kernel::Accumulate adds the contribution of every row of `samples` to the estimate at
  // `point`, for each width: slot i receives widths[i]'s. The runtime guarantees
  // point.size() == samples.cols() and that every width is finite and positive; the slots
  // hold the right kind and number. An error stops the sweep and is reported with the
  // kernel's name and the task.
  virtual absl::Status Accumulate(ConstMatrixView samples, absl::Span<const double> point,
                                  absl::Span<const double> widths, Accumulators out) const = 0;

  // Kernel::Density is the estimate given the accumulator `total` over all `n` samples of
  // dimension `dims`, for `width`. A sample at the point itself adds exactly 1 to its
  // accumulator (a count of one; exp(0)), so Density(1, 1, d, h) is the kernel's value at
  // distance zero, which leave-one-out cross-validation subtracts.
  virtual double Density(double total, uint64_t n, size_t dims, double width) const = 0;

  // Kernel::GaussianEquivalentWidth converts a Gaussian kernel's bandwidth (the standard
  // deviation that Scott's and Silverman's rules give) into this kernel's width with the
  // same asymptotic bias-variance balance: the ratio of the kernels' canonical bandwidths
  // (R(K) / mu2(K)^2)^(1/5) (Marron and Nolbert, 1989). The default is the Gaussian
  // kernel's own: the argument.
  virtual double GaussianEquivalentWidth(double gaussian_bandwidth) const {
    return gaussian_bandwidth;
  }

  // Kernel::ExpectedDensity is the mean of the estimate at `point` when samples come from
  // `source`, where the kernel has a closed form for it; nullopt otherwise.
  virtual std::optional<double> ExpectedDensity(const Gaussian& source,
                                                absl::Span<const double> point,
                                                double width) const {
    return std::nullopt;
  }
};

// KernelAlgorithm: the `algorithm` parameter of kernels that can evaluate every width in
// one pass over the samples (fused) as well as with the tutorial's loop per width (naive).
enum class KernelAlgorithm { kFused, kNaive };

// ReadKernelAlgorithm reads spec.params["algorithm"]: "fused" (also when absent) or
// "naive"; InvalidArgument naming the kernel otherwise.
inline absl::StatusOr<KernelAlgorithm> ReadKernelAlgorithm(const KernelSpec& spec) {
  const auto it = spec.params().find("algorithm");
  if (it == spec.params().end() || it->second == "fused") return KernelAlgorithm::kFused;
  if (it->second == "naive") return KernelAlgorithm::kNaive;
  return absl::InvalidArgumentError(absl::StrCat("kernel '", spec.name(),
                                                 "': parameter 'algorithm' must be 'fused' or "
                                                 "'naive'; got '",
                                                 it->second, "'"));
}

}  // namespace parsweep

// PARSWEEP_REGISTER_KERNEL registers `factory`, callable as
// absl::StatusOr<std::unique_ptr<Kernel>>(const KernelSpec&), under the name `name` (a
// snake_case identifier, also what --kernel takes).
#define PARSWEEP_REGISTER_KERNEL(name, factory)                               \
  static const ::parsweep::Registrar<::parsweep::Kernel>                      \
      parsweep_kernel_registrar_##name(#name, factory)

#endif  // PARSWEEP_RUNTIME_PLUGIN_KERNEL_H_
