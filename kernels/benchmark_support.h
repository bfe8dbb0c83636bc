// Shared pieces of the kernel benchmarks: the data every kernel benchmark reads, the widths
// it sweeps, and the memory-bandwidth floor to compare a kernel against.
//
// The data are n samples of the 2-D standard Gaussian (seed 123, the sweep tool's default),
// generated once per n and kept for the life of the process, so every benchmark of one run
// reads the same bytes.
//
// Example:
//   const Matrix& samples = BenchmarkSamples(state.range(0));
//   BENCHMARK(BM_Naive)->Apply(KernelSizes);
//   BENCHMARK(BM_StreamingRead)->Apply(StreamingReadSizes);
#ifndef PARSWEEP_KERNELS_BENCHMARK_SUPPORT_H_
#define PARSWEEP_KERNELS_BENCHMARK_SUPPORT_H_

#include <algorithm>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "runtime/data/matrix.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {

// kBenchmarkDims is the dimension of the benchmark data.
inline constexpr size_t kBenchmarkDims = 2;

// BenchmarkSamples is n samples of N(0, I) in kBenchmarkDims dimensions, seed 123. Not
// thread-safe (benchmarks run one at a time).
const Matrix& BenchmarkSamples(size_t n);

// BenchmarkWidths is `count` evenly spaced widths from 0.1 to 1.2 (the sweep tool's default
// range), both ends included.
std::vector<double> BenchmarkWidths(size_t count);

// RunKernelBenchmark times Accumulate of kernel `name` with `param` ("key=value", or
// empty) over all of BenchmarkSamples(state.range(0)) at the origin, for
// BenchmarkWidths(state.range(1)), into a fresh partial each time (as a task does). Reports
// items = samples x widths, and bytes = the samples read once.
void RunKernelBenchmark(benchmark::State& state, const std::string& name, const std::string& param);

// SlotFunction is a kernel's internal loop for one point, adding one T per width.
template <typename T>
using SlotFunction = std::function<void(ConstMatrixView samples, absl::Span<const double> point,
                                        absl::Span<const double> widths, absl::Span<T> slots)>;

// RunSlotBenchmark is RunKernelBenchmark for a kernel's internal loop (to time its paths
// directly), into zeroed slots each time.
template <typename T>
void RunSlotBenchmark(benchmark::State& state, const SlotFunction<T>& accumulate);

// BM_StreamingRead sums all n * d doubles of BenchmarkSamples(state.range(0)) with
// StreamingSum (streaming_floor.h: eight accumulators of the widest vectors the CPU has), so
// it runs at the memory (or cache) bandwidth: the floor for any kernel that reads every
// sample once. BM_StreamingRead2Threads reads the two halves on two threads at once: the
// floor of a two-worker sweep. Report bytes read; the label names the vector path.
void BM_StreamingRead(benchmark::State& state);
void BM_StreamingRead2Threads(benchmark::State& state);

// KernelSizes gives a kernel benchmark its (n, widths) cases, 1e4 to 1e7 samples and 100
// or 1000 widths (without 1e7 x 1000, which takes many seconds an iteration), timed in
// milliseconds of wall time. For Benchmark::Apply.
void KernelSizes(benchmark::internal::Benchmark* benchmark);

// StreamingReadSizes gives BM_StreamingRead the same n as KernelSizes. For Benchmark::Apply.
void StreamingReadSizes(benchmark::internal::Benchmark* benchmark);

// Below this many samples the 2-thread read is mostly the start of its thread, and no floor.
inline constexpr size_t kMinSamplesForTwoThreadFloor = 1000000;

// ReportKernelCounters sets the items (sample x width evaluations) and bytes (the samples
// read once) of an iteration over n samples and m widths, and x_floor / x_floor2: the
// iteration's time as a multiple of StreamingFloorSeconds(BenchmarkSamples(n), 1 or 2)
// (an inverted rate, which Google Benchmark prints with an "s": x_floor=1.92s is 1.92 times
// the floor); x_floor2 only from kMinSamplesForTwoThreadFloor samples.
void ReportKernelCounters(benchmark::State& state, size_t n, size_t m);

template <typename T>
void RunSlotBenchmark(benchmark::State& state, const SlotFunction<T>& accumulate) {
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t m = static_cast<size_t>(state.range(1));
  const Matrix& samples = BenchmarkSamples(n);
  const std::vector<double> widths = BenchmarkWidths(m);
  const std::vector<double> point(kBenchmarkDims, 0.0);
  std::vector<T> slots(m);
  for (auto _ : state) {
    std::fill(slots.begin(), slots.end(), T{0});
    accumulate(samples.View(), point, widths, absl::MakeSpan(slots));
    benchmark::DoNotOptimize(slots.data());
    benchmark::ClobberMemory();
  }
  ReportKernelCounters(state, n, m);
}

}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_BENCHMARK_SUPPORT_H_
