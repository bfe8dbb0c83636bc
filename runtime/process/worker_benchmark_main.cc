// main() for Google Benchmark binaries whose executors exec the binary itself as a worker:
// the worker runs instead of the benchmarks when the process was started as one.
#include "benchmark/benchmark.h"
#include "runtime/process/worker_entry.h"

int main(int argc, char** argv) {
  parsweep::RunWorkerIfRequested(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
