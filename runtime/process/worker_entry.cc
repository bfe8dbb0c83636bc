#include "runtime/process/worker_entry.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace parsweep {
namespace {

// Filled by static initializers before main() and read after; no locking needed.
std::vector<WorkerEntry>& Entries() {
  static auto* entries = new std::vector<WorkerEntry>();
  return *entries;
}

}  // namespace

bool RegisterWorkerEntry(WorkerEntry entry) {
  Entries().push_back(entry);
  return true;
}

void RunWorkerIfRequested(int argc, char** argv) {
  for (WorkerEntry entry : Entries()) {
    if (std::optional<int> status = entry(argc, argv)) {
      std::fflush(nullptr);
      std::exit(*status);
    }
  }
}

}  // namespace parsweep
