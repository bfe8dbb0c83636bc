#include "runtime/stats/bandwidth_selection.h"

#include <cmath>
#include <limits>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/base/status_macros.h"
#include "runtime/sweep/sweep_runner.h"

namespace parsweep {
namespace {

// The sweep's width nearest to `h` (the smaller of two equally near).
double NearestWidth(const SweepSpec& spec, double h) {
  double best = spec.widths(0);
  for (double w : spec.widths()) {
    if (std::abs(w - h) < std::abs(best - h) ||
        (std::abs(w - h) == std::abs(best - h) && w < best)) {
      best = w;
    }
  }
  return best;
}

absl::StatusOr<Selection> LeaveOneOut(const Sweep& sweep, Executor& executor) {
  const Matrix& samples = sweep.data().samples;
  const uint64_t n = samples.rows();
  const size_t d = samples.cols();
  const uint64_t m = std::min(n, kMaxLooPoints);
  SweepSpec spec = sweep.spec();
  spec.clear_points();
  spec.clear_grid();
  spec.mutable_executor()->set_split(SPLIT_WIDTHS);
  spec.mutable_executor()->set_chunk(0);
  HeldOut& held_out = *spec.mutable_held_out();
  for (uint64_t k = 0; k < m; ++k) held_out.add_rows(k * n / m);  // Spread evenly.
  // The held-out densities use the very samples of the sweep, borrowed, not copied.
  Dataset data;
  data.samples = Matrix::Borrow(samples.data(), n, d, std::make_shared<int>(0));
  ASSIGN_OR_RETURN(std::unique_ptr<Sweep> loo,
                   Sweep::FromData(std::move(spec), std::move(data),
                                   sweep.data_from_spec() ? Sweep::DataOrigin::kFromSpec
                                                          : Sweep::DataOrigin::kGiven));
  ASSIGN_OR_RETURN(Report report, RunSweep(*loo, executor));

  const int num_widths = report.spec().widths_size();
  Selection best;
  best.set_method("loo_cv");
  double best_score = -std::numeric_limits<double>::infinity();
  for (int w = 0; w < num_widths; ++w) {
    // Results are by point, then by increasing width: result (p, w) is p * W + w.
    const double h = report.results(w).width();
    double sum = 0;
    for (uint64_t p = 0; p < m; ++p) {
      sum += report.results(static_cast<int>(p * num_widths + w)).log_density();
    }
    const double score = sum / static_cast<double>(m);
    if (score > best_score) {
      best_score = score;
      best.set_width(h);
      best.set_score(score);
    }
  }
  if (!std::isfinite(best_score)) {
    return absl::FailedPreconditionError(
        "leave-one-out cross-validation: at every width some sample has no other sample in "
        "its window; add wider widths");
  }
  return best;
}

}  // namespace

absl::StatusOr<std::vector<BandwidthMethod>> ParseBandwidthMethods(absl::string_view text) {
  std::vector<BandwidthMethod> methods;
  for (absl::string_view name : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    if (name == "scott") {
      methods.push_back(BandwidthMethod::kScott);
    } else if (name == "silverman") {
      methods.push_back(BandwidthMethod::kSilverman);
    } else if (name == "loo_cv") {
      methods.push_back(BandwidthMethod::kLooCv);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--select='", name, "': known methods: scott, silverman, loo_cv"));
    }
  }
  return methods;
}

std::string MethodName(BandwidthMethod method) {
  switch (method) {
    case BandwidthMethod::kScott:
      return "scott";
    case BandwidthMethod::kSilverman:
      return "silverman";
    case BandwidthMethod::kLooCv:
      return "loo_cv";
  }
  return "unknown";
}

double RuleOfThumbBandwidth(const Matrix& samples, BandwidthMethod method) {
  const uint64_t n = samples.rows();
  const size_t d = samples.cols();
  double log_sigma = 0;
  for (size_t j = 0; j < d; ++j) {
    double mean = 0;
    for (uint64_t i = 0; i < n; ++i) mean += samples(i, j);
    mean /= static_cast<double>(n);
    double squares = 0;
    for (uint64_t i = 0; i < n; ++i) squares += (samples(i, j) - mean) * (samples(i, j) - mean);
    log_sigma += 0.5 * std::log(squares / static_cast<double>(n - 1));
  }
  const double sigma = std::exp(log_sigma / static_cast<double>(d));
  const double exponent = -1.0 / (static_cast<double>(d) + 4.0);
  const double factor =
      method == BandwidthMethod::kSilverman
          ? std::pow(4.0 / (static_cast<double>(d) + 2.0), 1.0 / (static_cast<double>(d) + 4.0))
          : 1.0;
  return factor * std::pow(static_cast<double>(n), exponent) * sigma;
}

absl::StatusOr<Selection> SelectBandwidth(BandwidthMethod method, const Sweep& sweep,
                                          Executor& executor) {
  if (sweep.samples() < 2) {
    return absl::FailedPreconditionError("choosing a width needs at least two samples");
  }
  if (method == BandwidthMethod::kLooCv) return LeaveOneOut(sweep, executor);
  const double rule = sweep.kernel().GaussianEquivalentWidth(
      RuleOfThumbBandwidth(sweep.data().samples, method), sweep.dims());
  if (!std::isfinite(rule) || !(rule > 0)) {
    return absl::FailedPreconditionError(
        absl::StrCat(MethodName(method), "'s rule gives no usable width: the samples do not ",
                     "vary in some coordinate"));
  }
  Selection selection;
  selection.set_method(MethodName(method));
  selection.set_rule_width(rule);
  selection.set_width(NearestWidth(sweep.spec(), rule));
  return selection;
}

}  // namespace parsweep
