#include "runtime/data/data_file_testing.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

// Aborts the test binary with what failed: these helpers only fail when the machine does.
void CheckOk(bool ok, absl::string_view what, const std::string& path) {
  if (ok) return;
  std::fprintf(stderr, "data_file_testing: %.*s '%s': %s\n", static_cast<int>(what.size()),
               what.data(), path.c_str(), std::strerror(errno));
  std::abort();
}

// WriteAllOrStop writes `bytes` to `fd`; false once the reader has gone (EPIPE).
bool WriteAllOrStop(int fd, absl::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

std::string TestFilePath(absl::string_view name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name);
}

std::string WriteTestFile(absl::string_view name, absl::string_view bytes) {
  return WriteSparseTestFile(name, bytes, bytes.size());
}

std::string WriteSparseTestFile(absl::string_view name, absl::string_view bytes, uint64_t size) {
  const std::string path = TestFilePath(name);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  CheckOk(fd >= 0, "cannot create", path);
  CheckOk(WriteAllOrStop(fd, bytes), "cannot write", path);
  CheckOk(::ftruncate(fd, static_cast<off_t>(size)) == 0, "cannot extend", path);
  ::close(fd);
  return path;
}

void ExpectQuickReadError(const std::function<absl::Status(const std::string&)>& read,
                          const std::string& path, const std::string& message) {
  const absl::Time start = absl::Now();
  const absl::Status status = read(path);
  EXPECT_LT(absl::Now() - start, absl::Seconds(1)) << path;
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), testing::HasSubstr(message)) << path;
}

FifoFeeder::FifoFeeder(absl::string_view name, std::string head, std::string tail)
    : path_(TestFilePath(name)) {
  ::unlink(path_.c_str());
  CheckOk(::mkfifo(path_.c_str(), 0600) == 0, "cannot make the FIFO", path_);
  writer_ = std::thread([this, head = std::move(head), tail = std::move(tail)] {
    // A reader that stops early makes write() fail with EPIPE; blocked here, SIGPIPE stays
    // pending on this thread (and goes with it) instead of killing the test.
    sigset_t sigpipe;
    sigemptyset(&sigpipe);
    sigaddset(&sigpipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &sigpipe, nullptr);
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);  // Waits for a reader.
    CheckOk(fd >= 0, "cannot open the FIFO", path_);
    constexpr uint64_t kMaxTailBytes = uint64_t{1} << 30;
    if (!stop_ && WriteAllOrStop(fd, head) && !tail.empty()) {
      for (uint64_t written = 0; written < kMaxTailBytes && !stop_; written += tail.size()) {
        if (!WriteAllOrStop(fd, tail)) break;
      }
    }
    ::close(fd);
    done_ = true;
  });
}

FifoFeeder::~FifoFeeder() {
  // A test that failed before its reader opened the FIFO leaves the writer waiting in
  // open(), or in write() on a full pipe: be that reader, draining what it writes, until
  // the writer sees stop_ and ends. (Opening with O_NONBLOCK never waits.)
  stop_ = true;
  const int fd = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  char sink[4096];
  while (fd >= 0 && !done_) {
    pollfd readable = {fd, POLLIN, 0};
    ::poll(&readable, 1, 10);  // POLLHUP before the writer opens: poll again.
    while (::read(fd, sink, sizeof sink) > 0) {
    }
  }
  writer_.join();
  if (fd >= 0) ::close(fd);
  ::unlink(path_.c_str());
}

}  // namespace parsweep
