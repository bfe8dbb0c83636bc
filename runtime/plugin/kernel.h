// Kernel: what a density estimator computes, kept apart from how a sweep runs it.
//
// A sweep is cut into cells (a block of evaluation points x some of the widths), and a cell's
// samples into tasks. For each task a kernel adds the contributions of a block of samples to
// a Partial of its own making: counts, sums, the k smallest distances, whatever the
// estimator needs. Partials of one cell over disjoint sample blocks merge, so the runtime may
// cut a sweep across widths, samples or points and run the pieces anywhere (a thread, a
// worker process, an MPI rank): it moves a partial as bytes and merges it through the
// partial's own Merge, never looking inside. Estimate() then turns a cell's merged total over
// all n samples into the estimates.
//
// A kernel is built once from its KernelSpec and never changes afterwards: Accumulate() and
// every other const method must be safe to call from many threads at once.
//
// A kernel lives in its own folder under kernels/ and registers itself with one line at the
// bottom of its .cc file (kernels/parzen_hypercube/ is the model to copy). Kernels whose
// partial is one number per (point, width) that merges by addition derive from SlotKernel
// (kernels/slot_kernel.h), which writes the partial once for all of them.
//
// Example:
//   class MyKernel : public Kernel { ... };
//   PARSWEEP_REGISTER_KERNEL(my_kernel, "what it estimates", CreateMyKernel,
//                            EnumOption("algorithm", {"fused", "naive"}, "fused", "..."));
#ifndef PARSWEEP_RUNTIME_PLUGIN_KERNEL_H_
#define PARSWEEP_RUNTIME_PLUGIN_KERNEL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "proto/sweep.pb.h"
#include "runtime/data/gaussian.h"
#include "runtime/data/matrix.h"
#include "runtime/plugin/plugin_options.h"
#include "runtime/plugin/registry.h"
#include "runtime/plugin/width_parameter.h"
#include "runtime/plugin/width_results.h"

namespace parsweep {

// Partial: a kernel's partial result for one cell (its points and widths, fixed when the
// kernel made it) over some of the samples. Not thread-safe; each task has its own.
class Partial {
 public:
  virtual ~Partial() = default;

  // Partial::Merge adds `other`, a partial of the same cell over other samples, into this
  // one. InvalidArgument if `other` is not of the same kind and shape.
  virtual absl::Status Merge(const Partial& other) = 0;

  // Partial::Serialize is the partial as bytes, for a worker to send back.
  virtual std::string Serialize() const = 0;

  // Partial::Parse replaces this partial's contents with `bytes` from Serialize() of a
  // partial of the same shape. DataLoss if they are not that.
  virtual absl::Status Parse(absl::string_view bytes) = 0;
};

// KernelCost: how a kernel's Accumulate spends its time, as far as the planner's cost model
// needs to know it to cut a sweep well (runtime/sweep/plan_cost_model.h). Times are in the
// model's unit, the time one core takes to stream one byte of samples from memory, so that
// a figure holds on faster and slower machines alike.
//
// Example (a kernel that loops over the samples once per width):
//   KernelCost Cost() const override {
//     KernelCost cost;
//     cost.one_pass_for_all_widths = false;
//     return cost;
//   }
struct KernelCost {
  // Whether one pass over a task's samples serves every width of the task (a fused pass;
  // cutting widths across tasks then reads the samples again for each task), or each width
  // reads the samples again (a per-width loop, which cutting by widths costs nothing).
  bool one_pass_for_all_widths = true;
  // The work of one (point, sample, width) evaluation beyond reading the sample: 0 for a
  // comparison and a count, about 16 for an exp.
  double evaluation_bytes = 1;
  // Bytes of a serialized partial per (point, width): 8 for a count.
  double partial_bytes_per_result = 8;
  // How many points one read of a task's samples serves: 1 for a pass per point; more for a
  // kernel that passes over the samples for a group of points at once (knn: 8), whose
  // groups the planner then keeps whole, since cutting one reads the samples again.
  uint64_t points_per_pass = 1;
};

class Kernel {
 public:
  using Config = KernelSpec;
  using Factory = std::function<absl::StatusOr<std::unique_ptr<Kernel>>(const KernelSpec&,
                                                                        const PluginOptions&)>;
  static constexpr const char kKind[] = "kernel";

  virtual ~Kernel() = default;

  // Kernel::NewPartial is the partial of a cell of `points` points and `widths` widths over
  // no samples yet.
  virtual std::unique_ptr<Partial> NewPartial(size_t points, size_t widths) const = 0;

  // Kernel::MergesInAnyOrder: whether merging a cell's partials in any order gives the same
  // bits (exact integer counts do; floating-point sums do not, so the runtime merges those
  // in task order, which makes a plan's result the same on every run and executor).
  virtual bool MergesInAnyOrder() const { return false; }

