// What the reliability work costs, measured side by side with the same work without it, so
// that the ratio is the cost (docs/BENCHMARKS.md, "Reliability"):
//
//   BM_Liveness/<n>/<liveness>     a whole sweep on process:2 (fork), the tutorial's 100
//                                  widths in [1.0, 1.2], fused hypercube, n = 1e4 split by
//                                  widths or n = 1e7 split by samples; liveness 0: none
//                                  (heartbeat_timeout and task_timeout inf), 1: the task
//                                  timeout only, 2: the defaults (heartbeats, 5 s; 1 h).
//   BM_ReadNpy                     reading a 1e7 x 2 .npy file (page cache) with the reader:
//                                  header, sizes, finiteness and the largest magnitude.
//   BM_ReadFileFloor               the same file's bytes read(2) into memory in the reader's
//                                  64 KiB pieces and nothing else: what reading costs at least.
//   BM_CallerChecks/<n>            what Sweep::Create checks besides loading: the memory
//                                  estimate and the window-precision warning.
//
// Run (random interleaving, so drift on a noisy machine falls on both sides alike):
//   bazel run -c opt //tests:reliability_benchmark -- --benchmark_repetitions=9
//     --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "runtime/data/gaussian.h"
#include "runtime/data/npy_reader.h"
#include "runtime/plugin/executor.h"
#include "runtime/plugin/registry.h"
#include "runtime/scheduling/pool.h"
#include "runtime/sweep/memory_estimate.h"
#include "runtime/sweep/sweep.h"
#include "runtime/sweep/sweep_runner.h"
#include "runtime/sweep/sweep_workload.h"
#include "runtime/sweep/window_precision.h"

namespace parsweep {
namespace {

const Gaussian& StandardBivariate() {
  static const Gaussian* gaussian = new Gaussian(*Gaussian::Create({0, 0}, {1, 0, 0, 1}));
  return *gaussian;
}

const Matrix& Samples(uint64_t n) {
  static auto* cache = new std::map<uint64_t, Matrix>();
  auto it = cache->find(n);
  if (it == cache->end()) it = cache->emplace(n, StandardBivariate().Sample(n, 123)).first;
  return it->second;
}

// liveness: 0 none (both timeouts inf), 1 the task timeout only (no heartbeat thread), 2 the
// defaults (heartbeats every 0.5 s from a thread in each worker, and the task timeout).
SweepSpec TutorialSpec(uint64_t n, int liveness) {
  SweepSpec spec;
  spec.mutable_kernel()->set_name("parzen_hypercube");
  for (int i = 0; i < 100; ++i) spec.add_widths(1.0 + 0.2 * i / 99);
  spec.mutable_data()->mutable_file()->set_path("(generated in memory)");
  ExecutorSpec& executor = *spec.mutable_executor();
  executor.set_name("process");
  executor.set_workers(2);
  executor.set_split(n > 100000 ? SPLIT_SAMPLES : SPLIT_WIDTHS);
  (*executor.mutable_params())["start_method"] = "fork";
  if (liveness < 2) (*executor.mutable_params())["heartbeat_timeout"] = "inf";
  if (liveness < 1) (*executor.mutable_params())["task_timeout"] = "inf";
  return spec;
}

void BM_Liveness(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  const SweepSpec spec = TutorialSpec(n, static_cast<int>(state.range(1)));
  Dataset data;
  data.samples = Samples(n).Clone();
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::FromData(spec, std::move(data));
  absl::StatusOr<std::unique_ptr<Executor>> executor =
      Registry<Executor>::Global().Create(spec.executor());
  if (!sweep.ok() || !executor.ok()) {
    state.SkipWithError("cannot build the sweep or the executor");
    return;
  }
  const SweepWorkload workload(**sweep);
  absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(**executor, workload);
  if (!pool.ok()) {
    state.SkipWithError(std::string(pool.status().message()).c_str());
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<Report> report = RunSweepOnPool(**sweep, **pool);
    if (!report.ok()) {
      state.SkipWithError(std::string(report.status().message()).c_str());
      break;
    }
  }
  const char* const labels[] = {"no liveness", "task timeout 1h", "heartbeats 5s, task timeout 1h"};
  state.SetLabel(labels[state.range(1)]);
}
BENCHMARK(BM_Liveness)
    ->ArgsProduct({{10000, 10000000}, {0, 1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A 1e7 x 2 float64 .npy file, written once.
const std::string& NpyFile() {
  static const std::string* path = [] {
    const char* dir = std::getenv("TEST_TMPDIR");
    auto* p = new std::string(std::string(dir != nullptr ? dir : "/tmp") + "/reliability_" +
                              std::to_string(getpid()) + ".npy");
    const Matrix& samples = Samples(10000000);
    std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (10000000, 2), }";
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::FILE* file = std::fopen(p->c_str(), "wb");
    const unsigned char prefix[10] = {0x93,
                                      'N',
                                      'U',
                                      'M',
                                      'P',
                                      'Y',
                                      1,
                                      0,
                                      static_cast<unsigned char>(header.size() & 0xff),
                                      static_cast<unsigned char>(header.size() >> 8)};
    std::fwrite(prefix, 1, 10, file);
    std::fwrite(header.data(), 1, header.size(), file);
    std::fwrite(samples.data(), sizeof(double), samples.rows() * samples.cols(), file);
    std::fclose(file);
    return p;
  }();
  return *path;
}

void BM_ReadNpy(benchmark::State& state) {
  const std::string& path = NpyFile();
  for (auto _ : state) {
    double largest = 0;
    absl::StatusOr<Matrix> matrix = ReadNpyMatrix(path, &largest);
    if (!matrix.ok()) {
      state.SkipWithError(std::string(matrix.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(matrix->data());
    benchmark::DoNotOptimize(largest);
  }
}
BENCHMARK(BM_ReadNpy)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ReadFileFloor(benchmark::State& state) {
  const std::string& path = NpyFile();
  for (auto _ : state) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat info;
    fstat(fd, &info);
    const std::unique_ptr<char[]> bytes(new char[static_cast<size_t>(info.st_size)]);
    char* out = bytes.get();
    ssize_t n;
    while ((n = read(fd, out, 64 * 1024)) > 0) out += n;
    close(fd);
    benchmark::DoNotOptimize(bytes.get());
  }
}
BENCHMARK(BM_ReadFileFloor)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CallerChecks(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  const Matrix point(1, 2, {0, 0});
  std::vector<double> widths;
  for (int i = 0; i < 100; ++i) widths.push_back(1.0 + 0.2 * i / 99);
  for (auto _ : state) {
    SweepSize size;
    size.samples = n;
    size.dims = 2;
    size.widths = widths.size();
    benchmark::DoNotOptimize(CheckSweepMemory(size));
    benchmark::DoNotOptimize(
        WindowPrecisionWarning(std::max(4.5, LargestMagnitude(point.View())), widths));
  }
}
BENCHMARK(BM_CallerChecks)->Arg(10000)->Arg(10000000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace parsweep
