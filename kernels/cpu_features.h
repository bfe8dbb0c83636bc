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

// Isa selects a kernel's code path: kBest is the widest path the kernel has that the CPU
// runs (AVX-512, then AVX2, then portable); kPortable forces the portable path (plain C++
// and GCC/Clang vector extensions, SSE2 on x86-64); kAvx2 and kAvx512 ask for that path,
// and get the portable one where the CPU lacks it (IsaRuns says which) or the kernel has
// none (then its next narrower path). For tests and benchmarks that compare the paths.
enum class Isa { kBest, kPortable, kAvx2, kAvx512 };

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

// CpuHasFma: whether the running CPU supports FMA3 (every AVX2 CPU from Intel and AMD does,
// but they are separate flags). False off x86-64. Thread-safe; computed once.
inline bool CpuHasFma() {
#if PARSWEEP_X86_64_TARGETS
  static const bool available = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("fma") != 0;
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

// IsaRuns: whether this CPU runs the path `isa` names (kBest and kPortable always do; kAvx2
// needs AVX2 and FMA, kAvx512 AVX-512F). Tests loop over every Isa and skip those that
// do not run here, saying so.
inline bool IsaRuns(Isa isa) {
  switch (isa) {
    case Isa::kAvx2:
      return CpuHasAvx2() && CpuHasFma();
    case Isa::kAvx512:
      return CpuHasAvx512();
    default:
      return true;
  }
}

// IsaName: "best", "portable", "avx2" or "avx512", for test and benchmark labels.
inline const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kBest:
      return "best";
    case Isa::kPortable:
      return "portable";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
  }
  return "?";
}

}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_CPU_FEATURES_H_
