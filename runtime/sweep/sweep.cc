#include "runtime/sweep/sweep.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "runtime/base/number_text.h"
#include "runtime/base/status_macros.h"
#include "runtime/base/utf8.h"
#include "runtime/sweep/memory_estimate.h"
#include "runtime/sweep/window_precision.h"

namespace parsweep {
namespace {

// The spec travels to workers as a protobuf, whose string fields must be UTF-8: a data file
// whose path is not would reach them garbled (and protobuf would complain on stderr).
absl::Status ValidateDataPath(const SweepSpec& spec) {
  if (!spec.data().has_file() || IsValidUtf8(spec.data().file().path())) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("the data file's path '", absl::CHexEscape(spec.data().file().path()),
                   "' is not UTF-8, which a sweep's spec must be to reach its workers: rename "
                   "the file, or link to it under a UTF-8 name"));
}

absl::Status ValidateWidths(const SweepSpec& spec) {
  if (spec.widths_size() == 0) return absl::InvalidArgumentError("the sweep has no widths");
  for (int i = 0; i < spec.widths_size(); ++i) {
    const double h = spec.widths(i);
    if (!std::isfinite(h) || !(h > 0.0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("width ", i + 1, " is ", h, "; widths must be finite and positive"));
    }
  }
  return absl::OkStatus();
}

// A window's volume h^d must be a normal double, or the density k / (n h^d) is 0/0 or k/inf.
absl::Status ValidateVolumes(const SweepSpec& spec, size_t dims) {
  for (int i = 0; i < spec.widths_size(); ++i) {
    const double h = spec.widths(i);
    if (!std::isnormal(std::pow(h, static_cast<double>(dims)))) {
      return absl::InvalidArgumentError(absl::StrCat("width ", i + 1, " is ", h,
                                                     ": its window volume h^", dims,
                                                     " is out of the range of a double"));
    }
  }
  return absl::OkStatus();
}

// The most evaluation points a sweep may have.
constexpr uint64_t kMaxPoints = 1'000'000;

// An axis's values must be finite (its ends are): (hi - lo) * i can overflow although hi and
// lo do not; and distinct, or a range too narrow for its count repeats points.
absl::Status CheckGridValues(const GridAxis& axis, size_t j, const std::vector<double>& values) {
  const std::string what =
      absl::StrCat("grid axis ", j + 1, " (", ShortestDecimal(axis.lo()), " to ",
                   ShortestDecimal(axis.hi()), ", ", axis.count(), " values)");
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat(what,
                       ": its spacing overflows a double (the range's length is near or "
                       "beyond the largest double, 1.8e308); use a narrower range"));
    }
    if (i > 0 && values[i] == values[i - 1]) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": the value ", ShortestDecimal(values[i]),
                       " repeats, as the spacing is below what a double resolves there; use "
                       "fewer values or a wider range"));
    }
  }
  return absl::OkStatus();
}

// Replaces spec.grid by the points it stands for, in row-major order (the last axis
// fastest).
absl::Status ExpandGrid(SweepSpec& spec, size_t dims) {
  if (spec.grid_size() == 0) return absl::OkStatus();
  if (spec.points_size() > 0) {
    return absl::InvalidArgumentError("give evaluation points or a grid, not both");
  }
  if (spec.grid_size() != 1 && static_cast<size_t>(spec.grid_size()) != dims) {
    return absl::InvalidArgumentError(absl::StrCat("the grid has ", spec.grid_size(),
                                                   " axes; the data has ", dims,
                                                   " dimensions (give one axis, or one each)"));
  }
  std::vector<std::vector<double>> axes;
  uint64_t total = 1;
  for (size_t j = 0; j < dims; ++j) {
    const GridAxis& axis = spec.grid(spec.grid_size() == 1 ? 0 : static_cast<int>(j));
    if (axis.count() == 0 || !std::isfinite(axis.lo()) || !std::isfinite(axis.hi())) {
      return absl::InvalidArgumentError(
          absl::StrCat("grid axis ", j + 1, " needs finite ends and at least one value"));
    }
    total *= axis.count();
    if (total > kMaxPoints) {
      return absl::InvalidArgumentError(
          absl::StrCat("the grid has more than ", kMaxPoints, " points"));
    }
    std::vector<double> values(axis.count());
    for (uint32_t i = 0; i < axis.count(); ++i) {
      values[i] = axis.count() == 1 ? axis.lo()
                  : i + 1 == axis.count()
                      ? axis.hi()
                      : axis.lo() + (axis.hi() - axis.lo()) * i / (axis.count() - 1);
    }
    RETURN_IF_ERROR(CheckGridValues(axis, j, values));
    axes.push_back(std::move(values));
  }
  for (uint64_t p = 0; p < total; ++p) {
    Point& point = *spec.add_points();
    uint64_t rest = p;
    std::vector<double> coords(dims);
    for (size_t j = dims; j-- > 0;) {
      coords[j] = axes[j][rest % axes[j].size()];
      rest /= axes[j].size();
    }
    *point.mutable_coords() = {coords.begin(), coords.end()};
  }
  spec.clear_grid();
  return absl::OkStatus();
}

