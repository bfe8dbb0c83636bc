// ByteSource: where the CSV and .npy readers take their bytes from, in pieces, so that no
// reader ever holds a whole file: a DataFile on disk (or a pipe, a device, a /proc file), or
// bytes already in memory (MemorySource, for parsing text and for tests and fuzzing).
//
// DataFile::Open gives the errors a user should see: NotFound for a file that cannot be
// opened (with the system's reason), InvalidArgument for a directory; Read gives DataLoss
// for a failed read (with the system's reason). A regular file's size is known from fstat
// before anything is read, so a reader can check a declared shape against it before it
// allocates; pipes, FIFOs, character devices (/dev/zero) and /proc files (whose stat size
// is 0) have no known size, and readers stream them against the same limits.
//
// Thread safety: a ByteSource is used by one thread at a time.
//
// Example:
//   ASSIGN_OR_RETURN(std::unique_ptr<DataFile> file, DataFile::Open(path));
//   char buffer[64 * 1024];
//   ASSIGN_OR_RETURN(const size_t n, file->Read(buffer, sizeof buffer));  // 0: the end
#ifndef PARSWEEP_RUNTIME_DATA_DATA_FILE_H_
#define PARSWEEP_RUNTIME_DATA_DATA_FILE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace parsweep {

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // ByteSource::name names the source in error messages (a file's path as the user gave it).
  virtual const std::string& name() const = 0;

  // ByteSource::size is the total size in bytes when it is known before reading: a regular
  // file's (when not 0, since /proc files say 0 and have content), or bytes in memory.
  virtual std::optional<uint64_t> size() const = 0;

  // ByteSource::Read copies the next bytes into `buffer`, `capacity` of them unless the
  // data ends first, and returns how many it copied: fewer than `capacity` only at the
  // end, 0 once the end is reached. DataLoss if reading fails.
  virtual absl::StatusOr<size_t> Read(char* buffer, size_t capacity) = 0;
};

// DataFile: a file opened for reading; closes it when destroyed.
class DataFile : public ByteSource {
 public:
  // DataFile::Open opens `path`. Opening a FIFO waits for its writer, as for any program.
  static absl::StatusOr<std::unique_ptr<DataFile>> Open(const std::string& path);
  ~DataFile() override;
  DataFile(const DataFile&) = delete;
  DataFile& operator=(const DataFile&) = delete;

  const std::string& name() const override { return path_; }
  std::optional<uint64_t> size() const override { return size_; }
  absl::StatusOr<size_t> Read(char* buffer, size_t capacity) override;

 private:
  DataFile(std::string path, int fd, std::optional<uint64_t> size)
      : path_(std::move(path)), fd_(fd), size_(size) {}

  const std::string path_;
  const int fd_;
  const std::optional<uint64_t> size_;
};

// MemorySource: bytes held by the caller, which must outlive it. `size_known` = false
// makes it behave like a pipe, whose size a reader cannot ask for.
class MemorySource : public ByteSource {
 public:
  MemorySource(absl::string_view bytes, std::string name, bool size_known = true)
      : bytes_(bytes), name_(std::move(name)), size_known_(size_known) {}

  const std::string& name() const override { return name_; }
  std::optional<uint64_t> size() const override;
  absl::StatusOr<size_t> Read(char* buffer, size_t capacity) override;

 private:
  absl::string_view bytes_;  // What has not been read yet.
  const std::string name_;
  const uint64_t total_ = bytes_.size();
  const bool size_known_;
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_DATA_DATA_FILE_H_
