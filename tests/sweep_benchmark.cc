// Where a sweep's time goes on each executor, with Google Benchmark. Every benchmark
// starts its executor's workers once, outside the timed loop, and runs whole sweeps
// (RunSweepOnPool) inside it. Items processed are kernel evaluations (samples x widths).
//
//   BM_Sweep/<executor>/<n>/<split>  the tutorial's hypercube kernel (naive per-width loop),
//                                    100 widths, n = 1e4, 1e6, 1e7, split by widths (0) or
//                                    samples (1).
//   BM_ComputeBound/<executor>       n = 2e5 (data in cache), 6,000 widths, naive, by widths.
//   BM_MemoryBound/<executor>        n = 1e7 (160 MB), 100 widths, naive, by widths.
//   BM_MemoryBoundFused/<executor>   the same with the fused kernel, split by samples.
//   BM_EmptyTasks/<executor>         1,000 tasks of an empty kernel, one width each: the
//                                    dispatch cost per task of a whole sweep.
//   BM_TutorialSweep/<kernel>        the tutorial's sweep (n = 1e4, 100 widths, default
//                                    kernel and plan, serial) with the hypercube (0) and with
//                                    the empty kernel (1): the per-sweep overhead.
//   BM_StreamingRead/<threads>       sum of the 1e7 x 2 samples on 1 and 2 threads: what
//                                    memory bandwidth allows a memory-bound sweep.
//
// Executors: 0 serial, 1 threads:2, 2 process:2 (fork), 3 process:2 (spawn).
//
// Run: bazel run //tests:sweep_benchmark -- --benchmark_repetitions=5
//        --benchmark_report_aggregates_only=true [--benchmark_format=json]
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "benchmark/benchmark.h"
#include "kernels/slot_kernel.h"
#include "runtime/data/gaussian.h"
#include "runtime/plugin/executor.h"
#include "runtime/plugin/kernel.h"
#include "runtime/scheduling/pool.h"
#include "runtime/sweep/sweep.h"
#include "runtime/sweep/sweep_runner.h"
#include "runtime/sweep/sweep_workload.h"

namespace parsweep {
namespace {

// A kernel that does nothing: what is left of a sweep is its dispatch.
class EmptyKernel : public SlotKernel<uint64_t> {
 public:
  absl::Status AccumulateSlots(ConstMatrixView, ConstMatrixView, absl::Span<const double>,
                               Slots&) const override {
    return absl::OkStatus();
  }
  double Density(double total, uint64_t, size_t, double) const override { return total; }
};
PARSWEEP_REGISTER_KERNEL(empty_for_benchmark, "does nothing (dispatch cost)",
                         [](const KernelSpec&, const PluginOptions&) {
                           return absl::StatusOr<std::unique_ptr<Kernel>>(
                               std::make_unique<EmptyKernel>());
                         });

const char* const kExecutorLabels[] = {"serial", "threads:2", "process:2 fork", "process:2 spawn"};

ExecutorSpec ExecutorFor(int which) {
  ExecutorSpec spec;
  spec.set_name(which == 0 ? "serial" : which == 1 ? "threads" : "process");
  if (which > 0) spec.set_workers(2);
  if (which >= 2) (*spec.mutable_params())["start_method"] = which == 2 ? "fork" : "spawn";
  return spec;
}

// The standard bivariate Gaussian's samples, generated once per size for all benchmarks.
const Matrix& Samples(uint64_t n) {
  static auto* cache = new std::map<uint64_t, Matrix>();
  auto it = cache->find(n);
  if (it == cache->end()) {
    const Gaussian gaussian = *Gaussian::Create({0, 0}, {1, 0, 0, 1});
    it = cache->emplace(n, gaussian.Sample(n, 123)).first;
  }
  return it->second;
}

// Runs a sweep of `kernel` over `num_widths` widths in [min_width, max_width] on `n` samples.
void RunSweepBenchmark(benchmark::State& state, int executor, uint64_t n, int num_widths,
                       Split split, uint64_t chunk, const KernelSpec& kernel,
                       double min_width = 0.01, double max_width = 3.0) {
  SweepSpec spec;
  *spec.mutable_kernel() = kernel;
  for (int i = 0; i < num_widths; ++i) {
    spec.add_widths(num_widths == 1 ? 1.0
                                    : min_width + (max_width - min_width) * i / (num_widths - 1));
  }
  FileSource& source = *spec.mutable_data()->mutable_file();  // Samples come from memory.
  source.set_path("(generated in memory)");
  *spec.mutable_executor() = ExecutorFor(executor);
  spec.mutable_executor()->set_split(split);
  spec.mutable_executor()->set_chunk(chunk);

  Dataset data;
  data.samples = Samples(n).Clone();
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::FromData(spec, std::move(data));
  absl::StatusOr<std::unique_ptr<Executor>> created =
      Registry<Executor>::Global().Create(spec.executor());
  if (!sweep.ok() || !created.ok()) {
    state.SkipWithError(
        std::string(sweep.ok() ? created.status().message() : sweep.status().message()).c_str());
    return;
  }
  const SweepWorkload workload(**sweep);
  absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(**created, workload);
  if (!pool.ok()) {
    state.SkipWithError(std::string(pool.status().message()).c_str());
    return;
  }
  Report report;  // Reused, as --compare's runs reuse theirs.
  for (auto _ : state) {
    const absl::Status ran = RunSweepOnPool(**sweep, **pool, report);
    if (!ran.ok()) {
      state.SkipWithError(std::string(ran.message()).c_str());
      break;
    }
  }
  const uint64_t tasks = report.tasks();
  pool->reset();
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n) * num_widths);
  state.counters["tasks"] = static_cast<double>(tasks);
  state.SetLabel(kExecutorLabels[executor]);
}

