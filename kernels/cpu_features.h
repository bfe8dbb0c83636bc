// CpuHasAvx2: whether the running CPU (and OS) supports AVX2, for kernels that keep an AVX2
// path beside their portable one. The build targets baseline x86-64, so AVX2 code lives in
// functions marked __attribute__((target("avx2"))) and runs only where this says yes.
//
// Example:
//   if (CpuHasAvx2()) RunAvx2(...); else RunPortable(...);
#ifndef PARSWEEP_KERNELS_CPU_FEATURES_H_
#define PARSWEEP_KERNELS_CPU_FEATURES_H_

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// PARSWEEP_X86_64_TARGETS is 1 where AVX2 functions can be compiled with target attributes.
#define PARSWEEP_X86_64_TARGETS 1
#else
#define PARSWEEP_X86_64_TARGETS 0
#endif

namespace parsweep {

// Isa selects a kernel's code path: kBest is its AVX2 path where CpuHasAvx2() says yes and
// its portable path otherwise; kPortable forces the portable path (plain C++ and GCC/Clang
// vector extensions, SSE2 on x86-64), for tests and benchmarks that compare the two.
enum class Isa { kBest, kPortable };

// CpuHasAvx2 is false off x86-64. Thread-safe; the answer is computed once.
inline bool CpuHasAvx2() {
#if PARSWEEP_X86_64_TARGETS
  static const bool available = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return available;
#else
  return false;
#endif
}

// CpuHasAvx512 is whether the running CPU (and OS) supports AVX-512 Foundation; false off
// x86-64. Thread-safe; the answer is computed once.
inline bool CpuHasAvx512() {
#if PARSWEEP_X86_64_TARGETS
  static const bool available = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  return available;
#else
  return false;
#endif
}

}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_CPU_FEATURES_H_
