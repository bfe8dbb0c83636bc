// SealedFile copies bytes into sealed shared memory, and past the file size limit says so
// instead of dying of SIGXFSZ; MapReadOnly maps what it holds.
#include "executors/process/shared_memory.h"

#include <signal.h>
#include <sys/resource.h>

#include <cstring>
#include <memory>
#include <string>

#include "executors/process/test_support.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

TEST(SealedFileTest, HoldsACopyThatMapsBack) {
  const std::string bytes = "samples, sealed";
  absl::StatusOr<SealedFile> file = SealedFile::Create("samples", bytes);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->size(), bytes.size());
  absl::StatusOr<std::shared_ptr<const char>> mapped = MapReadOnly(file->fd(), bytes.size());
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ(std::string(mapped->get(), bytes.size()), bytes);
  EXPECT_EQ(MapReadOnly(file->fd(), bytes.size() + 1).status().code(), absl::StatusCode::kDataLoss);
}

// Runs in a child of the test, since the limit stays for good.
void CreateBeyondTheFileSizeLimit() {
  struct rlimit limit;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &limit), 0);
  limit.rlim_cur = 1 << 20;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limit), 0);
  const std::string bytes(3 << 20, 's');
  absl::StatusOr<SealedFile> file = SealedFile::Create("samples", bytes);
  // Alive, which the default action of SIGXFSZ would not have left the process.
  EXPECT_EQ(file.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(file.status().message(),
            "cannot copy 3145728 bytes of samples into shared memory: File too large (the file "
            "size limit, ulimit -f, is 1048576 bytes)");
  // No SIGXFSZ left pending or blocked, and the disposition is the program's.
  sigset_t pending;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGXFSZ));
  sigset_t mask;
  pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  EXPECT_FALSE(sigismember(&mask, SIGXFSZ));
  struct sigaction action;
  sigaction(SIGXFSZ, nullptr, &action);
  EXPECT_EQ(action.sa_handler, SIG_DFL);
}

TEST(SealedFileTest, BeyondTheFileSizeLimitIsAnErrorNotASignal) {
  EXPECT_TRUE(RunInChild(CreateBeyondTheFileSizeLimit));
}

}  // namespace
}  // namespace parsweep
