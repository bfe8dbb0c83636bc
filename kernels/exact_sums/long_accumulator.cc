// The binned sum; long_accumulator.h says what it keeps and why that is order-independent.
#include "kernels/exact_sums/long_accumulator.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace parsweep {
namespace exact_sums {
namespace {

constexpr int kBins = 4;
constexpr int kBinBits = 32;
constexpr uint64_t kBinMask = 0xffffffff;

// FloorDiv32 is floor(p / 32) for any sign of p.
int64_t FloorDiv32(int64_t p) { return p >= 0 ? p / kBinBits : -((-p + kBinBits - 1) / kBinBits); }

}  // namespace

void LongAccumulator::RaiseHead(int64_t new_head) {
  if (head == kEmpty) {
    head = new_head;
    return;
  }
  if (new_head <= head) return;
  const int64_t shift = new_head - head;
  for (int i = kBins - 1; i >= 0; --i) {
    bins[i] = i - shift >= 0 ? bins[i - shift] : 0;
  }
  head = new_head;
}

void LongAccumulator::AddInteger(uint64_t mantissa, int64_t position) {
  // The mantissa's bits sit at [position, position + 64): three 32-bit pieces from bin
  // `low` up, the top one non-zero unless the mantissa fits in the two below it.
  const int64_t low = FloorDiv32(position);
  const unsigned __int128 shifted = static_cast<unsigned __int128>(mantissa)
                                    << static_cast<int>(position - low * kBinBits);
  const uint64_t pieces[3] = {static_cast<uint64_t>(shifted) & kBinMask,
                              static_cast<uint64_t>(shifted >> 32) & kBinMask,
                              static_cast<uint64_t>(shifted >> 64)};
  RaiseHead(pieces[2] != 0 ? low + 2 : low + 1);
  for (int k = 0; k < 3; ++k) {
    const int64_t index = head - (low + k);
    if (index >= 0 && index < kBins) bins[index] += pieces[k];
  }
}

void LongAccumulator::Add(double t, double f) {
  if (!(f > 0) || t == -std::numeric_limits<double>::infinity()) return;
  if (t == 0.0) {
    // f itself, read from its bits (the compact kernels add thousands of these a pass;
    // exp, frexp and ldexp would cost more than the rest of their work). f < 2^64 is finite.
    uint64_t bits;
    std::memcpy(&bits, &f, sizeof(bits));
    const int64_t biased = static_cast<int64_t>(bits >> 52);
    const uint64_t fraction = bits & ((uint64_t{1} << 52) - 1);
    if (biased == 0) return AddInteger(fraction, -1074);  // Subnormal.
    return AddInteger(fraction | (uint64_t{1} << 52), biased - 1075);
  }
  if (t < kFarExponent) {
    far_log = std::max(far_log, t + std::log(f));
    return;
  }
  // f e^t = f e^r 2^k, k = round(t / ln2), r = t - k ln2 in [-0.35, 0.35] (Cody-Waite:
  // ln2 in two parts, the first with 32 trailing zero bits so that k ln2_hi is exact for
  // |k| < 2^32); e^r f rounds once to a 53-bit mantissa. Below |k| = 2^31 (|t| < 1.5e9) this
  // is as exact as std::exp; beyond, a long double step of the same accuracy relative to t's
  // own ulp.
  const double k = std::nearbyint(t * 1.4426950408889634);
  double scaled;
  if (std::fabs(k) < 0x1p31) {
    const double r = (t - k * 0x1.62e42fefa0000p-1) - k * 0x1.cf79abc9e3b3ap-40;
    scaled = std::exp(r) * f;
  } else {
    const long double r = static_cast<long double>(t) -
                          static_cast<long double>(k) * 0.693147180559945309417232121458176568L;
    scaled = static_cast<double>(std::exp(r) * static_cast<long double>(f));
  }
  int exponent = 0;
  const double fraction = std::frexp(scaled, &exponent);  // In [0.5, 1).
  const uint64_t mantissa = static_cast<uint64_t>(std::ldexp(fraction, 53));
  AddInteger(mantissa, static_cast<int64_t>(k) + exponent - 53);
}

void LongAccumulator::Merge(const LongAccumulator& other) {
  far_log = std::max(far_log, other.far_log);
  if (other.head == kEmpty) return;
  RaiseHead(other.head);
  for (int i = 0; i < kBins; ++i) {
    const int64_t index = head - other.head + i;
    if (index < kBins) bins[index] += other.bins[i];
  }
}

LongAccumulator::Parts LongAccumulator::Split() const {
  if (head == kEmpty) return {0.0, 0};
  // The bins as one integer in 32-bit limbs, least significant first: bin i is worth
  // 2^(32 (head - i)), so it starts at limb kBins - 1 - i; each bin spans two limbs.
  uint64_t limbs[kBins + 2] = {};
  for (int i = 0; i < kBins; ++i) {
    const int at = kBins - 1 - i;
    limbs[at] += bins[i] & kBinMask;
    limbs[at + 1] += bins[i] >> 32;
  }
  for (int j = 0; j + 1 < kBins + 2; ++j) {  // Carry: every limb back to 32 bits.
    limbs[j + 1] += limbs[j] >> 32;
    limbs[j] &= kBinMask;
  }
  int top = kBins + 1;
  while (top > 0 && limbs[top] == 0) --top;
  if (limbs[top] == 0) return {0.0, 0};
  // The top 64 bits below and including the highest set bit, then one rounding to double.
  const int lead = 63 - __builtin_clzll(limbs[top]);  // Highest set bit within limb `top`.
  unsigned __int128 window = 0;
  for (int j = top; j >= 0 && j >= top - 2; --j) window = (window << 32) | limbs[j];
  const int window_low = std::max(top - 2, 0) * kBinBits;  // Bit position of the window's bit 0.
  const int highest = top * kBinBits + lead;               // Bit position of the leading bit.
  const int drop = highest - 63 - window_low;              // Bits of the window below 64.
  const uint64_t top64 =
      drop >= 0 ? static_cast<uint64_t>(window >> drop) : static_cast<uint64_t>(window << -drop);
  const double mantissa = std::ldexp(static_cast<double>(top64), -63);  // [1, 2]
  int64_t exponent = (head - (kBins - 1)) * kBinBits + highest;
  // Rounding 64 bits to 53 can carry up to 2.
  if (mantissa >= 2.0) return {mantissa / 2, exponent + 1};
  return {mantissa, exponent};
}

double LongAccumulator::Parts::Value() const {
  // Beyond +-4000 the result is 0 or infinity either way; the clamp keeps the int in range.
  return std::ldexp(mantissa, static_cast<int>(std::clamp<int64_t>(exponent, -4000, 4000)));
}

double LongAccumulator::Log(const Parts& parts) const {
  if (parts.mantissa == 0.0) return far_log;
  return static_cast<double>(std::log(static_cast<long double>(parts.mantissa)) +
                             static_cast<long double>(parts.exponent) *
                                 0.693147180559945309417232121458176568L);
}

}  // namespace exact_sums
}  // namespace parsweep
