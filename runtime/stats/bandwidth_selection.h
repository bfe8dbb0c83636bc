// SelectBandwidth: one of the sweep's widths chosen without knowing the true density, by a
// rule of thumb (rules_of_thumb.h) or by leave-one-out cross-validation (leave_one_out.h).
//
// A rule gives a Gaussian kernel's bandwidth; the sweep's kernel converts it into its own
// width with the same asymptotic bias-variance balance (Kernel::GaussianEquivalentWidth),
// and the selection names the sweep's width nearest to that, with both the rule's
// bandwidth and its converted width. Cross-validation scores each of the sweep's widths.
// docs/NUMERICS.md ("Bandwidth rules", "Leave-one-out cross-validation") defines every
// method.
//
// Example:
//   ASSIGN_OR_RETURN(Selection s, SelectBandwidth(BandwidthMethod::kLooCv, *sweep, *executor));
#ifndef PARSWEEP_RUNTIME_STATS_BANDWIDTH_SELECTION_H_
#define PARSWEEP_RUNTIME_STATS_BANDWIDTH_SELECTION_H_

#include "absl/status/statusor.h"
#include "proto/sweep.pb.h"
#include "runtime/plugin/executor.h"
#include "runtime/stats/bandwidth_method.h"
#include "runtime/stats/leave_one_out.h"
#include "runtime/sweep/sweep.h"

namespace parsweep {

// SelectBandwidth chooses one of the sweep's widths by `method`; `loo` says which samples
// loo_cv holds out (other methods ignore it). FailedPrecondition when no width can be
// chosen: fewer than two samples, a rule whose width is 0 or not finite (a coordinate that
// does not vary), a kernel with no Gaussian-equivalent width (GaussianEquivalentWidth is NaN:
// knn, whose widths are k), or every width scoring -infinity; InvalidArgument for bad `loo`
// options.
absl::StatusOr<Selection> SelectBandwidth(BandwidthMethod method, const Sweep& sweep,
                                          Executor& executor, const LooOptions& loo = {});

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_STATS_BANDWIDTH_SELECTION_H_
