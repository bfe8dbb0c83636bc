// ExpNonPositive: e^x for x <= 0, written so the compiler can run it on vectors of doubles
// (GCC/Clang vector extensions) as well as on plain doubles, with no table lookups and no
// branches. The Gaussian kernel evaluates exp(-r^2 / (2 h^2)) for every sample and width;
// std::exp is a scalar library call, and -ffast-math (which would let GCC call a vector
// libm) is not acceptable for a kernel whose results must not depend on such flags.
//
// Accuracy (tested in vector_exp_test.cc against std::exp and a long double reference):
//   - result >= DBL_MIN (x >= -708.39): relative error below DBL_EPSILON = 2.2e-16
//     (measured over 2e7 random x: max 1.70e-16 = 0.76 eps against expl, at most 1.10 ulp
//     of the result; max 1.0 eps against glibc's std::exp, itself within 0.51 ulp);
//   - subnormal results (-745.13 < x < -708.39): absolute error below 1.25 times the
//     smallest subnormal, 4.9e-324 (half of it for the one rounding into the subnormal
//     range, plus the relative error above times a value below DBL_MIN; measured 0.78);
//   - x <= -745.14 (and -infinity): +0, as std::exp gives;
//   - exp(0) and exp(-0) are exactly 1; NaN gives NaN.
// x > 0 is outside the contract (the kernel never passes one; large x would overflow
// the scaling).
//
// Method: x = k ln2 + r with k = round(x / ln2) and |r| <= ln2 / 2 (Cody-Waite: ln2 split
// in two parts, the first with trailing zero bits so k * ln2_hi is exact); e^r = 1 + r +
// r^2 q(r), q a degree-9 near-minimax polynomial (Chebyshev fit of (e^r - 1 - r) / r^2 on
// [-ln2/2, ln2/2] with mpmath; truncation error 1.6e-17 relative, with the coefficients
// rounded to double), evaluated by Estrin's scheme; the result is
// (e^r * 2^(k + 54)) * 2^-54, so the scaling is exact for normal results and rounds once
// for subnormal ones.
//
// Every a * b + c is a fused multiply-add (one rounding), through the policy `Ops`: the
// instruction on AVX2 + FMA and AVX-512 (OpsAvx2 and OpsAvx512 in fused_sums.cc), std::fma
// lane by lane elsewhere (OpsPortable: the instruction where the CPU has one, an exact
// software fma where not). Same operations in every lane and every policy: the same bits
// on every CPU and vector width. FMA halves the floating-point instructions of the
// polynomial, which is what bounds a loop of exps.
//
// Example:
//   double y = ExpNonPositive(-3.5);            // 0.0301973834223185...
//   V2d v = ExpNonPositive(V2d{-1.0, -2.0});    // both lanes at once
#ifndef PARSWEEP_KERNELS_PARZEN_GAUSSIAN_VECTOR_EXP_H_
#define PARSWEEP_KERNELS_PARZEN_GAUSSIAN_VECTOR_EXP_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace parsweep {
namespace parzen_gaussian_internal {

// Two doubles, and their bits: one SSE2 register on x86-64.
using V2d = double __attribute__((vector_size(16)));
using V2u = uint64_t __attribute__((vector_size(16)));
// Four doubles: one AVX register. Use only inside functions compiled for AVX (a target
// attribute); elsewhere the compiler splits them, and passing them by value changes ABI.
using V4d = double __attribute__((vector_size(32)));
using V4u = uint64_t __attribute__((vector_size(32)));

// ExpTraits: for double or V2d, the unsigned integers of the same shape, and Splat, a
// double in every lane.
template <typename T>
struct ExpTraits {
  using Bits = uint64_t;
  static double Splat(double v) { return v; }
};
template <>
struct ExpTraits<V2d> {
  using Bits = V2u;
  __attribute__((always_inline)) static V2d Splat(double v) { return V2d{v, v}; }
};
template <>
struct ExpTraits<V4d> {
  using Bits = V4u;
  __attribute__((always_inline)) static V4d Splat(double v) { return V4d{v, v, v, v}; }
};
// Eight doubles: one AVX-512 register, with the same caveat as V4d.
using V8d = double __attribute__((vector_size(64)));
using V8u = uint64_t __attribute__((vector_size(64)));
template <>
struct ExpTraits<V8d> {
  using Bits = V8u;
  __attribute__((always_inline)) static V8d Splat(double v) { return V8d{v, v, v, v, v, v, v, v}; }
};

// OpsPortable: for any T above, Fused(a, b, c) = a * b + c rounded once, lane by lane, and
// Max(a, b) = (a > b ? a : b), which is what the maxpd instruction computes (b where either
// is NaN).
struct OpsPortable {
  template <typename T>
  __attribute__((always_inline)) static T Max(T a, T b) {
    return a > b ? a : b;
  }
  __attribute__((always_inline)) static double Fused(double a, double b, double c) {
    return std::fma(a, b, c);
  }
  template <typename V>
  __attribute__((always_inline)) static V Fused(V a, V b, V c) {
    for (size_t lane = 0; lane < sizeof(V) / sizeof(double); ++lane) {
      a[lane] = std::fma(a[lane], b[lane], c[lane]);
    }
    return a;
  }
};

template <typename To, typename From>
inline To BitCast(From from) {
  static_assert(sizeof(To) == sizeof(From), "BitCast needs equal sizes");
  To to;
  std::memcpy(&to, &from, sizeof(to));
  return to;
}

// ExpNonPositive is e^x for x <= 0 (see the header comment for its accuracy). T is double,
// V2d or V4d (or wider inside a function compiled for it); `Ops` supplies Fused(a, b, c),
// a * b + c with one rounding, and Max. Every lane is computed by the same operations, so a lane's
// result depends neither on T nor on the policy: nothing else is contracted or fused.
template <typename Ops = OpsPortable, typename T>
__attribute__((always_inline)) inline T ExpNonPositive(T x) {
  using S = ExpTraits<T>;
  using Bits = typename S::Bits;
  // Below -746, e^x < 2^-1076 rounds to 0 either way; clamping keeps k + 1077 >= 1 below,
  // and turns -infinity into 0. (x < c ? c : x) keeps a NaN x.
  const T lowest = S::Splat(-746.0);
  x = Ops::Max(lowest, x);  // maxpd returns its second operand, x, when x is NaN.
  // k = round(x log2(e)): adding 1.5 * 2^52 leaves k in the low mantissa bits.
  const T shift = S::Splat(0x1.8p52);
  const T shifted = Ops::Fused(x, S::Splat(0x1.71547652b82fep0), shift);
  const T k = shifted - shift;
  // r = x - k ln2, with ln2 = ln2_hi + ln2_lo and k * ln2_hi exact (|k| < 2^11).
  T r = Ops::Fused(k, S::Splat(-0x1.62e42fee00000p-1), x);
  r = Ops::Fused(k, S::Splat(-0x1.a39ef35793c76p-33), r);
  // e^r = 1 + r + r^2 q(r), q = c2 + c3 r + ... + c11 r^9 by Estrin's scheme: half the
  // dependency chain of Horner's, which is what limits a loop of independent exps.
  const T r2 = r * r;
  const T r4 = r2 * r2;
  const T c23 = Ops::Fused(r, S::Splat(0x1.5555555555556p-3), S::Splat(0x1.0000000000001p-1));
  const T c45 = Ops::Fused(r, S::Splat(0x1.11111111109b3p-7), S::Splat(0x1.5555555553d63p-5));
  const T c67 = Ops::Fused(r, S::Splat(0x1.a01a01a7c41d5p-13), S::Splat(0x1.6c16c1788bd90p-10));
  const T c89 = Ops::Fused(r, S::Splat(0x1.71de0dae63bb3p-19), S::Splat(0x1.a019b90d2ae7ap-16));
  const T c1011 = Ops::Fused(r, S::Splat(0x1.af38a9b0ec855p-26), S::Splat(0x1.289185613a3d6p-22));
  const T q =
      Ops::Fused(r4, Ops::Fused(r4, c1011, Ops::Fused(c89, r2, c67)), Ops::Fused(c45, r2, c23));
  const T p = Ops::Fused(r2, q, r) + 1.0;
  // 2^(k + 54) from the bits of `shifted` (its low bits hold k, offset by the bits of
  // `shift`): normal for k >= -1076. Then * 2^-54 is exact unless the result is subnormal.
  constexpr uint64_t kShiftBits = 0x4338000000000000;  // The bits of 0x1.8p52.
  const Bits scale_bits = (BitCast<Bits>(shifted) + (uint64_t{1023 + 54} - kShiftBits)) << 52;
  return (p * BitCast<T>(scale_bits)) * 0x1p-54;
}

}  // namespace parzen_gaussian_internal
}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_PARZEN_GAUSSIAN_VECTOR_EXP_H_
