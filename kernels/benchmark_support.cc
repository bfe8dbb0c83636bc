#include "kernels/benchmark_support.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_split.h"
#include "kernels/streaming_floor.h"
#include "runtime/data/gaussian.h"

namespace parsweep {

const Matrix& BenchmarkSamples(size_t n) {
  static auto* const cache = new std::map<size_t, Matrix>();
  auto it = cache->find(n);
  if (it == cache->end()) {
    std::vector<double> mean(kBenchmarkDims, 0.0);
    std::vector<double> cov(kBenchmarkDims * kBenchmarkDims, 0.0);
    for (size_t j = 0; j < kBenchmarkDims; ++j) cov[j * kBenchmarkDims + j] = 1.0;
    const absl::StatusOr<Gaussian> gaussian = Gaussian::Create(mean, cov);
    it = cache->emplace(n, gaussian->Sample(n, /*seed=*/123)).first;
  }
  return it->second;
}

std::vector<double> BenchmarkWidths(size_t count) {
  std::vector<double> widths(count);
  for (size_t i = 0; i < count; ++i) {
    widths[i] = count == 1 ? 0.1 : 0.1 + 1.1 * static_cast<double>(i) / (count - 1);
  }
  return widths;
}

void RunKernelBenchmark(benchmark::State& state, const std::string& name,
                        const std::string& param) {
  KernelSpec spec;
  spec.set_name(name);
  if (!param.empty()) {
    const std::pair<std::string, std::string> kv = absl::StrSplit(param, '=');
    (*spec.mutable_params())[kv.first] = kv.second;
  }
  absl::StatusOr<std::unique_ptr<Kernel>> created = Registry<Kernel>::Global().Create(spec);
  if (!created.ok()) {
    state.SkipWithError(std::string(created.status().message()).c_str());
    return;
  }
  const Kernel& kernel = **created;
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t m = static_cast<size_t>(state.range(1));
  const Matrix& samples = BenchmarkSamples(n);
  const std::vector<double> widths = BenchmarkWidths(m);
  const std::vector<double> point(kBenchmarkDims, 0.0);
  const ConstMatrixView points(point.data(), 1, point.size());
  for (auto _ : state) {
    const std::unique_ptr<Partial> partial = kernel.NewPartial(1, m);
    const absl::Status status = kernel.Accumulate(samples.View(), points, widths, *partial);
    if (!status.ok()) {
      state.SkipWithError(std::string(status.message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(partial.get());
    benchmark::ClobberMemory();
  }
  ReportKernelCounters(state, n, m);
}

void ReportKernelCounters(benchmark::State& state, size_t n, size_t m) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n * m));
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * n * kBenchmarkDims * sizeof(double)));
  // Time per iteration over the floor: (iterations x floor) as a rate is
  // iterations x floor / time, inverted.
  const Matrix& samples = BenchmarkSamples(n);
  const double iterations = static_cast<double>(state.iterations());
  state.counters["x_floor"] =
      benchmark::Counter(iterations * StreamingFloorSeconds(samples, 1),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  // The 2-thread floor starts a thread (tens of microseconds): a floor only where the
  // read itself takes milliseconds.
  if (n >= kMinSamplesForTwoThreadFloor) {
    state.counters["x_floor2"] =
        benchmark::Counter(iterations * StreamingFloorSeconds(samples, 2),
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  }
}

void BM_StreamingRead(benchmark::State& state) {
  const Matrix& samples = BenchmarkSamples(static_cast<size_t>(state.range(0)));
  const size_t count = samples.rows() * samples.cols();
  for (auto _ : state) {
    benchmark::DoNotOptimize(StreamingSum(samples.data(), count));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * count * sizeof(double)));
  state.SetLabel(StreamingIsaName());
}

void BM_StreamingRead2Threads(benchmark::State& state) {
  const Matrix& samples = BenchmarkSamples(static_cast<size_t>(state.range(0)));
  const size_t count = samples.rows() * samples.cols();
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParallelStreamingSum(samples.data(), count, 2));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * count * sizeof(double)));
  state.SetLabel(StreamingIsaName());
}

void KernelSizes(benchmark::internal::Benchmark* benchmark) {
  benchmark->Args({10000, 100})
      ->Args({10000, 1000})
      ->Args({1000000, 100})
      ->Args({1000000, 1000})
      ->Args({10000000, 100})
      ->ArgNames({"n", "widths"})
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

void StreamingReadSizes(benchmark::internal::Benchmark* benchmark) {
  benchmark->Arg(10000)
      ->Arg(1000000)
      ->Arg(10000000)
      ->ArgName("n")
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

}  // namespace parsweep
