#include "runtime/stats/bandwidth_selection.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "runtime/stats/rules_of_thumb.h"

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

}  // namespace

absl::StatusOr<Selection> SelectBandwidth(BandwidthMethod method, const Sweep& sweep,
                                          Executor& executor, const LooOptions& loo) {
  if (sweep.samples() < 2) {
    return absl::FailedPreconditionError("choosing a width needs at least two samples");
  }
  if (method == BandwidthMethod::kLooCv) return SelectByLeaveOneOut(sweep, executor, loo);
  const double gaussian = RuleOfThumbBandwidth(sweep.data().samples, method);
  const double rule = sweep.kernel().GaussianEquivalentWidth(gaussian, sweep.dims());
  if (std::isnan(rule)) {  // The kernel's widths are no bandwidths (knn's are k).
    return absl::FailedPreconditionError(absl::StrCat(
        MethodName(method), "'s rule gives a Gaussian bandwidth, and kernel '",
        sweep.spec().kernel().name(), "' has no width equivalent to one: the rule does not apply"));
  }
  if (!(rule > 0) || !std::isfinite(rule)) {
    return absl::FailedPreconditionError(
        absl::StrCat(MethodName(method), "'s rule gives no usable width (", rule, "): ",
                     rule > 0 ? "the samples' spread overflows a double"
                              : "the samples do not vary in some coordinate"));
  }
  Selection selection;
  selection.set_method(MethodName(method));
  selection.set_gaussian_bandwidth(gaussian);
  selection.set_rule_width(rule);
  selection.set_width(NearestWidth(sweep.spec(), rule));
  return selection;
}

}  // namespace parsweep
