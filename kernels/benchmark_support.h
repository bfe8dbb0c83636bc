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

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "runtime/plugin/kernel.h"
#include "runtime/data/matrix.h"

namespace parsweep {

// kBenchmarkDims is the dimension of the benchmark data.
inline constexpr size_t kBenchmarkDims = 2;

// BenchmarkSamples is n samples of N(0, I) in kBenchmarkDims dimensions, seed 123. Not
// thread-safe (benchmarks run one at a time).
const Matrix& BenchmarkSamples(size_t n);

// BenchmarkWidths is `count` evenly spaced widths from 0.1 to 1.2 (the sweep tool's default
// range), both ends included.
std::vector<double> BenchmarkWidths(size_t count);

// RunKernelBenchmark times Accumulate of kernel `name` with `params` ("key=value", or
// empty) over all of BenchmarkSamples(state.range(0)) at the origin, for
// BenchmarkWidths(state.range(1)). Reports items = samples x widths, and bytes = the
// samples read once.
void RunKernelBenchmark(benchmark::State& state, const std::string& name,
                        const std::string& param);

// AccumulateFunction is a kernel's Accumulate, or an internal loop with its signature.
using AccumulateFunction = std::function<void(ConstMatrixView, absl::Span<const double>,
                                              absl::Span<const double>, Accumulators)>;

// RunAccumulateBenchmark is RunKernelBenchmark for any `accumulate` filling accumulators of
// `kind` (to time a kernel's internal paths directly).
void RunAccumulateBenchmark(benchmark::State& state, AccumulatorKind kind,
                            const AccumulateFunction& accumulate);

// BM_StreamingRead sums all n * d doubles of BenchmarkSamples(state.range(0)) with eight
// independent partial sums, so it runs at the memory (or cache) bandwidth rather than at
// the latency of one chain of additions: the floor for any kernel that reads every sample
// once. Reports bytes read.
void BM_StreamingRead(benchmark::State& state);

// KernelSizes gives a kernel benchmark its (n, widths) cases, 1e4 to 1e7 samples and 100
// or 1000 widths (without 1e7 x 1000, which takes many seconds an iteration), timed in
// milliseconds of wall time. For Benchmark::Apply.
void KernelSizes(benchmark::internal::Benchmark* benchmark);

// StreamingReadSizes gives BM_StreamingRead the same n as KernelSizes. For Benchmark::Apply.
void StreamingReadSizes(benchmark::internal::Benchmark* benchmark);

}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_BENCHMARK_SUPPORT_H_
