#include "tools/sweep_options.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/base/number_text.h"
#include "runtime/base/status_macros.h"
#include "runtime/data/dataset.h"
#include "tools/number_list.h"

namespace parsweep {
namespace {

absl::Status BuildGaussian(const SweepOptions& options, GaussianSource& source) {
  const int64_t n = options.n.value_or(kDefaultSamples);
  if (n <= 0) return absl::InvalidArgumentError(absl::StrCat("--n=", n, ": must be positive"));
  const int dims = options.dims.value_or(kDefaultDims);
  if (dims <= 0 || dims > kMaxGeneratedDims) {
    return absl::InvalidArgumentError(absl::StrCat("--dims=", dims, ": must be from 1 to ",
                                                   kMaxGeneratedDims, " for generated data"));
  }
  const size_t d = static_cast<size_t>(dims);
  source.set_n(static_cast<uint64_t>(n));
  source.set_seed(options.seed.value_or(kDefaultSeed));

  std::vector<double> mean(d, 0.0);
  if (options.mean) {
    ASSIGN_OR_RETURN(mean, ParseNumberList(*options.mean, "--mean"));
    if (mean.size() != d) {
      return absl::InvalidArgumentError(
          absl::StrCat("--mean has ", mean.size(), " entries but --dims=", dims));
    }
  }
  std::vector<double> cov(d * d, 0.0);
  for (size_t j = 0; j < d; ++j) cov[j * d + j] = 1.0;
  if (options.cov) {
    ASSIGN_OR_RETURN(std::vector<double> given, ParseNumberList(*options.cov, "--cov"));
    if (given.size() == d * d) {
      cov = given;
    } else if (given.size() == d) {
      for (size_t j = 0; j < d; ++j) cov[j * d + j] = given[j];
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "--cov has ", given.size(), " entries; with --dims=", dims, " it takes ", d * d,
          " (the matrix, row by row) or ", d, " (the variances of a diagonal matrix)"));
    }
  }
  *source.mutable_mean() = {mean.begin(), mean.end()};
  *source.mutable_covariance() = {cov.begin(), cov.end()};
  return absl::OkStatus();
}

// "lo:hi:k" or "lo:hi:k,lo:hi:k,...": one axis for every dimension, or one each.
absl::Status ParseGrid(const std::string& text, SweepSpec& spec) {
  for (absl::string_view axis_text : absl::StrSplit(text, ',')) {
    const std::string what = absl::StrCat("--grid axis '", axis_text, "'");
    std::vector<absl::string_view> parts = absl::StrSplit(axis_text, ':');
    uint32_t count = 0;
    if (parts.size() != 3 || !absl::SimpleAtoi(parts[2], &count) || count == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": expected lo:hi:count with count >= 1, e.g. -2:2:41"));
    }
    ASSIGN_OR_RETURN(std::vector<double> ends,
                     ParseNumberList(absl::StrCat(parts[0], ",", parts[1]), what));
    GridAxis& axis = *spec.add_grid();
    axis.set_lo(ends[0]);
    axis.set_hi(ends[1]);
    axis.set_count(count);
  }
  return absl::OkStatus();
}

// A width twice would be the same row twice: a typo in a list, or a range too narrow for
// its count of distinct doubles. A range is monotonic already (and may hold 10^8 widths):
// only a list is sorted, in a copy.
absl::Status CheckDistinctWidths(const std::vector<double>& given, const std::string& text) {
  std::vector<double> sorted;
  const bool monotonic =
      std::is_sorted(given.begin(), given.end()) || std::is_sorted(given.rbegin(), given.rend());
  if (!monotonic) {
    sorted = given;
    std::sort(sorted.begin(), sorted.end());
  }
  const std::vector<double>& widths = monotonic ? given : sorted;
  const auto repeated = std::adjacent_find(widths.begin(), widths.end());
  if (repeated == widths.end()) return absl::OkStatus();
  if (absl::StrContains(text, ':')) {
    return absl::InvalidArgumentError(
        absl::StrCat("--widths='", text, "' gives the width ", ShortestDecimal(*repeated),
                     " more than once: the range is too narrow for that many distinct widths"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--widths='", text, "' lists ", ShortestDecimal(*repeated), " twice"));
}

}  // namespace

absl::StatusOr<SweepSpec> BuildSpec(const SweepOptions& options) {
  SweepSpec spec;
  spec.mutable_kernel()->set_name(options.kernel);
  for (const auto& [key, value] : options.kernel_params) {
    (*spec.mutable_kernel()->mutable_params())[key] = value;
  }

  ASSIGN_OR_RETURN(std::vector<double> widths, ParseWidths(options.widths));
  RETURN_IF_ERROR(CheckDistinctWidths(widths, options.widths));
  *spec.mutable_widths() = {widths.begin(), widths.end()};

  if (!options.data.empty()) {
    const char* conflict = options.n      ? "--n"
                           : options.dims ? "--dims"
                           : options.seed ? "--seed"
                           : options.mean ? "--mean"
                           : options.cov  ? "--cov"
                                          : nullptr;
    if (conflict != nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(conflict, " describes generated data and cannot be used with --data"));
    }
    FileSource& file = *spec.mutable_data()->mutable_file();
    file.set_path(options.data);  // The format goes by the ending: .npy, else CSV.
  } else {
    RETURN_IF_ERROR(BuildGaussian(options, *spec.mutable_data()->mutable_gaussian()));
  }

  const int where = !options.point.empty() + !options.points_file.empty() + !options.grid.empty();
  if (where > 1) {
    return absl::InvalidArgumentError("--point, --points and --grid are alternatives; give one");
  }
  if (!options.point.empty()) {
    ASSIGN_OR_RETURN(std::vector<double> point, ParseNumberList(options.point, "--point"));
    *spec.add_points()->mutable_coords() = {point.begin(), point.end()};
  }
  if (!options.points_file.empty()) {
    ASSIGN_OR_RETURN(Matrix points, ReadMatrixFile(options.points_file, ""));
    for (size_t i = 0; i < points.rows(); ++i) {
      *spec.add_points()->mutable_coords() = {points.row(i).begin(), points.row(i).end()};
    }
  }
  if (!options.grid.empty()) RETURN_IF_ERROR(ParseGrid(options.grid, spec));

  ExecutorSpec& executor = *spec.mutable_executor();
  executor.set_name(options.executor);
  executor.set_workers(options.workers);
  if (options.split == "widths") {
    executor.set_split(SPLIT_WIDTHS);
  } else if (options.split == "samples") {
    executor.set_split(SPLIT_SAMPLES);
  } else if (options.split == "auto") {
    executor.set_split(SPLIT_AUTO);  // With a --chunk, the planner cuts widths (executor.proto).
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--split='", options.split, "': must be auto, widths or samples"));
  }
  executor.set_chunk(options.chunk);
  for (const auto& [key, value] : options.executor_params) {
    (*executor.mutable_params())[key] = value;
  }
  return spec;
}

}  // namespace parsweep