KernelSpec Hypercube() {
  KernelSpec kernel;
  kernel.set_name("parzen_hypercube");
  if (Registry<Kernel>::Global().Create(kernel).ok()) {
    // The tutorial's per-width loop, where the kernel offers a choice.
    KernelSpec naive = kernel;
    (*naive.mutable_params())["algorithm"] = "naive";
    if (Registry<Kernel>::Global().Create(naive).ok()) return naive;
  }
  return kernel;
}

void BM_Sweep(benchmark::State& state) {
  RunSweepBenchmark(state, static_cast<int>(state.range(0)), state.range(1), 100,
                    state.range(2) == 0 ? SPLIT_WIDTHS : SPLIT_SAMPLES, 0, Hypercube());
}
BENCHMARK(BM_Sweep)
    ->ArgsProduct({{0, 1, 2, 3}, {10000, 1000000, 10000000}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_ComputeBound(benchmark::State& state) {
  RunSweepBenchmark(state, static_cast<int>(state.range(0)), 200000, 6000, SPLIT_WIDTHS, 0,
                    Hypercube());
}
BENCHMARK(BM_ComputeBound)->DenseRange(0, 3)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_MemoryBound(benchmark::State& state) {
  RunSweepBenchmark(state, static_cast<int>(state.range(0)), 10000000, 100, SPLIT_WIDTHS, 0,
                    Hypercube());
}
BENCHMARK(BM_MemoryBound)->DenseRange(0, 3)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same data with the fused kernel (one pass over the samples for all widths), split
// by samples: this one is bound by memory bandwidth, so BM_StreamingRead/2 over /1 is
// the most two workers can gain.
void BM_MemoryBoundFused(benchmark::State& state) {
  KernelSpec fused;
  fused.set_name("parzen_hypercube");
  (*fused.mutable_params())["algorithm"] = "fused";
  RunSweepBenchmark(state, static_cast<int>(state.range(0)), 10000000, 100, SPLIT_SAMPLES, 0,
                    fused);
}
BENCHMARK(BM_MemoryBoundFused)->DenseRange(0, 3)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_EmptyTasks(benchmark::State& state) {
  KernelSpec empty;
  empty.set_name("empty_for_benchmark");
  RunSweepBenchmark(state, static_cast<int>(state.range(0)), 1, 1000, SPLIT_WIDTHS, 1, empty);
  state.counters["per_task"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 1000,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_EmptyTasks)->DenseRange(0, 3)->Unit(benchmark::kMillisecond)->UseRealTime();

// The tutorial's sweep as `sweep --compare=serial` runs it (n = 1e4, 100 widths, the
// default kernel and plan, serial), and the same sweep with a kernel that does nothing:
// the second is the per-sweep overhead (planning, the task and its result as messages,
// merging, the report), the first minus the second is the kernel.
void BM_TutorialSweep(benchmark::State& state) {
  KernelSpec kernel;
  kernel.set_name(state.range(0) == 0 ? "parzen_hypercube" : "empty_for_benchmark");
  RunSweepBenchmark(state, 0, 10000, 100, SPLIT_AUTO, 0, kernel, 0.1, 1.2);
  state.SetLabel(state.range(0) == 0 ? "parzen_hypercube" : "empty kernel (overhead)");
}
BENCHMARK(BM_TutorialSweep)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_StreamingRead(benchmark::State& state) {
  const Matrix& samples = Samples(10000000);
  const size_t count = samples.rows() * samples.cols();
  const int threads = static_cast<int>(state.range(0));
  std::vector<double> sums(threads);
  for (auto _ : state) {
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        const size_t begin = count * t / threads;
        const size_t end = count * (t + 1) / threads;
        const double* data = samples.data();
        // Four partial sums so the adds do not wait on each other.
        double a = 0, b = 0, c = 0, d = 0;
        size_t i = begin;
        for (; i + 4 <= end; i += 4) {
          a += data[i];
          b += data[i + 1];
          c += data[i + 2];
          d += data[i + 3];
        }
        for (; i < end; ++i) a += data[i];
        sums[t] = a + b + c + d;
      });
    }
    for (std::thread& worker : workers) worker.join();
    benchmark::DoNotOptimize(sums.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(count * sizeof(double)));
}
BENCHMARK(BM_StreamingRead)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace parsweep
