// parzen_hypercube_benchmark: the hypercube kernel's fused and naive algorithms against
// the memory-bandwidth floor, single thread, on the 2-D standard Gaussian at the origin.
//
//   BM_Fused/n:N/widths:M   algorithm=fused: one pass over the N samples for all M widths.
//   BM_FusedPortable/...    the fused pass without its AVX2 path (what CPUs without AVX2
//                           run; BM_Fused takes the AVX2 path where the CPU has it).
//   BM_Naive/n:N/widths:M   algorithm=naive: one pass per width. Not at 10^7 samples and
//                           1000 widths: about 14 s per iteration.
//   BM_StreamingRead/n:N    the sum of all N * 2 doubles: the floor for reading them once
//                           (streaming_floor.h); ...2Threads the same on two threads.
// Each kernel case reports x_floor and x_floor2: its time over the 1- and 2-thread floors.
//
// items_per_second counts sample x width evaluations; bytes_per_second the samples read
// once per iteration, so it compares directly with BM_StreamingRead's.
//
// Run: bazel run -c opt //kernels/parzen_hypercube:parzen_hypercube_benchmark --
//        --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include "benchmark/benchmark.h"
#include "kernels/benchmark_support.h"
#include "kernels/parzen_hypercube/fused_counts.h"

namespace parsweep {
namespace {

void BM_Fused(benchmark::State& state) {
  RunKernelBenchmark(state, "parzen_hypercube", "algorithm=fused");
}
void BM_FusedPortable(benchmark::State& state) {
  RunSlotBenchmark<uint64_t>(
      state, [](ConstMatrixView samples, absl::Span<const double> point,
                absl::Span<const double> widths, absl::Span<uint64_t> slots) {
        parzen_hypercube_internal::AddFusedCounts(samples, point, widths, slots, Isa::kPortable);
      });
}
void BM_Naive(benchmark::State& state) {
  RunKernelBenchmark(state, "parzen_hypercube", "algorithm=naive");
}

// n = 10^4 (in cache, for the smoke test), 10^6 (in L3) and 10^7 (in memory); 100 and
// 1000 widths.
BENCHMARK(BM_Fused)->Apply(KernelSizes)->Args({10000000, 1000});
BENCHMARK(BM_FusedPortable)->Apply(KernelSizes)->Args({10000000, 1000});
BENCHMARK(BM_Naive)->Apply(KernelSizes);
BENCHMARK(BM_StreamingRead)->Apply(StreamingReadSizes);
BENCHMARK(BM_StreamingRead2Threads)->Apply(StreamingReadSizes);

}  // namespace
}  // namespace parsweep
