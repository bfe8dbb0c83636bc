// Test helpers for the data readers: the kinds of file a user may pass as --data or
// --points, made in the test's temporary directory (TEST_TMPDIR): plain files, sparse files
// of any size that take no disk, and FIFOs fed by a thread (as `--data=<(cat x.csv)` or a
// pipeline would feed them).
//
// Example:
//   const std::string huge = WriteSparseTestFile("huge.csv", "", uint64_t{64} << 30);
//   FifoFeeder fifo("stream.csv", "1,2\n3,4\n");
//   EXPECT_TRUE(ReadCsvMatrix(fifo.path()).ok());
#ifndef PARSWEEP_RUNTIME_DATA_DATA_FILE_TESTING_H_
#define PARSWEEP_RUNTIME_DATA_DATA_FILE_TESTING_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace parsweep {

// TestFilePath is `name` in the test's temporary directory.
std::string TestFilePath(absl::string_view name);

// WriteTestFile writes `bytes` to TestFilePath(name) and returns the path.
std::string WriteTestFile(absl::string_view name, absl::string_view bytes);

// WriteSparseTestFile writes `bytes`, then extends the file with ftruncate to `size` bytes
// (reading as zeros, stored as a hole), and returns the path.
std::string WriteSparseTestFile(absl::string_view name, absl::string_view bytes, uint64_t size);

// ExpectQuickReadError expects `read(path)` to fail with InvalidArgument, with a message
// containing `message`, within a second: the reader stopped at the first bytes that told it
// the file is bad instead of reading on (or allocating what a header claims).
void ExpectQuickReadError(const std::function<absl::Status(const std::string&)>& read,
                          const std::string& path, const std::string& message);

// FifoFeeder makes a FIFO and, from a thread of its own, writes `head` into it once a reader
// has opened it, then `tail` over and over (if not empty: an endless stream, like
// `cat /dev/zero`) until the reader closes its end or `tail` has been written for 1 GiB;
// then it closes the FIFO.
class FifoFeeder {
 public:
  FifoFeeder(absl::string_view name, std::string head, std::string tail = "");
  // Waits for the writer to finish; if no reader ever opened the FIFO, opens it as one so
  // that the writer does not wait forever.
  ~FifoFeeder();
  FifoFeeder(const FifoFeeder&) = delete;
  FifoFeeder& operator=(const FifoFeeder&) = delete;

  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  std::atomic<bool> stop_{false};  // Set by the destructor: write no more.
  std::atomic<bool> done_{false};  // Set by the writer when it has closed the FIFO.
  std::thread writer_;
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_DATA_DATA_FILE_TESTING_H_
