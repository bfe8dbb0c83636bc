// The rules of thumb: a Gaussian kernel's bandwidth from the spread of the samples alone.
//
// In one dimension they are exactly the ecosystem's (docs/NUMERICS.md, "Rules of thumb"):
//   scott      n^(-1/5) sd                       scipy.stats.gaussian_kde (Scott 1992)
//   silverman  (3n/4)^(-1/5) sd                  gaussian_kde(bw_method="silverman")
//   nrd0       0.9 min(sd, IQR/1.34) n^(-1/5)    R's bw.nrd0 (Silverman 1986, eq. 3.31)
// with sd the sample standard deviation (n - 1 in the denominator) and IQR the distance
// between R's default (type 7) quartiles. Scott's and Silverman's equal
// gaussian_kde(x).factor * x.std(ddof=1) bit for bit: the sums are numpy's and the factor a
// power of scipy's effective sample size (sample_statistics.h). nrd0 keeps R's fallbacks
// when min(sd, IQR/1.34) is 0: sd, else |x_1| (the first sample), else 1.
//
// In d dimensions a sweep has one width for every coordinate, so each rule gives one
// isotropic bandwidth: the rule's factor with the d-dimensional rate, scott
// n^(-1/(d+4)), silverman (n (d+2)/4)^(-1/(d+4)) (scipy's factors), nrd0
// 0.9 n^(-1/(d+4)), times the geometric mean over the coordinates of their spreads (sd_j;
// for nrd0 each coordinate's min(sd_j, IQR_j/1.34) with R's fallbacks). The geometric mean
// keeps the volume of the per-coordinate (product) kernel with bandwidths factor * sd_j.
//
// Example:
//   const double h = RuleOfThumbBandwidth(sweep.data().samples, BandwidthMethod::kNrd0);
#ifndef PARSWEEP_RUNTIME_STATS_RULES_OF_THUMB_H_
#define PARSWEEP_RUNTIME_STATS_RULES_OF_THUMB_H_

#include "runtime/data/matrix.h"
#include "runtime/stats/bandwidth_method.h"

namespace parsweep {

// RuleOfThumbBandwidth is the Gaussian kernel's bandwidth that rule `method` gives for
// `samples`. Requires at least two samples and a rule (not kLooCv). 0 for scott and
// silverman when some coordinate does not vary (and inf if the spread overflows): the
// caller says no width can be chosen.
double RuleOfThumbBandwidth(const Matrix& samples, BandwidthMethod method);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_STATS_RULES_OF_THUMB_H_
