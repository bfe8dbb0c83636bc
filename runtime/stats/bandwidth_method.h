// BandwidthMethod: the ways --select chooses a window width without the true density, and
// their names on the command line and in reports.
//
//   scott      Scott's rule of thumb (Scott 1992), as scipy.stats.gaussian_kde's default
//   silverman  Silverman's rule of thumb, as gaussian_kde(bw_method="silverman")
//   nrd0       R's default bandwidth, bw.nrd0 (Silverman 1986, eq. 3.31)
//   loo_cv     leave-one-out likelihood cross-validation over the sweep's widths
//
// rules_of_thumb.h defines the rules, leave_one_out.h the cross-validation.
//
// Example:
//   ASSIGN_OR_RETURN(std::vector<BandwidthMethod> methods, ParseBandwidthMethods("scott,loo_cv"));
#ifndef PARSWEEP_RUNTIME_STATS_BANDWIDTH_METHOD_H_
#define PARSWEEP_RUNTIME_STATS_BANDWIDTH_METHOD_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace parsweep {

enum class BandwidthMethod { kScott, kSilverman, kNrd0, kLooCv };

// ParseBandwidthMethods parses a comma-separated list of the names above (--select).
// InvalidArgument naming --select and the known names for any other.
absl::StatusOr<std::vector<BandwidthMethod>> ParseBandwidthMethods(absl::string_view text);

// MethodName is the method's name as --select takes it.
std::string MethodName(BandwidthMethod method);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_STATS_BANDWIDTH_METHOD_H_
