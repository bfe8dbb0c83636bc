// Choosing a window width without knowing the true density: Scott's and Silverman's rules
// of thumb, and leave-one-out likelihood cross-validation over the sweep's own widths.
//
// The rules give a Gaussian kernel's bandwidth, factor * n^(-1/(d+4)) * sigma, with sigma
// the geometric mean of the coordinates' sample standard deviations (one width for an
// isotropic window), factor 1 for Scott and (4 / (d + 2))^(1/(d+4)) for Silverman; the
// kernel converts it to its own width (Kernel::GaussianEquivalentWidth), and the selection
// names the sweep's width nearest to it.
//
// Leave-one-out cross-validation scores each width h by the mean over samples s_i of
// log p_{-i}(s_i), the density at s_i from the other n - 1 samples, and picks the best
// score. It is a sweep of its own whose evaluation points are the samples, run on the same
// executor; p_{-i}(s_i) is the kernel's LeaveOneOutDensity of its result at s_i (for
// counting and summing kernels, the total less s_i's own contribution of 1, normalised over
// n - 1 samples: exact for counts; for sums a sample so isolated that the others add less
// than the rounding of 1 scores -infinity). With
// more than kMaxLooPoints
// samples, the mean is over kMaxLooPoints of them spread evenly through the data (each
// density still uses every other sample). A width for which some sample has no neighbour
// in its window (p_{-i} = 0) scores -infinity.
//
// Example:
//   ASSIGN_OR_RETURN(Selection s, SelectBandwidth(BandwidthMethod::kLooCv, *sweep, *executor));
#ifndef PARSWEEP_RUNTIME_STATS_BANDWIDTH_SELECTION_H_
#define PARSWEEP_RUNTIME_STATS_BANDWIDTH_SELECTION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/sweep.pb.h"
#include "runtime/data/matrix.h"
#include "runtime/plugin/executor.h"
#include "runtime/sweep/sweep.h"

namespace parsweep {

enum class BandwidthMethod { kScott, kSilverman, kLooCv };

inline constexpr uint64_t kMaxLooPoints = 2000;

// ParseBandwidthMethods parses "scott", "silverman", "loo_cv" or a comma-separated list.
absl::StatusOr<std::vector<BandwidthMethod>> ParseBandwidthMethods(absl::string_view text);
std::string MethodName(BandwidthMethod method);

// RuleOfThumbBandwidth is the Gaussian-kernel bandwidth of Scott's or Silverman's rule.
// Requires at least two samples and method != kLooCv.
double RuleOfThumbBandwidth(const Matrix& samples, BandwidthMethod method);

// SelectBandwidth chooses one of the sweep's widths by `method`. FailedPrecondition when
// no width can be scored (LOO-CV with every width leaving some sample alone, or fewer than
// two samples).
absl::StatusOr<Selection> SelectBandwidth(BandwidthMethod method, const Sweep& sweep,
                                          Executor& executor);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_STATS_BANDWIDTH_SELECTION_H_
