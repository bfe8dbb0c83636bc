// What it costs to hand work to each executor, measured with Google Benchmark:
//
//   BM_Apply/<executor>     one trivial request at a time, Pool::Apply: the round trip of a
//                           task (serialize, dispatch, run, return, parse).
//   BM_Map/<executor>       10,000 trivial requests through Pool::Map with automatic chunks:
//                           the cost per request when the pool batches them.
//   BM_PipeRoundTrip        the floor for processes: 8 bytes to a child over a pipe and back.
//
// Run: bazel run -c opt //tests:pool_benchmark -- --benchmark_repetitions=5
//        --benchmark_report_aggregates_only=true
// Under mpirun (mpirun -np 3 bazel-bin/tests/pool_benchmark ...) the mpi executor with its
// two worker ranks joins, and fork is left out: Open MPI's threads make it refuse.
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "executors/mpi/mpi_executor.h"
#include "google/protobuf/wrappers.pb.h"
#include "runtime/plugin/executor.h"
#include "runtime/scheduling/pool.h"
#include "runtime/testing/toy_workloads.h"

namespace parsweep {
namespace {

using ::google::protobuf::Int64Value;

struct Setup {
  std::unique_ptr<Executor> executor;
  std::unique_ptr<Workload> workload;
  std::unique_ptr<Pool> pool;
};

// Executors by benchmark argument: 0 serial, 1 threads, 2 process (fork), 3 process (spawn),
// 4 mpi (only under mpirun).
const char* const kLabels[] = {"serial", "threads:2", "process:2 fork", "process:2 spawn", "mpi:2"};
const char* const kNames[] = {"serial", "threads", "process", "process", "mpi"};

void ExecutorArgs(benchmark::internal::Benchmark* benchmark) {
  const bool under_mpirun = InMpiJob();
  for (int which : {0, 1, 2, 3, 4}) {
    if (under_mpirun ? which == 2 : which == 4) continue;
    benchmark->Arg(which);
  }
}

bool MakeSetup(int which, Setup& setup, benchmark::State& state) {
  ExecutorSpec spec;
  spec.set_name(kNames[which]);
  if (which > 0) spec.set_workers(2);
  if (which == 2 || which == 3) {
    (*spec.mutable_params())["start_method"] = which == 2 ? "fork" : "spawn";
  }
  absl::StatusOr<std::unique_ptr<Executor>> executor = Registry<Executor>::Global().Create(spec);
  if (!executor.ok()) {
    state.SkipWithError(std::string(executor.status().message()).c_str());
    return false;
  }
  setup.executor = *std::move(executor);
  setup.workload = MakeToyWorkload("counter");
  absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(*setup.executor, *setup.workload);
  if (!pool.ok()) {
    state.SkipWithError(std::string(pool.status().message()).c_str());
    return false;
  }
  setup.pool = *std::move(pool);
  state.SetLabel(kLabels[which]);
  return true;
}

void BM_Apply(benchmark::State& state) {
  Setup setup;
  if (!MakeSetup(static_cast<int>(state.range(0)), setup, state)) return;
  Int64Value x;
  x.set_value(42);
  for (auto _ : state) {
    absl::StatusOr<Int64Value> y = setup.pool->Apply<Int64Value>(x);
    if (!y.ok()) {
      state.SkipWithError(std::string(y.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(y->value());
  }
  setup.pool.reset();
}
BENCHMARK(BM_Apply)->Apply(ExecutorArgs)->UseRealTime();

void BM_Map(benchmark::State& state) {
  Setup setup;
  if (!MakeSetup(static_cast<int>(state.range(0)), setup, state)) return;
  constexpr int kRequests = 10000;
  std::vector<Int64Value> requests(kRequests);
  for (int i = 0; i < kRequests; ++i) requests[i].set_value(i);
  for (auto _ : state) {
    absl::StatusOr<std::vector<Int64Value>> y = setup.pool->Map<Int64Value>(requests);
    if (!y.ok()) {
      state.SkipWithError(std::string(y.status().message()).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kRequests);
  setup.pool.reset();
}
BENCHMARK(BM_Map)->Apply(ExecutorArgs)->UseRealTime();

void BM_PipeRoundTrip(benchmark::State& state) {
  int to_child[2], to_parent[2];
  if (pipe(to_child) != 0 || pipe(to_parent) != 0) {
    state.SkipWithError("pipe failed");
    return;
  }
  const pid_t child = fork();
  if (child == 0) {
    close(to_child[1]);
    close(to_parent[0]);
    char buffer[8];
    while (read(to_child[0], buffer, sizeof buffer) == sizeof buffer) {
      if (write(to_parent[1], buffer, sizeof buffer) != sizeof buffer) break;
    }
    _exit(0);
  }
  close(to_child[0]);
  close(to_parent[1]);
  char buffer[8] = {};
  for (auto _ : state) {
    if (write(to_child[1], buffer, sizeof buffer) != sizeof buffer ||
        read(to_parent[0], buffer, sizeof buffer) != sizeof buffer) {
      state.SkipWithError("pipe round trip failed");
      break;
    }
  }
  close(to_child[1]);
  close(to_parent[0]);
  waitpid(child, nullptr, 0);
}
BENCHMARK(BM_PipeRoundTrip)->UseRealTime();

}  // namespace
}  // namespace parsweep
