#include "runtime/stats/rules_of_thumb.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "runtime/stats/sample_statistics.h"

namespace parsweep {
namespace {

// R's spread for bw.nrd0: min(sd, IQR / 1.34), and where that is 0, sd, else |x_1|, else 1
// (R: `if(!(lo <- min(hi, IQR(x)/1.34))) (lo <- hi) || (lo <- abs(x[1L])) || (lo <- 1.)`).
double Nrd0Spread(std::vector<double> column, double sd) {
  const double first = column.front();
  std::sort(column.begin(), column.end());
  const double iqr = SampleQuantile(column, 0.75) - SampleQuantile(column, 0.25);
  double spread = std::min(sd, iqr / 1.34);
  if (spread == 0) spread = sd;
  if (spread == 0) spread = std::abs(first);
  if (spread == 0) spread = 1;
  return spread;
}

}  // namespace

double RuleOfThumbBandwidth(const Matrix& samples, BandwidthMethod method) {
  const uint64_t n = samples.rows();
  const size_t d = samples.cols();
  // The geometric mean of the coordinates' spreads, through logs (a product of many could
  // overflow); one coordinate's spread is taken as it is, so 1-D values keep their bits.
  double spread = 1;
  double log_spread = 0;
  std::vector<double> column(n);
  for (size_t j = 0; j < d; ++j) {
    for (uint64_t i = 0; i < n; ++i) column[i] = samples(i, j);
    const double sd = SampleStandardDeviation(column);
    const double s = method == BandwidthMethod::kNrd0 ? Nrd0Spread(column, sd) : sd;
    spread = s;
    log_spread += std::log(s);
  }
  if (d > 1) spread = std::exp(log_spread / static_cast<double>(d));

  const double dims = static_cast<double>(d);
  const double exponent = -1.0 / (dims + 4.0);
  switch (method) {
    case BandwidthMethod::kScott:
      return std::pow(EffectiveSampleSize(n), exponent) * spread;
    case BandwidthMethod::kSilverman:
      return std::pow(EffectiveSampleSize(n) * (dims + 2.0) / 4.0, exponent) * spread;
    case BandwidthMethod::kNrd0:
      // R: 0.9 * lo * length(x)^(-0.2), in that order.
      return 0.9 * spread * std::pow(static_cast<double>(n), exponent);
    case BandwidthMethod::kLooCv:
      break;
  }
  return 0;
}

}  // namespace parsweep
