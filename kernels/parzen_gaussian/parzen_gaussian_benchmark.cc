// parzen_gaussian_benchmark: the Gaussian kernel's fused and naive algorithms against the
// memory-bandwidth floor, single thread, on the 2-D standard Gaussian at the origin.
//
//   BM_Fused/n:N/widths:M   algorithm=fused: r^2 once per sample, a vector exp over widths.
//   BM_FusedPortable/...    the fused pass without its vector paths (what CPUs without
//                           AVX2 + FMA run; BM_Fused takes the AVX-512 or AVX2 path).
//   BM_FusedGrid/side:S/n:N/widths:M  an S x S grid of points: the grid case.
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
#include "kernels/exact_sums/block_sums.h"
#include "kernels/parzen_gaussian/fused_sums.h"
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
    parzen_gaussian_internal::BlockSums sums(1, m);
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
// A grid of points x points on [-3, 3]^2, n samples, `widths` widths: the case where few
// widths leave most lanes of a width vector empty, so samples are packed side by side.
void BM_FusedGrid(benchmark::State& state) {
  const size_t side = static_cast<size_t>(state.range(0));
  const size_t n = static_cast<size_t>(state.range(1));
  const size_t m = static_cast<size_t>(state.range(2));
  const Matrix& samples = BenchmarkSamples(n);
  const std::vector<double> widths = BenchmarkWidths(m);
  Matrix grid(side * side, kBenchmarkDims);
  for (size_t i = 0; i < side; ++i) {
    for (size_t j = 0; j < side; ++j) {
      grid(i * side + j, 0) = -3.0 + 6.0 * static_cast<double>(i) / static_cast<double>(side - 1);
      grid(i * side + j, 1) = -3.0 + 6.0 * static_cast<double>(j) / static_cast<double>(side - 1);
    }
  }
  for (auto _ : state) {
    parzen_gaussian_internal::BlockSums sums(grid.rows(), m);
    parzen_gaussian_internal::AddFusedSums(samples.View(), grid.View(), widths, sums);
    benchmark::DoNotOptimize(&sums);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * grid.rows() * n * m));
}

BENCHMARK(BM_Fused)->Apply(KernelSizes);
// The portable path does its fused multiply-adds with std::fma, lane by lane (a library call
// where the build targets baseline x86-64): in cache only, or an iteration takes a minute.
BENCHMARK(BM_FusedPortable)
    ->Args({10000, 100})
    ->ArgNames({"n", "widths"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_FusedGrid)
    ->Args({30, 100000, 2})
    ->ArgNames({"side", "n", "widths"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Naive)->Apply(KernelSizes);
BENCHMARK(BM_StreamingRead)->Apply(StreamingReadSizes);
BENCHMARK(BM_StreamingRead2Threads)->Apply(StreamingReadSizes);

}  // namespace
}  // namespace parsweep