// PointCount: how many evaluation points `spec` stands for with `dims` dimensions (a grid's
// product, saturating), before the grid is expanded.
uint64_t PointCount(const SweepSpec& spec, uint64_t dims, uint64_t samples) {
  if (spec.has_held_out()) {
    return spec.held_out().rows_size() == 0 ? samples : spec.held_out().rows_size();
  }
  if (spec.grid_size() == 0) return std::max(spec.points_size(), 1);
  uint64_t total = 1;
  for (uint64_t j = 0; j < dims; ++j) {
    const uint64_t count =
        spec.grid(spec.grid_size() == 1 ? 0 : static_cast<int>(j % spec.grid_size())).count();
    total = count != 0 && total > UINT64_MAX / count ? UINT64_MAX : total * count;
  }
  return total;
}

// The points of a held-out sweep: rows of the samples (all of them when no rows are named),
// copied into the points; the spec keeps only the row numbers.
absl::StatusOr<Matrix> HeldOutPoints(const SweepSpec& spec, const Matrix& samples) {
  if (spec.points_size() > 0 || spec.grid_size() > 0) {
    return absl::InvalidArgumentError(
        "a held-out sweep's points are its samples: give no points or grid");
  }
  const uint64_t n = samples.rows();
  const bool all = spec.held_out().rows_size() == 0;
  const uint64_t count = all ? n : spec.held_out().rows_size();
  if (count > std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrCat(count, " held-out points; at most ", std::numeric_limits<uint32_t>::max()));
  }
  Matrix points(count, samples.cols());
  for (uint64_t p = 0; p < count; ++p) {
    const uint64_t row = all ? p : spec.held_out().rows(static_cast<int>(p));
    if (row >= n) {
      return absl::InvalidArgumentError(
          absl::StrCat("held-out row ", row, " is beyond the ", n, " samples"));
    }
    for (size_t j = 0; j < samples.cols(); ++j) points(p, j) = samples(row, j);
  }
  return points;
}

