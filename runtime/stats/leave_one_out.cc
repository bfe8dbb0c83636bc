#include "runtime/stats/leave_one_out.h"

#include <cmath>
#include <limits>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "runtime/base/status_macros.h"
#include "runtime/data/matrix.h"
#include "runtime/stats/row_sample.h"
#include "runtime/stats/sample_statistics.h"
#include "runtime/sweep/sweep_runner.h"

namespace parsweep {
namespace {

// The held-out sweep: `sweep`'s kernel and widths, evaluated at the held-out samples.
absl::StatusOr<Report> RunHeldOutSweep(const Sweep& sweep, Executor& executor,
                                       const std::vector<uint64_t>& rows) {
  const Matrix& samples = sweep.data().samples;
  SweepSpec spec = sweep.spec();
  spec.clear_points();
  spec.clear_grid();
  spec.mutable_executor()->set_split(SPLIT_WIDTHS);
  spec.mutable_executor()->set_chunk(0);
  HeldOut& held_out = *spec.mutable_held_out();
  for (uint64_t row : rows) held_out.add_rows(row);
  // The held-out densities use the very samples of the sweep, borrowed, not copied.
  Dataset data;
  data.samples =
      Matrix::Borrow(samples.data(), samples.rows(), samples.cols(), std::make_shared<int>(0));
  ASSIGN_OR_RETURN(std::unique_ptr<Sweep> loo,
                   Sweep::FromData(std::move(spec), std::move(data),
                                   sweep.data_from_spec() ? Sweep::DataOrigin::kFromSpec
                                                          : Sweep::DataOrigin::kGiven));
  return RunSweep(*loo, executor);
}

// One width's score from the held-out log densities log_density(0..k-1).
template <typename LogDensityAt>
Selection::WidthScore ScoreWidth(double width, uint64_t k, const LogDensityAt& log_density) {
  Selection::WidthScore score;
  score.set_width(width);
  uint32_t isolated = 0;
  for (uint64_t p = 0; p < k; ++p) isolated += log_density(p) == -HUGE_VAL;
  score.set_isolated(isolated);
  if (isolated > 0) {
    score.set_score(-std::numeric_limits<double>::infinity());
    return score;
  }
  const double count = static_cast<double>(k);
  const double mean = PairwiseSum(k, log_density) / count;
  const double squares = PairwiseSum(k, [&](size_t p) {
    const double deviation = log_density(p) - mean;
    return deviation * deviation;
  });
  score.set_score(mean);
  score.set_standard_error(std::sqrt(squares / (count - 1)) / std::sqrt(count));
  return score;
}

}  // namespace

absl::Status CheckLooPoints(uint64_t points, uint64_t samples) {
  if (points < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("--loo_points=", points,
                     ": leave-one-out cross-validation needs at least 2 held-out samples"));
  }
  if (points > samples) {
    return absl::InvalidArgumentError(absl::StrCat("--loo_points=", points, ": there are only ",
                                                   samples, " samples (--loo_points=", samples,
                                                   ", or no --loo_points, holds out every one)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<LooScores> ScoreLeaveOneOut(const Sweep& sweep, Executor& executor,
                                           const LooOptions& options) {
  const uint64_t n = sweep.samples();
  if (n < 2) {
    return absl::InvalidArgumentError("leave-one-out cross-validation needs at least two samples");
  }
  if (options.points != 0) RETURN_IF_ERROR(CheckLooPoints(options.points, n));
  LooScores scores;
  if (options.points != 0 && options.points < n) {
    scores.rows = ChooseRows(n, options.points, options.seed);
  }
  scores.held_out = scores.rows.empty() ? n : scores.rows.size();
  ASSIGN_OR_RETURN(const Report report, RunHeldOutSweep(sweep, executor, scores.rows));

  // Results are by point, then by increasing width: result (p, w) is p * W + w.
  const uint64_t num_widths = report.spec().widths_size();
  for (uint64_t w = 0; w < num_widths; ++w) {
    scores.widths.push_back(
        ScoreWidth(report.results(static_cast<int>(w)).width(), scores.held_out, [&](size_t p) {
          return report.results(static_cast<int>(p * num_widths + w)).log_density();
        }));
  }
  return scores;
}

absl::StatusOr<Selection> SelectByLeaveOneOut(const Sweep& sweep, Executor& executor,
                                              const LooOptions& options) {
  ASSIGN_OR_RETURN(const LooScores scores, ScoreLeaveOneOut(sweep, executor, options));
  Selection selection;
  selection.set_method("loo_cv");
  selection.set_held_out(static_cast<uint32_t>(scores.held_out));
  if (!scores.rows.empty()) selection.set_loo_seed(options.seed);
  selection.set_isolated_meaning(sweep.kernel().IsolatedSampleText());
  const Selection::WidthScore* best = nullptr;
  for (const Selection::WidthScore& score : scores.widths) {
    *selection.add_width_scores() = score;
    if (score.score() > -HUGE_VAL && (best == nullptr || score.score() > best->score())) {
      best = &score;
    }
  }
  if (best == nullptr) {
    const Selection::WidthScore& widest = scores.widths.back();
    return absl::FailedPreconditionError(absl::StrFormat(
        "leave-one-out cross-validation: every width scores -infinity; at the widest, h = "
        "%g, %d of the %d held-out samples %s; add wider widths",
        widest.width(), widest.isolated(), scores.held_out, sweep.kernel().IsolatedSampleText()));
  }
  selection.set_width(best->width());
  selection.set_score(best->score());
  selection.set_standard_error(best->standard_error());
  return selection;
}

}  // namespace parsweep
