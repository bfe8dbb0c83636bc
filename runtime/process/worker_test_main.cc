// main() for test binaries whose executors exec the binary itself as a worker: the worker
// runs instead of the tests when the process was started as one.
#include "gtest/gtest.h"
#include "runtime/process/worker_entry.h"

int main(int argc, char** argv) {
  parsweep::RunWorkerIfRequested(argc, argv);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
