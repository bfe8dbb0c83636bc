// Sweep: one width sweep made ready to run: the spec, its samples and evaluation points,
// and the kernel built from it. It is immutable once created, and RunTask() is what every
// executor calls, from any number of threads at once.
//
// A Sweep is rebuilt from its spec alone wherever tasks run outside this process: a worker
// calls Sweep::Create(spec) and gets the same samples (generated data is seeded).
//
// Example:
//   ASSIGN_OR_RETURN(std::unique_ptr<Sweep> sweep, Sweep::Create(spec));
//   ASSIGN_OR_RETURN(TaskResult result, sweep->RunTask(task));
#ifndef PARSWEEP_RUNTIME_SWEEP_SWEEP_H_
#define PARSWEEP_RUNTIME_SWEEP_SWEEP_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/status/statusor.h"
#include "proto/sweep.pb.h"
#include "runtime/data/dataset.h"
#include "runtime/data/matrix.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {

class Sweep {
 public:
  // Sweep::Create validates `spec`, builds its kernel and loads its data. With no points in
  // the spec the density is evaluated at the origin, which is then added to spec().
  // Errors are InvalidArgument (bad widths, points, data) or NotFound (unknown kernel,
  // missing file), with a message meant for the user.
  // For the caller (not a worker), a sweep whose samples and results cannot fit in the
  // memory available is refused first, with ResourceExhausted and the figures
  // (runtime/sweep/memory_estimate.h): generated data before it is generated, file data once
  // it is read; and warnings() says where the data's magnitude blurs the window test.
  struct Options {
    // A worker rebuilding a caller's sweep skips what only the caller needs: it holds no
    // results, and the caller has warned.
    bool worker = false;
  };
  static absl::StatusOr<std::unique_ptr<Sweep>> Create(SweepSpec spec, Options options);
  static absl::StatusOr<std::unique_ptr<Sweep>> Create(SweepSpec spec) {
    return Create(std::move(spec), Options());
  }

  // Where the samples of FromData come from: `kFromSpec` when they are exactly what
  // spec.data() describes (so a worker elsewhere may load them itself from the spec), else
  // `kGiven`.
  enum class DataOrigin { kGiven, kFromSpec };

  // Sweep::FromData is Create() with the data already loaded (for tests, and for a worker
  // that receives the samples instead of reading them).
  static absl::StatusOr<std::unique_ptr<Sweep>> FromData(SweepSpec spec, Dataset data,
                                                         DataOrigin origin, Options options);
  static absl::StatusOr<std::unique_ptr<Sweep>> FromData(SweepSpec spec, Dataset data,
                                                         DataOrigin origin = DataOrigin::kGiven) {
    return FromData(std::move(spec), std::move(data), origin, Options());
  }

  const SweepSpec& spec() const { return spec_; }
  const Kernel& kernel() const { return *kernel_; }
  const Dataset& data() const { return data_; }
  const Matrix& points() const { return points_; }
  size_t samples() const { return data_.samples.rows(); }
  size_t dims() const { return data_.samples.cols(); }
  // Sweep::data_from_spec: the samples are what spec().data() describes.
  bool data_from_spec() const { return origin_ == DataOrigin::kFromSpec; }
  // Sweep::warnings: what the user should know about results this sweep will give, found
  // when it was made (see runtime/sweep/window_precision.h); each a sentence for a person.
  // The tool prints them and puts them in the Report.
  const std::vector<std::string>& warnings() const { return warnings_; }

  // Sweep::RunTask computes one task's partial result. Thread-safe. InvalidArgument if the
  // task's indices are out of range; a kernel's error is returned with the kernel's name and
  // the task's index added.
  absl::StatusOr<TaskResult> RunTask(const Task& task) const;

  // What a report compares its estimates with, where the data's source is known (empty
  // vectors otherwise): the kernel's expected density at point p and width index w, at
  // expected[p * widths + w] (nullopt where the kernel has none), and the source's true
  // density at each point. Computed on first use and kept (thread-safe): every run of a
  // sweep reports the same ones, and the expected density's quadrature costs more than a
  // small sweep's whole estimate, so repeated runs (--compare) must not pay for it again.
  struct References {
    std::vector<std::optional<double>> expected;
    std::vector<double> truth;
  };
  const References& references() const;

 private:
  // Sweep::Assemble finishes Create() and FromData() once the widths are valid.
  static absl::StatusOr<std::unique_ptr<Sweep>> Assemble(SweepSpec spec,
                                                         std::unique_ptr<Kernel> kernel,
                                                         Dataset data, DataOrigin origin,
                                                         Options options);
  Sweep(SweepSpec spec, std::unique_ptr<Kernel> kernel, Dataset data, Matrix points,
        DataOrigin origin, std::vector<std::string> warnings);

  SweepSpec spec_;
  std::unique_ptr<Kernel> kernel_;
  Dataset data_;
  Matrix points_;
  DataOrigin origin_;
  std::vector<std::string> warnings_;
  mutable absl::once_flag references_once_;
  mutable References references_;
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SWEEP_SWEEP_H_
