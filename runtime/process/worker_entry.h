// Worker entry points: how a program doubles as its own worker process.
//
// Executors that start workers by exec'ing the running binary (the process executor's
// spawn method, MPI ranks) register an entry point. A program that may host such workers
// calls RunWorkerIfRequested() first thing in main(): when the process was started as a
// worker, the entry runs the worker and the process exits with its status; otherwise the
// call returns and main() goes on. Running the same binary guarantees a worker knows the
// same kernels and workloads as its parent.
//
// Example:
//   int main(int argc, char** argv) {
//     parsweep::RunWorkerIfRequested(argc, argv);
//     ...
//   }
#ifndef PARSWEEP_RUNTIME_PROCESS_WORKER_ENTRY_H_
#define PARSWEEP_RUNTIME_PROCESS_WORKER_ENTRY_H_

#include <optional>

namespace parsweep {

// A WorkerEntry returns nullopt when this process is not its worker, otherwise runs the
// worker to the end and returns the process's exit status.
using WorkerEntry = std::optional<int> (*)(int argc, char** argv);

// RegisterWorkerEntry adds `entry`; for use from a static initializer.
bool RegisterWorkerEntry(WorkerEntry entry);

// RunWorkerIfRequested offers the process to every registered entry; if one takes it, the
// process exits with that entry's status and the call does not return.
void RunWorkerIfRequested(int argc, char** argv);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_PROCESS_WORKER_ENTRY_H_
