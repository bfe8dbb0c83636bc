// parzen_gaussian_benchmark: the Gaussian kernel's fused and naive algorithms against the
// memory-bandwidth floor, single thread, on the 2-D standard Gaussian at the origin.
//
//   BM_Fused/n:N/widths:M   algorithm=fused: r^2 once per sample, a vector exp over widths.
//   BM_FusedPortable/...    the fused pass without its AVX2 path (what CPUs without AVX2
//                           run; BM_Fused takes the AVX2 path where the CPU has it).
//   BM_Naive/n:N/widths:M   algorithm=naive: one pass per width, std::exp per term.
//   BM_StreamingRead/n:N    the sum of all N * 2 doubles: the floor for reading them once
//                           (streaming_floor.h); ...2Threads the same on two threads.
// Each kernel case reports x_floor and x_floor2: its time over the 1- and 2-thread floors.
//
// items_per_second counts kernel evaluations (sample x width). 10^7 samples x 1000 widths
// (10^10 evaluations: about 15 s per iteration fused, a minute naive) is left out; the
// rate per evaluation does not depend on n (the data are read once, the exps dominate).
//
// Run: bazel run -c opt //kernels/parzen_gaussian:parzen_gaussian_benchmark --
//        --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include "benchmark/benchmark.h"
#include "kernels/benchmark_support.h"
#include "kernels/parzen_gaussian/fused_sums.h"
#include "kernels/parzen_gaussian/gaussian_sums.h"
#include "runtime/data/matrix.h"

namespace parsweep {
namespace {

void BM_Fused(benchmark::State& state) {
  RunKernelBenchmark(state, "parzen_gaussian", "algorithm=fused");
}
void BM_FusedPortable(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t m = static_cast<size_t>(state.range(1));
  const Matrix& samples = BenchmarkSamples(n);
  const std::vector<double> widths = BenchmarkWidths(m);
  const std::vector<double> point(kBenchmarkDims, 0.0);
  for (auto _ : state) {
    parzen_gaussian_internal::GaussianSums sums(1, m);
    parzen_gaussian_internal::AddFusedSums(samples.View(),
                                           ConstMatrixView(point.data(), 1, point.size()), widths,
                                           sums, Isa::kPortable);
    benchmark::DoNotOptimize(&sums);
  }
  ReportKernelCounters(state, n, m);
}
void BM_Naive(benchmark::State& state) {
  RunKernelBenchmark(state, "parzen_gaussian", "algorithm=naive");
}

BENCHMARK(BM_Fused)->Apply(KernelSizes);
BENCHMARK(BM_FusedPortable)->Apply(KernelSizes);
BENCHMARK(BM_Naive)->Apply(KernelSizes);
BENCHMARK(BM_StreamingRead)->Apply(StreamingReadSizes);
BENCHMARK(BM_StreamingRead2Threads)->Apply(StreamingReadSizes);

}  // namespace
}  // namespace parsweep
