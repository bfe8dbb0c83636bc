// SweepCheckpoint: a sweep's finished tasks kept in a file (`sweep --checkpoint=PATH`), so
// that a run stopped by SIGKILL or a power cut can be rerun with the same flags and skip
// them, and still print exactly what an uninterrupted run prints. The file's layout is
// proto/checkpoint.proto; its bytes are read by ParseCheckpoint (checkpoint_format.h).
//
// Identity. The header pins what the tasks' partial results depend on: the kernel and its
// options, the widths, the evaluation points, the samples' bits (so a data file changed
// under the same path is caught) and the plan (split, task count, widths or samples and
// points per task). Not the executor: every executor gives the same bits for the same plan,
// so a sweep begun on threads may be resumed on processes, as long as the plan is the same
// (with --chunk=0 it depends on the number of workers). A file for another sweep is refused
// (FailedPrecondition) with what differs; a file that is not a checkpoint (InvalidArgument)
// or is damaged (DataLoss) is refused too; neither is modified.
//
// Durability. A task's record is added (Append) once its result has been merged, and the
// records added are written (Flush: one write(2) for all of them) before the runner waits
// for more results: at once when results come one by one, together when a batch's results
// come together. So the tool's own death (SIGKILL, a crash, the OOM killer) loses only the
// tasks still running, and at most the results of one batch being merged: what was written
// is in the kernel's page cache. Against a power cut or an OS crash the file is fdatasync'ed:
//   - when it is begun, with its header (and its directory, for a new file's name);
//   - at a Flush, when the last fdatasync was at least Options::max_unsynced (1 s) ago, or
//     when fdatasync has so far taken less than Options::sync_budget (1%) of the time since
//     Resume(): slow tasks are each made durable at once, fast ones cost about 1% or one
//     fdatasync a second;
//   - at the end of the sweep (Sync()), and when the checkpoint is closed.
// So a power cut loses at most the records written after the last fdatasync: results that
// arrived less than max_unsynced after it, and only until the next results arrive (or the
// sweep ends). Lost tasks are run again on resume. A record cut short or garbled by the
// crash, or a zero-filled tail, fails its framing or checksum and is dropped and truncated
// away before new records are appended; damage followed by intact records is an error, never
// skipped over.
//
// One sweep at a time: the file is locked (fcntl, released when the process dies; forked
// workers do not inherit it), and a second run on it fails at once with the first's pid.
// Not thread-safe.
//
// Example:
//   ASSIGN_OR_RETURN(std::unique_ptr<SweepCheckpoint> checkpoint, SweepCheckpoint::Open(path));
//   ASSIGN_OR_RETURN(std::vector<TaskResult> done, checkpoint->Resume(*sweep, plan));
//   ... merge `done`; run the other tasks, and for each result r:
//   checkpoint->Append(r);
//   if (no more results are at hand) RETURN_IF_ERROR(checkpoint->Flush());
//   ... and at the end: RETURN_IF_ERROR(checkpoint->Sync());
#ifndef PARSWEEP_RUNTIME_SWEEP_SWEEP_CHECKPOINT_H_
#define PARSWEEP_RUNTIME_SWEEP_SWEEP_CHECKPOINT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/checkpoint.pb.h"
#include "proto/sweep.pb.h"
#include "runtime/sweep/sweep.h"
#include "runtime/sweep/task_planner.h"

namespace parsweep {

class SweepCheckpoint {
 public:
  // When to fdatasync after a record (see Durability above).
  struct Options {
    absl::Duration max_unsynced = absl::Seconds(1);
    double sync_budget = 0.01;
  };

  // SweepCheckpoint::Open opens `path` for reading and appending, creating it if it does not
  // exist, and locks it; it does not read or change what is in it. Errors name the flag
  // and the path: the errno's code (NotFound for a missing directory, PermissionDenied, ...)
  // if it cannot be opened for writing, InvalidArgument if it is not a regular file,
  // FailedPrecondition if another process holds it.
  static absl::StatusOr<std::unique_ptr<SweepCheckpoint>> Open(const std::string& path,
                                                               Options options);
  static absl::StatusOr<std::unique_ptr<SweepCheckpoint>> Open(const std::string& path) {
    return Open(path, Options());
  }

  // Writes and syncs what was appended; removes the file if Open() created it and no header was
  // written (the run failed before it began), so a failed run leaves nothing behind.
  ~SweepCheckpoint();
  SweepCheckpoint(const SweepCheckpoint&) = delete;
  SweepCheckpoint& operator=(const SweepCheckpoint&) = delete;

  // SweepCheckpoint::Resume checks the file against `sweep` cut by `plan` and returns the
  // results of the tasks it holds, in the order they finished. A file with no header (new,
  // empty, or holding only the beginning of this sweep's header: a crash while it was
  // begun) is begun anew. A torn end is dropped from the file. Errors (the file is then
  // unchanged): see Identity above. Call once, before Append().
  absl::StatusOr<std::vector<TaskResult>> Resume(const Sweep& sweep, const TaskPlan& plan);

  // SweepCheckpoint::Append adds the record of `result`, a task's result the sweep has
  // merged, to those Flush() will write.
  void Append(const TaskResult& result);

  // SweepCheckpoint::Flush writes the records added since the last Flush() and fdatasyncs as
  // Durability says. An error (a full disk, say) names the path; the records written before
  // it stay usable.
  absl::Status Flush();

  // SweepCheckpoint::Sync writes the records added and makes every record durable
  // (fdatasync).
  absl::Status Sync();

  const std::string& path() const { return path_; }
  // What Resume() found: tasks already done, and the bytes of a torn end it dropped.
  uint64_t resumed_tasks() const { return resumed_tasks_; }
  uint64_t dropped_bytes() const { return dropped_bytes_; }
  // fdatasyncs so far, and the time they took (for reports of the cost).
  uint64_t syncs() const { return syncs_; }
  absl::Duration sync_time() const { return sync_time_; }

 private:
  SweepCheckpoint(std::string path, int fd, bool created, Options options);

  absl::StatusOr<std::string> ReadAll() const;
  // Begins the empty file with `header` (its bytes as written).
  absl::Status Begin(const std::string& header);
  // Writes the records Append() added.
  absl::Status WritePending();
  // Makes the file's length `length`, durably.
  absl::Status Truncate(uint64_t length);
  absl::Status ErrnoError(int error, absl::string_view doing) const;

  const std::string path_;
  const int fd_;
  const bool created_;
  const Options options_;
  bool locked_ = false;
  bool begun_ = false;   // The file holds this sweep's header.
  bool failed_ = false;  // A write or fdatasync failed: no more are tried.
  uint64_t resumed_tasks_ = 0;
  uint64_t dropped_bytes_ = 0;
  std::string pending_;  // Records added and not yet written.
  absl::Time resumed_at_;
  absl::Time last_sync_;
  bool unsynced_ = false;
  uint64_t syncs_ = 0;
  absl::Duration sync_time_;
};

// CheckpointHeaderFor is the header a checkpoint of `sweep` cut by `plan` begins with (its
// format, version and checksum unset).
CheckpointHeader CheckpointHeaderFor(const Sweep& sweep, const TaskPlan& plan);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SWEEP_SWEEP_CHECKPOINT_H_
