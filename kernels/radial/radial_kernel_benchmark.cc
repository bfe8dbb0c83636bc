// The radial kernels' passes beside the two they are measured against (issue 15): per
// (sample, width), a compact kernel's fused pass against the hypercube's, and the
// exponential's against the Gaussian's, in one binary and one run.
//
//   BM_Fused/<kernel>/n:N/widths:M   algorithm=fused, the kernel's one pass for all widths.
//   BM_Naive/<kernel>/n:N/widths:M   algorithm=naive, a pass per width.
// Kernels by index: 0 tophat, 1 epanechnikov, 2 linear, 3 cosine, 4 exponential,
// 5 parzen_hypercube, 6 parzen_gaussian. items_per_second counts (sample, width) pairs.
//
// Run: bazel run -c opt //kernels/radial:radial_kernel_benchmark --
//        --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <string>

#include "benchmark/benchmark.h"
#include "kernels/benchmark_support.h"

namespace parsweep {
namespace {

const char* const kKernels[] = {"tophat",      "epanechnikov",     "linear",         "cosine",
                                "exponential", "parzen_hypercube", "parzen_gaussian"};

void Run(benchmark::State& state, const char* algorithm) {
  const std::string name = kKernels[state.range(2)];
  state.SetLabel(name);
  // RunKernelBenchmark reads n and the widths from ranges 0 and 1.
  RunKernelBenchmark(state, name, std::string("algorithm=") + algorithm);
}

void BM_Fused(benchmark::State& state) { Run(state, "fused"); }
void BM_Naive(benchmark::State& state) { Run(state, "naive"); }

void Sizes(benchmark::internal::Benchmark* benchmark) {
  benchmark->ArgNames({"n", "widths", "kernel"});
  for (int64_t n : {10000, 1000000}) {
    for (int kernel = 0; kernel < 7; ++kernel) benchmark->Args({n, 100, kernel});
  }
  benchmark->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(BM_Fused)->Apply(Sizes);
BENCHMARK(BM_Naive)->Args({10000, 100, 0})->Args({10000, 100, 4})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace parsweep
