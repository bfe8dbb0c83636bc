// The knn kernel's fused pass: a task's Accumulate over n samples at a few points for 50
// values of k, then Estimate, as a sweep runs them. Compare with scikit-learn's
// NearestNeighbors.kneighbors on the same shape: kernels/knn/sklearn_kneighbors_time.py.
//
//   bazel run -c opt //kernels/knn:knn_benchmark -- --benchmark_repetitions=3
//
// Arguments: n, then the k: 0 for k = 1..50, 1 for k = 2, 4, ..., 100 (both 50 values).
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "kernels/benchmark_support.h"
#include "runtime/data/matrix.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {
namespace {

// The points the sweep estimates at: the centre, the shoulder, and the tail of N(0, I).
constexpr double kPoints[][kBenchmarkDims] = {{0, 0}, {0.5, -0.5}, {1, 1}, {-2, 0.3}};
constexpr size_t kNumPoints = sizeof(kPoints) / sizeof(kPoints[0]);

void BM_Knn(benchmark::State& state) {
  KernelSpec spec;
  spec.set_name("knn");
  absl::StatusOr<std::unique_ptr<Kernel>> kernel = Registry<Kernel>::Global().Create(spec);
  if (!kernel.ok()) {
    state.SkipWithError(std::string(kernel.status().message()).c_str());
    return;
  }
  const size_t n = static_cast<size_t>(state.range(0));
  const int step = state.range(1) == 0 ? 1 : 2;
  std::vector<double> ks;
  for (int i = 1; i <= 50; ++i) ks.push_back(i * step);
  const Matrix& samples = BenchmarkSamples(n);
  const ConstMatrixView points(&kPoints[0][0], kNumPoints, kBenchmarkDims);
  std::vector<WidthResult> messages(kNumPoints * ks.size());
  std::vector<WidthResult*> pointers;
  const WidthResults results = WidthResults::Of(messages, pointers);
  for (auto _ : state) {
    const std::unique_ptr<Partial> partial = (*kernel)->NewPartial(kNumPoints, ks.size());
    absl::Status status = (*kernel)->Accumulate(samples.View(), points, ks, *partial);
    if (status.ok()) status = (*kernel)->Estimate(*partial, n, kBenchmarkDims, ks, results);
    if (!status.ok()) {
      state.SkipWithError(std::string(status.message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(messages.data());
    benchmark::ClobberMemory();
  }
  // Items: (point, sample) distances, each serving all 50 k.
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n * kNumPoints));
  state.SetLabel(absl::StrCat(kNumPoints, " points, k = ", step, "..", 50 * step));
}

BENCHMARK(BM_Knn)
    ->ArgNames({"n", "spread"})
    ->Args({10000, 0})
    ->Args({1000000, 0})
    ->Args({1000000, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace parsweep
