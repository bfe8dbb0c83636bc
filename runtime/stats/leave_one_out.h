// Leave-one-out likelihood cross-validation over a sweep's widths (--select=loo_cv).
//
// For width h, each held-out sample s_i gets log p_{-i}(s_i), the log of its density from
// the other n - 1 samples, and the width's score is their mean over the K held-out samples:
// every sample (K = n) by default, or K drawn at random without replacement
// (LooOptions::points, seeded by LooOptions::seed; row_sample.h). The standard error is the
// sample standard deviation of the K log densities over sqrt(K): how precisely the mean
// estimates the expected held-out log-likelihood, the same measure whether K is n or
// fewer. (It has no finite-population correction, which would measure only how far a
// subsample's mean is from the all-sample mean and vanish at K = n; that distance is the
// standard error times sqrt((n - K) / (n - 1)).)
//
// A held-out sample whose density is 0 at h (the hypercube: no other sample in its
// window) has log density -infinity, and so has the width's score; the scores count such
// samples per width, described in the kernel's words (Kernel::IsolatedSampleText).
//
// It is a sweep of its own (SweepSpec.held_out) whose evaluation points are the held-out
// samples, run on the caller's executor; the kernel's EstimateHeldOut gives each log
// density. Its cost is K * n distance evaluations (fused over the widths) and its results
// K * widths: a sweep too large for the memory available is refused
// (runtime/sweep/memory_estimate.h), and --loo_points makes it smaller.
//
// Example:
//   ASSIGN_OR_RETURN(Selection s, SelectByLeaveOneOut(*sweep, *executor, LooOptions{500, 1}));
#ifndef PARSWEEP_RUNTIME_STATS_LEAVE_ONE_OUT_H_
#define PARSWEEP_RUNTIME_STATS_LEAVE_ONE_OUT_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/sweep.pb.h"
#include "runtime/plugin/executor.h"
#include "runtime/sweep/sweep.h"

namespace parsweep {

// The seed of the draw of held-out samples when none is given (--loo_seed).
inline constexpr uint64_t kDefaultLooSeed = 1;

// LooOptions: which samples are held out.
struct LooOptions {
  uint64_t points = 0;              // K, at least 2 and at most n; 0 or n: every sample.
  uint64_t seed = kDefaultLooSeed;  // Seeds the draw of K < n samples.
};

// CheckLooPoints: InvalidArgument, naming --loo_points, unless 2 <= points <= samples.
absl::Status CheckLooPoints(uint64_t points, uint64_t samples);

// LooScores: the scores of every width, by increasing width, and which samples made them.
struct LooScores {
  std::vector<uint64_t> rows;  // The held-out rows, increasing; empty: every row.
  uint64_t held_out = 0;       // K.
  std::vector<Selection::WidthScore> widths;
};

// ScoreLeaveOneOut scores every width of `sweep` on `executor`. InvalidArgument for bad
// options (CheckLooPoints) or fewer than two samples; the held-out sweep's own errors
// (Unimplemented for a kernel without a held-out estimate, ResourceExhausted for one too
// large for the memory available).
absl::StatusOr<LooScores> ScoreLeaveOneOut(const Sweep& sweep, Executor& executor,
                                           const LooOptions& options);

// SelectByLeaveOneOut: the width with the best score (the smallest of equal ones), as a
// "loo_cv" Selection with its standard error, K, the seed when K < n, and every width's
// score. FailedPrecondition when every width scores -infinity, with how many samples are
// isolated at the widest width, in the kernel's words.
absl::StatusOr<Selection> SelectByLeaveOneOut(const Sweep& sweep, Executor& executor,
                                              const LooOptions& options);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_STATS_LEAVE_ONE_OUT_H_