absl::StatusOr<Matrix> BuildPoints(SweepSpec& spec, const Matrix& samples) {
  const size_t dims = samples.cols();
  if (spec.has_held_out()) return HeldOutPoints(spec, samples);
  RETURN_IF_ERROR(ExpandGrid(spec, dims));
  if (static_cast<uint64_t>(spec.points_size()) > kMaxPoints) {
    return absl::InvalidArgumentError(
        absl::StrCat(spec.points_size(), " evaluation points; at most ", kMaxPoints));
  }
  if (spec.points_size() == 0) {
    Point* origin = spec.add_points();
    for (size_t j = 0; j < dims; ++j) origin->add_coords(0.0);
  }
  Matrix points(spec.points_size(), dims);
  for (int p = 0; p < spec.points_size(); ++p) {
    const Point& point = spec.points(p);
    if (static_cast<size_t>(point.coords_size()) != dims) {
      return absl::InvalidArgumentError(absl::StrCat("point ", p + 1, " has ", point.coords_size(),
                                                     " coordinates but the data has ", dims,
                                                     " dimensions"));
    }
    for (size_t j = 0; j < dims; ++j) {
      if (!std::isfinite(point.coords(j))) {
        return absl::InvalidArgumentError(
            absl::StrCat("point ", p + 1, " coordinate ", j + 1, " is not finite"));
      }
      points(p, j) = point.coords(j);
    }
  }
  return points;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Sweep>> Sweep::Create(SweepSpec spec, Options options) {
  // Cheap checks first, so a typo does not cost generating or reading the data.
  RETURN_IF_ERROR(ValidateDataPath(spec));
  RETURN_IF_ERROR(ValidateWidths(spec));
  ASSIGN_OR_RETURN(std::unique_ptr<Kernel> kernel,
                   Registry<Kernel>::Global().Create(spec.kernel()));
  if (!options.worker && spec.data().has_gaussian()) {
    // Generated data's size is in the spec: refuse a sweep that cannot fit before
    // generating anything.
    const GaussianSource& gaussian = spec.data().gaussian();
    const uint64_t dims = std::max(gaussian.mean_size(), 1);
    RETURN_IF_ERROR(
        CheckSweepMemory(SweepSize{gaussian.n(), dims, PointCount(spec, dims, gaussian.n()),
                                   static_cast<uint64_t>(spec.widths_size())}));
  }
  ASSIGN_OR_RETURN(Dataset data, LoadDataset(spec.data()));
  if (!options.worker && spec.data().has_file()) {  // Its size is known now.
    RETURN_IF_ERROR(
        CheckSweepMemory(SweepSize{data.samples.rows(), data.samples.cols(),
                                   PointCount(spec, data.samples.cols(), data.samples.rows()),
                                   static_cast<uint64_t>(spec.widths_size())}));
  }
  return Assemble(std::move(spec), std::move(kernel), std::move(data), DataOrigin::kFromSpec,
                  options);
}

absl::StatusOr<std::unique_ptr<Sweep>> Sweep::FromData(SweepSpec spec, Dataset data,
                                                       DataOrigin origin, Options options) {
  RETURN_IF_ERROR(ValidateWidths(spec));
  ASSIGN_OR_RETURN(std::unique_ptr<Kernel> kernel,
                   Registry<Kernel>::Global().Create(spec.kernel()));
  return Assemble(std::move(spec), std::move(kernel), std::move(data), origin, options);
}

absl::StatusOr<std::unique_ptr<Sweep>> Sweep::Assemble(SweepSpec spec,
                                                       std::unique_ptr<Kernel> kernel, Dataset data,
                                                       DataOrigin origin, Options options) {
  if (data.samples.rows() == 0 || data.samples.cols() == 0) {
    return absl::InvalidArgumentError("the dataset is empty");
  }
  RETURN_IF_ERROR(ValidateVolumes(spec, data.samples.cols()));
  ASSIGN_OR_RETURN(Matrix points, BuildPoints(spec, data.samples));
  // Here the samples, the points and the widths are all known: one pass over the samples,
  // unless their loader found their magnitude as it made them.
  std::vector<std::string> warnings;
  // Widths that count (knn's k) are no lengths for the data's doubles to blur.
  if (!options.worker && !kernel->Width().integral) {
    const double magnitude = std::max(
        data.largest_magnitude ? *data.largest_magnitude : LargestMagnitude(data.samples.View()),
        LargestMagnitude(points.View()));
    if (std::optional<std::string> warning = WindowPrecisionWarning(
            magnitude, absl::MakeConstSpan(spec.widths().data(), spec.widths_size()))) {
      warnings.push_back(*std::move(warning));
    }
  }
  return std::unique_ptr<Sweep>(new Sweep(std::move(spec), std::move(kernel), std::move(data),
                                          std::move(points), origin, std::move(warnings)));
}

Sweep::Sweep(SweepSpec spec, std::unique_ptr<Kernel> kernel, Dataset data, Matrix points,
             DataOrigin origin, std::vector<std::string> warnings)
    : spec_(std::move(spec)),
      kernel_(std::move(kernel)),
      data_(std::move(data)),
      points_(std::move(points)),
      origin_(origin),
      warnings_(std::move(warnings)) {}

const Sweep::References& Sweep::references() const {
  absl::call_once(references_once_, [this] {
    const std::optional<Gaussian>& source = data_.source;
    if (!source) return;
    const size_t widths = spec_.widths_size();
    references_.expected.resize(points_.rows() * widths);
    references_.truth.resize(points_.rows());
    for (size_t p = 0; p < points_.rows(); ++p) {
      const absl::Span<const double> point = points_.row(p);
      references_.truth[p] = source->Density(point);
      for (size_t w = 0; w < widths; ++w) {
        references_.expected[p * widths + w] =
            kernel_->ExpectedDensity(*source, point, spec_.widths(w));
      }
    }
  });
  return references_;
}

absl::StatusOr<TaskResult> Sweep::RunTask(const Task& task) const {
  if (task.width_begin() >= task.width_end() ||
      task.width_end() > static_cast<uint32_t>(spec_.widths_size())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "task ", task.index(), ": width range [", task.width_begin(), ", ", task.width_end(),
        ") is empty or beyond the sweep's ", spec_.widths_size(), " widths"));
  }
  const size_t num_widths = task.width_end() - task.width_begin();
  const absl::Span<const double> widths =
      absl::MakeConstSpan(spec_.widths()).subspan(task.width_begin(), num_widths);
  if (task.sample_begin() >= task.sample_end() || task.sample_end() > samples()) {
    return absl::InvalidArgumentError(
        absl::StrCat("task ", task.index(), ": sample range [", task.sample_begin(), ", ",
                     task.sample_end(), ") is empty or beyond the ", samples(), " samples"));
  }
  if (task.point_begin() >= task.point_end() || task.point_end() > points_.rows()) {
    return absl::InvalidArgumentError(
        absl::StrCat("task ", task.index(), ": point range [", task.point_begin(), ", ",
                     task.point_end(), ") is empty or beyond the ", points_.rows(), " points"));
  }

  if (task.sample_begin() % std::max<uint64_t>(kernel_->SampleBlock(), 1) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("task ", task.index(), ": its samples start at ", task.sample_begin(),
                     ", not at a multiple of kernel '", spec_.kernel().name(), "''s block of ",
                     kernel_->SampleBlock(), " samples"));
  }
  const size_t num_points = task.point_end() - task.point_begin();
  const ConstMatrixView block = data_.samples.Rows(task.sample_begin(), task.sample_end());
  const std::unique_ptr<Partial> partial = kernel_->NewPartial(num_points, num_widths);
  const absl::Status status = kernel_->Accumulate(
      block, points_.Rows(task.point_begin(), task.point_end()), widths, *partial);
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat("kernel '", spec_.kernel().name(), "' failed on task ",
                                     task.index(), ": ", status.message()));
  }
  TaskResult result;
  result.set_task_index(task.index());
  result.set_partial(partial->Serialize());
  return result;
}

}  // namespace parsweep
