// LongAccumulator: an exact, order-independent sum of positive numbers given in exponential
// form, f * e^t, whose total may lie far below the range of a double (e^-10^6 is fine). The
// Gaussian kernel adds one such number per block of samples and width; because the sum does
// not depend on the order of the additions, any plan (split, chunk, workers, executor) gives
// the same bits.
//
// How. Each number is turned, the same way wherever it is added, into a 53-bit integer
// mantissa at a binary position: f * e^t = M * 2^P (t = k ln2 + r, Cody-Waite, and
// e^r * f rounded once to a double). The accumulator holds the
// sum of such integers in four 64-bit bins of 32 bits of place value each, at fixed absolute
// positions (bin j is worth 2^(32 j)), headed by the highest bin any number reached: the
// manner of Demmel and Nguyen's binned sums (ReproBLAS). A number's 32-bit pieces that fall
// below the fourth bin are dropped; because the bins are absolute and the head only rises,
// what is kept is the same for every order: each kept bin holds the exact integer sum of the
// pieces of every number that reach it. A bin takes 2^32 additions before it could overflow.
//
// Accuracy: the kept bins hold the sum exactly except for the dropped pieces, each below
// 2^(32 (head - 3)), while the sum is at least 2^(32 head): relative error below
// (additions) * 2^-96. Converting a number in (f, t) form costs what std::exp(r) and one
// product cost (under 1.5 u relative, u = 2^-53); reading the sum as a double rounds once
// more.
//
// Numbers with t below kFarExponent (e^-2.9e17, where a double's t is itself only known to
// within 32) are not binned: the accumulator keeps the largest log of them, which is the
// log of the sum to within log(count) <= 45, below half an ulp of such a log.
//
// Example:
//   LongAccumulator sum;
//   sum.Add(-800.0, 1.5);           // 1.5 e^-800, below the double range
//   sum.Add(-801.0, 2.0);
//   double log_sum = sum.Log();     // log(1.5 e^-800 + 2 e^-801), exact to ~1e-16
#ifndef PARSWEEP_KERNELS_EXACT_SUMS_LONG_ACCUMULATOR_H_
#define PARSWEEP_KERNELS_EXACT_SUMS_LONG_ACCUMULATOR_H_

#include <cstdint>
#include <limits>

namespace parsweep {
namespace exact_sums {

class LongAccumulator {
 public:
  // kFarExponent: numbers f e^t with t below this are kept by their log only (see above).
  static constexpr double kFarExponent = -0x1p58;

  // LongAccumulator::Add adds f * e^t. Requires f >= 0 and below 2^64, t <= 0 or -infinity
  // (either f == 0 or t == -infinity adds nothing).
  void Add(double t, double f);

  // LongAccumulator::Merge adds everything `other` holds.
  void Merge(const LongAccumulator& other);

  // LongAccumulator::Split is the sum as mantissa * 2^exponent, mantissa in [1, 2) rounded to
  // a double; {0, 0} for a sum that is empty or held only by its log (far below).
  struct Parts {
    double mantissa;
    int64_t exponent;
    // Parts::Value is mantissa * 2^exponent as a double: 0 or infinity beyond its range.
    double Value() const;
  };
  Parts Split() const;

  // LongAccumulator::Log is the natural log of the sum: -infinity for an empty sum. The
  // overload takes the sum's Split() when the caller has it already.
  double Log() const { return Log(Split()); }
  double Log(const Parts& parts) const;

  // The state, for a partial's bytes: the head bin (kEmpty when nothing is binned), the
  // four bins from the head down, and the largest log of the far numbers.
  static constexpr int64_t kEmpty = std::numeric_limits<int64_t>::min();
  int64_t head = kEmpty;
  uint64_t bins[4] = {0, 0, 0, 0};
  double far_log = -std::numeric_limits<double>::infinity();

 private:
  // Adds M * 2^position, M != 0.
  void AddInteger(uint64_t mantissa, int64_t position);
  // Moves the head up to `new_head`, dropping the bins that fall off the bottom.
  void RaiseHead(int64_t new_head);
};

}  // namespace exact_sums
}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_EXACT_SUMS_LONG_ACCUMULATOR_H_
