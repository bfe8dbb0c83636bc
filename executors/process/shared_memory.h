// Shared memory for spawned workers: a workload's blob copied once into a sealed memfd that
// the worker inherits and maps read-only, so no byte of it crosses a pipe and neither side
// can change it afterwards (F_SEAL_WRITE, F_SEAL_SHRINK, F_SEAL_GROW).
//
// Example (parent):
//   ASSIGN_OR_RETURN(SealedFile file, SealedFile::Create("samples", blob.bytes));
//   ... spawn with file.fd() inherited ...
// Example (worker):
//   ASSIGN_OR_RETURN(MappedFile mapped, MappedFile::Map(fd, size));  // then close(fd)
#ifndef PARSWEEP_EXECUTORS_PROCESS_SHARED_MEMORY_H_
#define PARSWEEP_EXECUTORS_PROCESS_SHARED_MEMORY_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace parsweep {

// SealedFile owns a sealed memfd holding a copy of some bytes; closes it when destroyed.
// Move-only.
class SealedFile {
 public:
  // SealedFile::Create copies `bytes` into a new sealed memfd (close-on-exec). If the system
  // refuses, the error names the cause and the limit, ResourceExhausted for want of memory,
  // descriptors or file size: "cannot copy 1600000 bytes of samples into shared memory: File
  // too large (the file size limit, ulimit -f, is 1048576 bytes)". A write past the file
  // size limit does not kill the process (SIGXFSZ): see WriteFullyTakingSignal.
  static absl::StatusOr<SealedFile> Create(absl::string_view name, absl::Span<const char> bytes);

  SealedFile(SealedFile&& other) noexcept;
  SealedFile& operator=(SealedFile&& other) noexcept;
  SealedFile(const SealedFile&) = delete;
  SealedFile& operator=(const SealedFile&) = delete;
  ~SealedFile();

  int fd() const { return fd_; }
  size_t size() const { return size_; }

 private:
  SealedFile(int fd, size_t size) : fd_(fd), size_(size) {}
  int fd_ = -1;
  size_t size_ = 0;
};

// MapReadOnly maps the first `size` bytes of `fd` (which must hold exactly that many)
// read-only; the mapping lasts as long as the returned pointer (or a copy of it). DataLoss if
// the file's size differs; if mmap fails, its cause and the limit (ResourceExhausted for
// want of address space). Does not close `fd`.
absl::StatusOr<std::shared_ptr<const char>> MapReadOnly(int fd, size_t size);

}  // namespace parsweep

#endif  // PARSWEEP_EXECUTORS_PROCESS_SHARED_MEMORY_H_
