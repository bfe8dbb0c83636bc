// WriteFileAtomically: replace a file's contents all at once or not at all. Every file
// parsweep writes for a user (the sweep tool's charts, any future output file) goes through
// it, so that a full disk, a quota, a killed converter or a bad path never leaves a
// truncated file, never destroys what was there, and never leaves a temporary file behind.
//
// How: the bytes go to a new temporary file in the same directory as the target (so the
// rename below stays within one file system and is atomic), which is fsynced, given the
// old file's permission bits (or 0666 less the umask for a new file), and renamed onto the
// target; the directory is then fsynced so the rename survives a crash. On any failure the
// temporary file is removed and the target is untouched.
//
// Symbolic links are written through, as a shell's `>` does: when `path` is a link (or a
// chain of links), the file it points to is replaced, with the temporary file in *that*
// file's directory, and the link itself is kept. Replacing the link by a regular file would
// silently cut the user's link, and a temporary file beside the link could be on another
// file system than the target, where rename cannot be atomic. A dangling link creates the
// file it names.
//
// A target that exists and is not a regular file (/dev/null, /dev/full, a FIFO with a
// reader) cannot be replaced by renaming, and holds nothing that a failed write could
// destroy: it is opened and written directly (a FIFO without a reader is an error, not a
// hang). A directory is an error.
//
// Not atomic with respect to other hard links to the old file: they keep the old contents.
// Owner and group of a replaced file are not carried over (only root could).
//
// Errors are absl::Status from errno (NotFound for a missing directory, PermissionDenied,
// ResourceExhausted for a full disk, ...), with messages that name the user's `path` and the
// system's reason: "cannot write '/tmp/a.svg': No space left on device".
//
// Example:
//   RETURN_IF_ERROR(WriteFileAtomically("/tmp/chart.svg", svg));
//   RETURN_IF_ERROR(WriteFileAtomically("/tmp/chart.png",
//                                       [&](int fd) { return RunConverter(svg_path, fd); }));
#ifndef PARSWEEP_RUNTIME_BASE_ATOMIC_FILE_H_
#define PARSWEEP_RUNTIME_BASE_ATOMIC_FILE_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace parsweep {

// FileContentWriter writes a file's whole contents to the open, blocking descriptor `fd`
// (positioned at the start of an empty file; it must not close it) and returns OK, or the
// error that stops the write. It may hand `fd` to a child process.
using FileContentWriter = std::function<absl::Status(int fd)>;

// WriteFileAtomically replaces the file at `path` with `contents` as described above.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents);

// WriteFileAtomically replaces the file at `path` with what `write` writes. An error from
// `write` is returned with the path added, and the target is untouched.
absl::Status WriteFileAtomically(const std::string& path, const FileContentWriter& write);

// CheckWritableAtomically returns OK if WriteFileAtomically(path, ...) looks able to succeed
// now: `path` (through its links) is not a directory, and the directory its temporary file
// would go to exists and is writable (or the target is an existing device or FIFO, which is
// written in place). Errors as WriteFileAtomically's. Call it before a long computation
// whose result is to be written, so that a typo in a directory costs nothing; the write
// itself can still fail (a full disk).
absl::Status CheckWritableAtomically(const std::string& path);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_BASE_ATOMIC_FILE_H_