  // Kernel::Accumulate adds the contribution of every row of `samples` at every row of
  // `points`, for each width, into `partial`, which NewPartial(points.rows(),
  // widths.size()) made. The runtime guarantees points.cols() == samples.cols() and that
  // every width is finite and positive. A block of points lets a fused pass build its
  // per-width state once for all of them. An error stops the sweep and is reported with the
  // kernel's name and the task.
  virtual absl::Status Accumulate(ConstMatrixView samples, ConstMatrixView points,
                                  absl::Span<const double> widths, Partial& partial) const = 0;

  // Kernel::Estimate turns `total`, a cell's partial merged over all `n` samples of
  // dimension `dims`, into `results`: one per (point, width), point-major, with point_index
  // and width already set and nothing else. It sets `density` and whatever of its own the kernel
  // reports
  // (`count`, `sum`, ...); the runtime adds the expected and true densities.
  virtual absl::Status Estimate(const Partial& total, uint64_t n, size_t dims,
                                absl::Span<const double> widths, WidthResults results) const = 0;

  // Kernel::EstimateHeldOut is Estimate for a held-out sweep (SweepSpec.held_out): each
  // point is one of the n samples, and its estimates are from the other n - 1, leaving out
  // exactly one sample at distance zero from the point (the point's own sample; identical
  // copies of it still count). It sets `density` and `log_density`, whose log must stay
  // exact where the density underflows. Unimplemented where the kernel has no such form.
  virtual absl::Status EstimateHeldOut(const Partial& total, uint64_t n, size_t dims,
                                       absl::Span<const double> widths,
                                       WidthResults results) const {
    return absl::UnimplementedError("this kernel has no leave-one-out estimate");
  }

  // Kernel::IsolatedSampleText completes "at width h, K samples ..." for a held-out estimate
  // of zero (log density -infinity), in the kernel's own words: the hypercube's "have no
  // other sample in their window".
  virtual std::string IsolatedSampleText() const { return "have a leave-one-out density of zero"; }

  // Kernel::SampleBlock: the planner cuts a cell's samples only at multiples of this many
  // samples (and at n). A kernel whose floating-point partials add up in fixed blocks of
  // samples declares its block here, so that every plan gives the same bits. 1: anywhere.
  virtual uint64_t SampleBlock() const { return 1; }

  // Kernel::Cost: how Accumulate spends its time (KernelCost), for --split=auto. The
  // default is a single pass for all widths, a few operations per evaluation and a count per
  // result.
  virtual KernelCost Cost() const { return {}; }

  // Kernel::Width: what this kernel takes its widths to be (WidthParameter), for the words
  // of the table and the charts: by default a width h, a length.
  virtual WidthParameter Width() const { return {}; }

  // Kernel::ExpectedDensityNote says in one sentence what the expected column is for this
  // kernel (how ExpectedDensity computes it), for the report's footer; empty if none.
  virtual std::string ExpectedDensityNote() const { return ""; }

  // Kernel::GaussianEquivalentWidth converts a Gaussian kernel's bandwidth (the standard
  // deviation that Scott's and Silverman's rules give) into this kernel's width with the
  // same asymptotic bias-variance balance: the ratio of the kernels' canonical bandwidths
  // (R(K) / mu2(K)^2)^(1/5) (Marron and Nolan, 1988). The default is the Gaussian kernel's
  // own: the argument.
  virtual double GaussianEquivalentWidth(double gaussian_bandwidth, size_t dims) const {
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

// KernelAlgorithm: the `algorithm` option of kernels that can evaluate every width in one
// pass over the samples (fused) as well as with the tutorial's loop per width (naive).
enum class KernelAlgorithm { kFused, kNaive };

// KernelAlgorithmOption declares that option, for a kernel's registration.
inline OptionSpec KernelAlgorithmOption() {
  return EnumOption("algorithm", {"fused", "naive"}, "fused",
                    "fused: every width in one pass over the samples; naive: the tutorial's "
                    "loop, one pass per width");
}

// ReadKernelAlgorithm is the parsed value of KernelAlgorithmOption().
inline KernelAlgorithm ReadKernelAlgorithm(const PluginOptions& options) {
  return options.String("algorithm") == "naive" ? KernelAlgorithm::kNaive : KernelAlgorithm::kFused;
}

}  // namespace parsweep

// PARSWEEP_REGISTER_KERNEL registers `factory`, callable as
// absl::StatusOr<std::unique_ptr<Kernel>>(const KernelSpec&, const PluginOptions&), under
// `name` (a snake_case identifier, also what --kernel takes), with a one-line `summary` for
// --list and the OptionSpecs of the options it takes, if any, after it.
#define PARSWEEP_REGISTER_KERNEL(name, summary, factory, ...)                              \
  static const ::parsweep::Registrar<::parsweep::Kernel> parsweep_kernel_registrar_##name( \
      #name, summary, factory, ::parsweep::OptionList{__VA_ARGS__})

#endif  // PARSWEEP_RUNTIME_PLUGIN_KERNEL_H_
